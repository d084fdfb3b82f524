"""Per-destination circuit breakers: stop hammering a receiver that is down.

States: CLOSED (requests flow; consecutive failures are counted), OPEN (after
``failure_threshold`` consecutive failures: no request at all for ``reset_timeout_s``),
HALF_OPEN (after the timeout: exactly one probe request goes through; success closes the
breaker, failure opens it again for a fresh ``reset_timeout_s``). A probe whose outcome is
never reported (the caller died) is forgotten after ``reset_timeout_s``.

Breakers are keyed by destination ``host:port`` so one dead receiver never affects another.
The clock is injectable (a ``() -> float`` of monotonic seconds) so tests need no sleeping.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from enum import StrEnum
from functools import lru_cache
from urllib.parse import urlsplit

Clock = Callable[[], float]


class BreakerState(StrEnum):
    """The three states of a circuit breaker."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


class CircuitBreaker:
    """A thread-safe consecutive-failure circuit breaker for one destination."""

    def __init__(
        self,
        failure_threshold: int = 5,
        reset_timeout_s: float = 30.0,
        *,
        clock: Clock = time.monotonic,
        probe_busy_delay_s: float = 1.0,
    ) -> None:
        """Open after ``failure_threshold`` consecutive failures, probe after ``reset_timeout_s``."""
        if failure_threshold < 1 or reset_timeout_s < 0:
            raise ValueError("CircuitBreaker: failure_threshold >= 1 and reset_timeout_s >= 0")
        self.failure_threshold = failure_threshold
        self.reset_timeout_s = reset_timeout_s
        self.probe_busy_delay_s = probe_busy_delay_s
        self._clock = clock
        self._lock = threading.Lock()
        self._failures = 0
        self._opened_at: float | None = None
        self._probe_started: float | None = None

    def _state_locked(self, now: float) -> BreakerState:
        if self._opened_at is None:
            return BreakerState.CLOSED
        if now - self._opened_at < self.reset_timeout_s:
            return BreakerState.OPEN
        return BreakerState.HALF_OPEN

    @property
    def state(self) -> BreakerState:
        """The current state, with OPEN turning HALF_OPEN once the reset timeout has passed."""
        with self._lock:
            return self._state_locked(self._clock())

    @property
    def failures(self) -> int:
        """Consecutive failures counted since the last success."""
        with self._lock:
            return self._failures

    def open_for(self) -> float:
        """Seconds until the breaker lets a probe through; 0.0 unless it is OPEN."""
        with self._lock:
            now = self._clock()
            if self._state_locked(now) is not BreakerState.OPEN:
                return 0.0
            assert self._opened_at is not None
            return self.reset_timeout_s - (now - self._opened_at)

    def acquire(self) -> float:
        """Return 0.0 if a request may go now, else the seconds until one may (no request!)."""
        with self._lock:
            now = self._clock()
            state = self._state_locked(now)
            if state is BreakerState.CLOSED:
                return 0.0
            if state is BreakerState.OPEN:
                assert self._opened_at is not None
                return max(self.reset_timeout_s - (now - self._opened_at), 1e-3)
            probe_alive = self._probe_started is not None and now - self._probe_started < max(
                self.reset_timeout_s, 1e-3
            )
            if probe_alive:
                return self.probe_busy_delay_s
            self._probe_started = now
            return 0.0

    def release_probe(self) -> None:
        """Give back a half-open probe slot taken by acquire() when no request was made after all."""
        with self._lock:
            self._probe_started = None

    def record_success(self) -> BreakerState:
        """Note that the destination answered; closes the breaker; returns the previous state."""
        with self._lock:
            previous = self._state_locked(self._clock())
            self._failures = 0
            self._opened_at = None
            self._probe_started = None
            return previous

    def record_failure(self) -> BreakerState:
        """Count a failure; open at the threshold or after a failed probe; return the new state."""
        with self._lock:
            now = self._clock()
            state = self._state_locked(now)
            self._failures += 1
            if state is BreakerState.HALF_OPEN or (
                state is BreakerState.CLOSED and self._failures >= self.failure_threshold
            ):
                self._opened_at = now
                self._probe_started = None
            return self._state_locked(now)


@lru_cache(maxsize=1024)
def destination_of(url: str) -> str:
    """The breaker key for a URL: ``host:port`` with the scheme's default port filled in (routes are few: cached)."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{(parts.hostname or '').lower()}:{port}"


class Breakers:
    """A thread-safe registry that creates one CircuitBreaker per destination on first use."""

    def __init__(
        self, failure_threshold: int = 5, reset_timeout_s: float = 30.0, *, clock: Clock = time.monotonic
    ) -> None:
        """Every breaker created here uses these settings and this clock."""
        self.failure_threshold = failure_threshold
        self.reset_timeout_s = reset_timeout_s
        self._clock = clock
        self._lock = threading.Lock()
        self._by_destination: dict[str, CircuitBreaker] = {}

    def get(self, destination: str) -> CircuitBreaker:
        """The breaker for ``destination`` (``host:port``), created closed if new."""
        with self._lock:
            breaker = self._by_destination.get(destination)
            if breaker is None:
                breaker = CircuitBreaker(self.failure_threshold, self.reset_timeout_s, clock=self._clock)
                self._by_destination[destination] = breaker
            return breaker

    def states(self) -> dict[str, BreakerState]:
        """A snapshot of every known destination's state (for status pages and metrics)."""
        with self._lock:
            items = list(self._by_destination.items())
        return {dest: breaker.state for dest, breaker in items}


__all__ = ["BreakerState", "Breakers", "CircuitBreaker", "Clock", "destination_of"]
