"""Retry policy and outcome classification for one delivery attempt.

``classify`` turns what the receiver did (an HTTP status or a transport exception) into an
:class:`Outcome`; :class:`RetryPolicy` decides how long to wait before the next attempt and
when the budget is spent. A retry travels as the typed value :class:`RetryRequested` so the
queue can persist it.

Backoff is "full jitter" (AWS architecture blog; tenacity's ``wait_random_exponential``):
``uniform(0, min(cap, base * 2 ** (attempt - 1)))``. A ``Retry-After`` from the receiver is a
lower bound, itself capped at ``cap_s`` so a receiver cannot park a message for days.
Not tenacity itself: a retry here is a relay job rescheduled in the store (it survives a crash and
may run on another worker), not a loop around a call in one process, so only the formula is shared.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from enum import StrEnum
from typing import Protocol

import httpx


class Outcome(StrEnum):
    """What became of one delivery attempt."""

    DELIVERED = "DELIVERED"
    RETRY = "RETRY"
    PERMANENT = "PERMANENT"
    NO_ROUTE = "NO_ROUTE"


@dataclass(frozen=True)
class RetryRequested:
    """A typed request to try again after ``delay_s`` seconds, with a reason without payload."""

    delay_s: float
    reason: str


class UniformSource(Protocol):
    """Anything with ``uniform(a, b)`` (``random.Random``, or a fake in tests)."""

    def uniform(self, a: float, b: float) -> float:
        """Return a float in [a, b]."""
        ...


_RETRY_STATUSES = frozenset({408, 429})

# Transport errors that say "the request never could have worked": a bad route, not an outage.
_PERMANENT_ERRORS: tuple[type[BaseException], ...] = (
    httpx.UnsupportedProtocol,
    httpx.LocalProtocolError,
    httpx.InvalidURL,
)


def classify(result: int | BaseException) -> Outcome:
    """Map an HTTP status or a transport exception to DELIVERED, RETRY or PERMANENT."""
    if isinstance(result, BaseException):
        if isinstance(result, _PERMANENT_ERRORS):
            return Outcome.PERMANENT
        if isinstance(result, httpx.TransportError | OSError):
            return Outcome.RETRY
        return Outcome.PERMANENT
    if 200 <= result < 300:
        return Outcome.DELIVERED
    if result in _RETRY_STATUSES or 500 <= result < 600:
        return Outcome.RETRY
    return Outcome.PERMANENT


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Parse a Retry-After header (delta-seconds or HTTP-date) into seconds >= 0, or None."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    reference = now if now is not None else datetime.now(UTC)
    return max(0.0, (when - reference).total_seconds())


def _as_epoch(moment: datetime | float) -> float:
    """Seconds since the epoch for a datetime (naive = UTC) or a float passed through."""
    if isinstance(moment, datetime):
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.timestamp()
    return float(moment)


@dataclass(frozen=True)
class RetryPolicy:
    """Capped exponential backoff with full jitter, plus an attempt and age budget."""

    base_s: float = 1.0
    cap_s: float = 300.0
    max_attempts: int = 12
    max_age_s: float = 48 * 3600.0

    def __post_init__(self) -> None:
        """Reject values that make no sense (negative times, no attempts)."""
        if self.base_s <= 0 or self.cap_s < 0 or self.max_age_s < 0:
            raise ValueError("RetryPolicy: base_s must be > 0, cap_s and max_age_s >= 0")
        if self.max_attempts < 1:
            raise ValueError("RetryPolicy: max_attempts must be >= 1")

    def backoff_ceiling(self, attempt: int) -> float:
        """The upper bound of the jittered wait after the ``attempt``-th attempt (1-based)."""
        exponent = min(max(attempt, 1) - 1, 64)
        return min(self.cap_s, self.base_s * 2.0**exponent)

    def next_delay(self, attempt: int, retry_after: float | None = None, rng: UniformSource | None = None) -> float:
        """Seconds to wait after the ``attempt``-th failed attempt; Retry-After is a capped floor."""
        source: UniformSource = rng if rng is not None else random.Random()  # noqa: S311 - jitter
        delay = source.uniform(0.0, self.backoff_ceiling(attempt))
        if retry_after is not None and retry_after > 0:
            delay = max(delay, min(retry_after, self.cap_s))
        return min(max(delay, 0.0), self.cap_s)

    def exhausted(self, attempts: int, first_attempt_at: datetime | float, now: datetime | float) -> bool:
        """True when ``attempts`` reached max_attempts or the first attempt is older than max_age_s."""
        if attempts >= self.max_attempts:
            return True
        return _as_epoch(now) - _as_epoch(first_attempt_at) >= self.max_age_s


__all__ = [
    "Outcome",
    "RetryPolicy",
    "RetryRequested",
    "UniformSource",
    "classify",
    "parse_retry_after",
]
