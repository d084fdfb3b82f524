"""RetryPolicy backoff, Retry-After handling, budgets, and outcome classification."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.relay import Outcome, RetryPolicy, classify, parse_retry_after


class _Max:
    """A fake jitter source that always returns the upper bound."""

    def uniform(self, a: float, b: float) -> float:
        """Return b."""
        return b


class _Min:
    """A fake jitter source that always returns the lower bound."""

    def uniform(self, a: float, b: float) -> float:
        """Return a."""
        return a


@pytest.mark.parametrize("status", [200, 201, 202, 204, 299])
def test_2xx_is_delivered(status: int) -> None:
    """Every 2xx status means delivered."""
    assert classify(status) is Outcome.DELIVERED


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504, 599])
def test_408_429_and_5xx_are_retried(status: int) -> None:
    """Request timeout, too many requests and server errors are worth another attempt."""
    assert classify(status) is Outcome.RETRY


@pytest.mark.parametrize("status", [301, 400, 401, 403, 404, 409, 413, 415, 422])
def test_other_statuses_are_permanent(status: int) -> None:
    """Other 4xx (and redirects, which we never follow) will not improve by retrying."""
    assert classify(status) is Outcome.PERMANENT


@pytest.mark.parametrize(
    "exc",
    [
        httpx.ConnectTimeout("t"),
        httpx.ReadTimeout("t"),
        httpx.WriteTimeout("t"),
        httpx.PoolTimeout("t"),
        httpx.ConnectError("refused"),
        httpx.ReadError("reset"),
        httpx.WriteError("broken pipe"),
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
        ConnectionResetError(104, "Connection reset by peer"),
    ],
)
def test_network_failures_are_retried(exc: BaseException) -> None:
    """Timeouts, refused connections and resets are transient and retried."""
    assert classify(exc) is Outcome.RETRY


@pytest.mark.parametrize("exc", [httpx.UnsupportedProtocol("gopher"), httpx.LocalProtocolError("bad header")])
def test_configuration_failures_are_permanent(exc: BaseException) -> None:
    """Errors that no retry can fix (bad scheme, illegal request) are permanent."""
    assert classify(exc) is Outcome.PERMANENT


def test_backoff_ceiling_doubles_up_to_cap() -> None:
    """The jitter ceiling is base * 2**(attempt-1), never above cap, even for huge attempts."""
    policy = RetryPolicy(base_s=1.0, cap_s=10.0)
    assert [policy.backoff_ceiling(a) for a in (1, 2, 3, 4, 5, 10_000)] == [1, 2, 4, 8, 10, 10]
    assert policy.next_delay(3, None, _Max()) == 4.0
    assert policy.next_delay(3, None, _Min()) == 0.0


def test_retry_after_is_a_lower_bound_capped_at_cap() -> None:
    """Retry-After raises the delay but never beyond cap_s."""
    policy = RetryPolicy(base_s=1.0, cap_s=60.0)
    assert policy.next_delay(1, 30.0, _Min()) == 30.0
    assert policy.next_delay(1, 3600.0, _Min()) == 60.0
    assert policy.next_delay(1, 0.0, _Max()) == 1.0


@given(
    attempt=st.integers(min_value=1, max_value=10_000),
    base=st.floats(min_value=0.001, max_value=100.0),
    cap=st.floats(min_value=0.0, max_value=86_400.0),
    retry_after=st.none() | st.floats(min_value=0.0, max_value=1e7),
    seed=st.integers(min_value=0, max_value=2**32),
)
def test_delay_is_within_zero_and_cap_and_honours_retry_after(
    attempt: int, base: float, cap: float, retry_after: float | None, seed: int
) -> None:
    """For any inputs the delay lies in [0, cap] and is at least min(Retry-After, cap)."""
    policy = RetryPolicy(base_s=base, cap_s=cap)
    delay = policy.next_delay(attempt, retry_after, random.Random(seed))
    assert 0.0 <= delay <= cap
    assert delay <= max(policy.backoff_ceiling(attempt), min(retry_after or 0.0, cap))
    if retry_after is not None:
        assert delay >= min(retry_after, cap)


def test_retry_after_seconds_and_http_date() -> None:
    """Retry-After is understood both as delta-seconds and as an HTTP-date."""
    now = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    assert parse_retry_after("120", now) == 120.0
    assert parse_retry_after(format_datetime(now + timedelta(seconds=90), usegmt=True), now) == 90.0
    assert parse_retry_after("Wed, 25 Nov 2026 07:00:00 GMT", now) == 0.0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after("", now) is None
    assert parse_retry_after(None, now) is None


def test_exhausted_by_attempts_or_age() -> None:
    """The budget is spent after max_attempts attempts or once the first attempt is max_age_s old."""
    policy = RetryPolicy(max_attempts=3, max_age_s=3600.0)
    start = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)
    assert not policy.exhausted(2, start, start + timedelta(minutes=59))
    assert policy.exhausted(3, start, start)
    assert policy.exhausted(1, start, start + timedelta(hours=1))
    assert not policy.exhausted(1, 1000.0, 4599.0)
    assert policy.exhausted(1, 1000.0, 4600.0)


def test_policy_rejects_nonsense() -> None:
    """Zero attempts or a non-positive base are refused when the policy is made."""
    with pytest.raises(ValueError, match="max_attempts"):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError, match="base_s"):
        RetryPolicy(base_s=0)
