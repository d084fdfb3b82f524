"""The ``vsp-pull`` stage: poll VECOZO's Pull API, take in what is ready, confirm it (:mod:`gateway.vsp.puller`).

A round that found a full page goes again at once; one that emptied the list waits the interval.
While the API fails the wait doubles (from a tenth of the interval up to the cap), and a 429 or 503
waits at least its Retry-After. SIGTERM ends the loop between rounds (a round in hand finishes:
every bericht it took in is confirmed or, if the process dies first, taken in again as the same one).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass

import structlog

from gateway.config import Settings
from gateway.store import Store
from gateway.vsp.puller import PullClient, PullConfig, PullReport, PullUnavailableError, pull_once

log = structlog.get_logger("ketenpoort.vsp_pull")


@dataclass(frozen=True, slots=True)
class Pacing:
    """How often to poll and how to back off."""

    interval_s: float = 30.0
    backoff_cap_s: float = 300.0

    def after_failure(self, failures: int, retry_after_s: float | None) -> float:
        """The wait after the ``failures``-th failure in a row, never less than the server's Retry-After."""
        backoff = min(self.backoff_cap_s, self.interval_s / 10 * 2.0 ** max(0, failures - 1))
        return float(max(backoff, retry_after_s or 0.0))


class Puller:
    """The polling loop; ``request_stop`` ends it between rounds."""

    def __init__(
        self,
        client: PullClient,
        store: Store,
        pacing: Pacing,
        *,
        on_round: Callable[[PullReport | PullUnavailableError, float], None] | None = None,
    ) -> None:
        """Poll with ``client`` into ``store``; ``on_round`` sees each round's report (or error) and its wait."""
        self.client = client
        self.store = store
        self.pacing = pacing
        self.on_round = on_round
        self._stop = threading.Event()

    def request_stop(self) -> None:
        """Stop after the round in hand."""
        self._stop.set()

    def run(self, *, rounds: int | None = None) -> None:
        """Poll until stopped (or for ``rounds`` rounds)."""
        failures = 0
        done = 0
        while not self._stop.is_set() and (rounds is None or done < rounds):
            done += 1
            outcome: PullReport | PullUnavailableError
            try:
                outcome = pull_once(self.client, self.store)
            except PullUnavailableError as exc:
                failures += 1
                outcome = exc
                wait = self.pacing.after_failure(failures, exc.retry_after_s)
                log.warning("vsp_pull.unavailable", reason=exc.reason, failures=failures, wait_s=round(wait, 3))
            else:
                failures = 0
                full = outcome.listed >= self.client.config.limit
                wait = 0.0 if full else self.pacing.interval_s
                if outcome.listed:
                    log.info("vsp_pull.round", listed=outcome.listed, taken_in=outcome.taken_in,
                             seen_before=outcome.seen_before, skipped=outcome.skipped)  # fmt: skip
            if self.on_round is not None:
                self.on_round(outcome, wait)
            self._stop.wait(wait)


def stop_on_signals(puller: Puller, *, then: Callable[[], None] | None = None) -> None:
    """SIGTERM and SIGINT end the puller after its round in hand (and call ``then``, e.g. a worker's stop)."""

    def handle(signum: int, frame: object) -> None:
        puller.request_stop()
        if then is not None:
            then()

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, handle)


def build_puller(store: Store, settings: Settings) -> Puller:
    """The puller the settings describe; ValueError when ``KETENPOORT_VSP_PULL_URL`` is not set."""
    if not settings.vsp_pull_url:
        raise ValueError("the vsp-pull stage needs KETENPOORT_VSP_PULL_URL (VECOZO's Pull API base)")
    config = PullConfig(
        settings.vsp_pull_url,
        client_cert=settings.vsp_client_cert,
        client_key=settings.vsp_client_key,
        ca_file=settings.vsp_ca_file,
        connect_timeout_s=settings.connect_timeout_s,
        read_timeout_s=settings.read_timeout_s,
    )
    pacing = Pacing(settings.vsp_pull_interval_s, settings.vsp_pull_backoff_cap_s)
    return Puller(PullClient(config), store, pacing)


__all__ = ["Pacing", "Puller", "build_puller", "stop_on_signals"]
