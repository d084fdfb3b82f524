"""The seams between the pipeline and its store: jobs, the queue, and what the stages commit.

They live in ``gateway`` so that ``gateway.store`` implements them without importing
``workers`` (workers import gateway, never the reverse). Each store backend (SQLite,
PostgreSQL) honours :class:`PipelineStore`; the workers only ever see these types.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from gateway.facts import Fact
from gateway.intake import IntakeStore
from gateway.model import Finding, MessageStatus, Stage
from gateway.relay import DeliveryResult
from gateway.rules.context import MessageHistory


@dataclass(frozen=True, slots=True)
class Job:
    """One claimed unit of work."""

    id: int
    stage: Stage
    message_id: str | None
    attempts: int = 0


class WriteBatch(Protocol):
    """A group commit in progress (see :meth:`JobQueue.batch`)."""

    def flush(self) -> None:
        """Commit what was written so far."""
        ...


class JobQueue(Protocol):
    """The queue operations the worker loop needs."""

    def claim_many(self, stages: Sequence[Stage], worker_id: str, lease_s: float, limit: int) -> list[Job]:
        """Lease up to ``limit`` due jobs of ``stages``, oldest due first; empty when none is due."""
        ...

    def batch(self) -> AbstractContextManager[WriteBatch]:
        """Within the block, this thread's writes share one transaction, committed on leaving or flush."""
        ...

    def release(self, jobs: Sequence[Job]) -> None:
        """Give back claimed jobs that were not run (their leases end now); done jobs are left alone."""
        ...

    def hold_back(self, jobs: Sequence[Job]) -> list[Job]:
        """Those of these claimed jobs that must wait for an earlier job of their conversation (deferred now)."""
        ...

    def fail(self, job: Job, error: str, delay_s: float) -> None:
        """Give the job back after an unexpected error, to run again after ``delay_s``."""
        ...

    def bury(self, job: Job, error: str) -> None:
        """The job's stage failed too often: finish the job and put its message in the dead-letter queue."""
        ...


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


class PipelineStore(IntakeStore, JobQueue, Protocol):
    """The store operations the pipeline needs beyond intake and the queue."""

    def message(self, message_id: str) -> StoredMessage | None:
        """The message a job is about."""
        ...

    def messages(self, message_ids: Sequence[str]) -> dict[str, StoredMessage]:
        """The messages of a batch of jobs, by id (the ones that exist)."""
        ...

    def payload_sizes(self, message_ids: Sequence[str]) -> dict[str, int]:
        """The payload sizes of these messages, by id (the ones that exist), without reading the payloads."""
        ...

    def history(self) -> MessageHistory | None:
        """Earlier messages, for berichtoverstijgende rules."""
        ...

    def prepare_validate(
        self,
        job: Job,
        status: MessageStatus,
        findings: Sequence[Finding],
        retour: bytes | None,
        facts: Sequence[Fact] | None = None,
        *,
        counts: Mapping[str, int] | None = None,
        retour_job: bool = False,
    ) -> Callable[[], None]:
        """Prepare the verdict's writes now (no lock needed); the returned call records the verdict and retour:
        accepted → a map job, or with ``facts`` (mapped already) a relay job; with ``retour_job`` and a
        retour, also a retour job (the retour goes back to the sender). ``counts``: every finding per
        rule or XSD error type, when ``findings`` holds only the first of them (see gateway.findings)."""
        ...

    def finish_map(self, job: Job, facts: Sequence[Fact]) -> None:
        """Keep the facts; → a relay job."""
        ...

    def prepare_relay(self, job: Job, decision: RelayDecision) -> Callable[[], None]:
        """Prepare the attempt's writes now (no lock needed); the returned call records it (delivery row):
        delivered, dead, or the job again after ``decision.delay_s``."""
        ...

    def skip(self, job: Job) -> None:
        """Finish a job whose message already moved on."""
        ...


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
