"""The puller's library side: fetch what VECOZO's Pull API has ready, take each in, then confirm it.

One :func:`pull_once` round: list the waiting berichten, and for each one fetch its payload, take it in
through the one intake together with its VSP row (one commit; the traceerId is the Idempotency-Key),
and only then confirm it with DELETE. A crash after the commit and before the DELETE leaves the
bericht listed: the next round finds its traceerId taken in already, takes nothing in, and confirms
it. A crash before the commit leaves nothing behind. So nothing is lost and nothing taken in twice.
A retour's alsAntwoordOp is the traceerId Ketenpoort pushed its heenbericht under (the message id
itself, :func:`gateway.vsp.berichtstroom.traceer_id`), so it links back to that message.

The loop around it (interval, backoff, Retry-After) is ``workers/vsp_pull.py``.
"""

from __future__ import annotations

import hashlib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from gateway import intake
from gateway.config import MAX_MESSAGE_BYTES
from gateway.errors import RelayError
from gateway.relay.policy import parse_retry_after
from gateway.relay.tls import relay_ssl_context
from gateway.store import Store
from gateway.store.vsp import VspStore
from gateway.vsp.berichtstroom import message_id_of

ACTOR = "vsp-pull"


class PullUnavailableError(RelayError):
    """The Pull API could not be used this round (transport failure, 429, 5xx, an unexpected answer)."""

    def __init__(self, reason: str, retry_after_s: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after_s = retry_after_s


@dataclass(frozen=True, slots=True)
class PullConfig:
    """Where the Pull API is and how Ketenpoort authenticates to it (VECOZO: a system certificate)."""

    base_url: str
    """The Pull API's base, e.g. ``https://api.vecozo.nl/berichtenservice/berichten/rest-pull/v1``."""
    client_cert: Path | None = None
    client_key: Path | None = None
    ca_file: Path | None = None
    connect_timeout_s: float = 5.0
    read_timeout_s: float = 30.0
    limit: int = 250


class PullClient:
    """The Pull API's four operations over one keep-alive connection pool."""

    def __init__(self, config: PullConfig, *, transport: httpx.BaseTransport | None = None) -> None:
        """Open the client (mutual TLS with the configured certificate for an https base URL)."""
        verify: ssl.SSLContext | bool = True
        if config.base_url.startswith("https"):
            verify = relay_ssl_context(config.ca_file, config.client_cert, config.client_key)
        self.config = config
        self._http = httpx.Client(
            base_url=config.base_url.rstrip("/"),
            verify=verify,
            transport=transport,
            timeout=httpx.Timeout(config.read_timeout_s, connect=config.connect_timeout_s),
            headers={"Accept": "application/json"},
        )

    def close(self) -> None:
        """Close the connections."""
        self._http.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            answer = self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise PullUnavailableError(f"{method} {path}: {type(exc).__name__}") from None
        if answer.status_code == 429 or answer.status_code >= 500:
            wait = parse_retry_after(answer.headers.get("retry-after"), datetime.now(UTC))
            raise PullUnavailableError(f"{method} {path}: HTTP {answer.status_code}", wait)
        return answer

    def waiting(self) -> list[dict[str, Any]]:
        """The oldest berichten ready to be pulled."""
        answer = self._call("GET", "/berichten", params={"limit": self.config.limit})
        if answer.status_code != 200:
            raise PullUnavailableError(f"GET /berichten: HTTP {answer.status_code}")
        listed = answer.json()
        if not isinstance(listed, list):
            raise PullUnavailableError("GET /berichten: not a list")
        return [item for item in listed if isinstance(item, dict)]

    def payload(self, traceer: str) -> bytes | None:
        """The bericht's payload; None when it is no longer there (404)."""
        answer = self._call("GET", f"/berichten/{traceer}/payload")
        if answer.status_code == 404:
            return None
        if answer.status_code != 200:
            raise PullUnavailableError(f"GET payload: HTTP {answer.status_code}")
        return answer.content

    def confirm(self, traceer: str) -> None:
        """Confirm receipt (202; a 404 means it was confirmed before)."""
        answer = self._call("DELETE", f"/berichten/{traceer}")
        if answer.status_code not in (200, 202, 204, 404):
            raise PullUnavailableError(f"DELETE: HTTP {answer.status_code}")


@dataclass
class PullReport:
    """What one round did."""

    listed: int = 0
    taken_in: int = 0
    seen_before: int = 0
    skipped: int = 0
    """Listed berichten without a usable traceerId or payload (left for VECOZO to sort out, logged by the caller)."""


def _checksum_ok(meta: Mapping[str, Any], payload: bytes) -> bool:
    download = (meta.get("basisgegevens") or {}).get("payload") or {}
    checksum = download.get("checksum") or {}
    if str(checksum.get("algoritme", "")).upper() != "SHA256":
        return True  # nothing we can check
    return bool(hashlib.sha256(payload).hexdigest() == str(checksum.get("waarde", "")).lower())


def pull_once(client: PullClient, store: Store, *, max_bytes: int = MAX_MESSAGE_BYTES) -> PullReport:
    """One round: take in every listed bericht, confirming each only after its intake committed."""
    vsp = VspStore(store)
    report = PullReport()
    for meta in client.waiting():
        report.listed += 1
        referentie = meta.get("referentiegegevens") or {}
        traceer = str(referentie.get("traceerId") or "")
        if not traceer or "routeringgegevens" not in meta:
            report.skipped += 1
            continue
        payload = client.payload(traceer)
        if payload is None or not _checksum_ok(meta, payload):
            report.skipped += 1  # gone, or damaged on the way: fetched again next round
            continue
        record = intake.prepare(payload, sender=None, idempotency_key=traceer.lower(), source="vsp-pull",
                                max_bytes=max_bytes)  # fmt: skip
        answers = referentie.get("alsAntwoordOp")
        heen = message_id_of(str(answers)) if answers else None
        outcome = vsp.take_in(record, meta, heen_message_id=heen, actor=ACTOR)
        if outcome.created:
            report.taken_in += 1
        else:
            report.seen_before += 1
        client.confirm(traceer)
    return report


__all__ = ["ACTOR", "PullClient", "PullConfig", "PullReport", "PullUnavailableError", "pull_once"]
