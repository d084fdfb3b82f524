"""The seams between the pipeline and its store: jobs, the queue, and what the stages commit.

They live in ``gateway`` so that ``gateway.store`` implements them without importing
``workers`` (workers import gateway, never the reverse). Each store backend (SQLite,
PostgreSQL) honours :class:`PipelineStore`; the workers only ever see these types.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from gateway.model import MessageStatus, Stage
from gateway.ports import JobQueue, PipelineStore, WriteBatch
from gateway.relay import DeliveryResult


@dataclass(frozen=True, slots=True)
class Job:
    """One claimed unit of work."""

    id: int
    stage: Stage
    message_id: str | None
    attempts: int = 0


class Verdict(StrEnum):
    """What the queue does with a relay job after one attempt."""

    DELIVERED = "delivered"
    RETRY = "retry"
    DEAD = "dead"


@dataclass(frozen=True, slots=True)
class RelayDecision:
    """The verdict, the delay before the next try, and whether an attempt was really made."""

    verdict: Verdict
    result: DeliveryResult
    attempted: bool
    attempts: int
    delay_s: float = 0.0


@dataclass(frozen=True, slots=True)
class StoredMessage:
    """What the stages read of a message."""

    id: str
    status: MessageStatus
    payload: bytes | None
    receiver: str | None
    received_at: datetime
    relay_attempts: int = 0
    first_attempt_at: float | None = None
    source: str | None = None
    """The channel it came in on (``api``, ``cli``, ``ggk`` ...)."""


@dataclass(frozen=True, slots=True)
class RetourToSend:
    """A message's retour and what its envelope needs: the sender to return it to, the inbound referentienummer."""

    message_id: str
    retour: bytes | None
    sender: str | None
    referentienummer: str | None
    attempts: int
    """Retour attempts made so far (the retour's own retry budget)."""
    first_attempt_at: float | None


RETOUR_BACK_SOURCES = frozenset({"ggk"})
"""Inbound channels whose senders get the retour delivered back to them (a :attr:`Stage.RETOUR` job)."""


__all__ = [
    "RETOUR_BACK_SOURCES",
    "Job",
    "JobQueue",
    "PipelineStore",
    "RelayDecision",
    "RetourToSend",
    "StoredMessage",
    "Verdict",
    "WriteBatch",
]
