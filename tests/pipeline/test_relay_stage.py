"""The relay stage's verdicts against a real loopback receiver and the real Deliverer."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator

import pytest

from gateway.relay import Deliverer, RetryPolicy, Routes
from tests.support.receiver import Receiver
from workers.stages.relay import RelayDecision, Verdict, relay_once


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as rx:
        yield rx


def _deliverer(url: str, *, max_attempts: int = 5, breaker_failures: int = 5) -> Deliverer:
    routes = Routes({}, default=url)
    policy = RetryPolicy(base_s=0.5, cap_s=30.0, max_attempts=max_attempts, max_age_s=3600.0)
    return Deliverer(routes, policy, breaker_failures=breaker_failures, read_timeout_s=2.0, rng=random.Random(3))


def _once(d: Deliverer, message_id: str, attempts_before: int = 0) -> RelayDecision:
    now = time.time()
    return relay_once(
        d,
        message_id=message_id,
        receiver="0363",
        payload=b"<x/>",
        attempts_before=attempts_before,
        first_attempt_at=now,
        now=now,
    )


def test_2xx_is_delivered_with_the_message_id_as_idempotency_key(receiver: Receiver) -> None:
    with _deliverer(receiver.url) as d:
        decision = _once(d, "msg-1")
    assert decision.verdict is Verdict.DELIVERED and decision.attempts == 1
    assert receiver.delivered_keys() == {"msg-1"}


def test_permanent_4xx_is_dead_after_one_request(receiver: Receiver) -> None:
    receiver.always(400)
    with _deliverer(receiver.url) as d:
        decision = _once(d, "msg-2")
    assert decision.verdict is Verdict.DEAD
    assert receiver.keys() == ["msg-2"]


def test_503_with_retry_after_is_retried_no_sooner_than_asked(receiver: Receiver) -> None:
    receiver.fail_next(1, status=503, retry_after="7")
    with _deliverer(receiver.url) as d:
        decision = _once(d, "msg-3")
    assert decision.verdict is Verdict.RETRY and decision.attempted
    assert decision.delay_s >= 7.0


def test_budget_exhausted_is_dead(receiver: Receiver) -> None:
    receiver.always(503)
    with _deliverer(receiver.url, max_attempts=3) as d:
        decision = _once(d, "msg-4", attempts_before=2)
    assert decision.verdict is Verdict.DEAD and decision.attempts == 3


def test_open_breaker_reschedules_without_spending_an_attempt(receiver: Receiver) -> None:
    receiver.always(503)
    with _deliverer(receiver.url, breaker_failures=2) as d:
        _once(d, "a")
        _once(d, "b")
        seen = len(receiver.records)
        decision = _once(d, "c", attempts_before=4)
    assert decision.verdict is Verdict.RETRY and not decision.attempted
    assert decision.attempts == 4 and decision.delay_s > 0
    assert len(receiver.records) == seen
