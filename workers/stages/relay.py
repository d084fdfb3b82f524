"""Relay stage: one delivery attempt per job, and what the queue must do with its outcome.

The Deliverer makes at most one POST and never raises; this module turns its result into a
verdict: delivered, try again after a delay (Retry-After honoured by the policy), or dead.
An attempt refused locally (circuit open, destination busy) is rescheduled without counting
against the message's retry budget, so a receiver that is down does not burn its budget.
"""

from __future__ import annotations

from datetime import datetime

from gateway.contracts import RelayDecision, Verdict
from gateway.relay import Deliverer, DeliveryResult, Outcome, RetryPolicy

LOCAL_REFUSALS = frozenset({"circuit open", "destination busy"})
"""Deliverer errors that mean no request left this process."""


def decide(
    result: DeliveryResult,
    *,
    attempts_before: int,
    first_attempt_at: datetime | float,
    now: datetime | float,
    policy: RetryPolicy,
) -> RelayDecision:
    """Turn one delivery result into a verdict under the retry budget."""
    attempted = not (result.outcome is Outcome.RETRY and result.error in LOCAL_REFUSALS)
    attempts = attempts_before + 1 if attempted else attempts_before
    if result.outcome is Outcome.DELIVERED:
        return RelayDecision(Verdict.DELIVERED, result, attempted, attempts)
    if result.outcome in (Outcome.PERMANENT, Outcome.NO_ROUTE):
        return RelayDecision(Verdict.DEAD, result, attempted, attempts)
    delay = result.retry_delay_s if result.retry_delay_s is not None else policy.next_delay(max(attempts, 1))
    if attempted and policy.exhausted(attempts, first_attempt_at, now):
        return RelayDecision(Verdict.DEAD, result, attempted, attempts)
    return RelayDecision(Verdict.RETRY, result, attempted, attempts, delay)


def relay_once(
    deliverer: Deliverer,
    *,
    message_id: str,
    receiver: str,
    payload: bytes,
    attempts_before: int,
    first_attempt_at: datetime | float,
    now: datetime | float,
) -> RelayDecision:
    """Make (at most) one delivery attempt and decide what happens next."""
    result = deliverer.deliver(message_id, receiver, payload, attempts_before + 1)
    return decide(
        result, attempts_before=attempts_before, first_attempt_at=first_attempt_at, now=now, policy=deliverer.policy
    )


__all__ = ["LOCAL_REFUSALS", "RelayDecision", "Verdict", "decide", "relay_once"]
