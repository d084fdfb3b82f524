"""The pipeline's ports: time, intake, the job queue, retours, retention and the channels' stores."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from .history import MessageHistory

if TYPE_CHECKING:
    from gateway.contracts import Job, RelayDecision, RetourToSend, StoredMessage
    from gateway.facts import Fact
    from gateway.intake import IntakeRecord, SubmitResult
    from gateway.model import Finding, MessageStatus, Stage
    from gateway.store.views import MessageView

Commit = Callable[[], None]
"""The second half of a prepared write: records what was prepared (see :meth:`PipelineStore.prepare_validate`)."""


# -- time ---------------------------------------------------------------------------------------


class Clock(Protocol):
    """Where the store reads the time: epoch seconds. The :mod:`time` module is one; tests inject a fake."""

    def time(self) -> float:
        """Seconds since the epoch, now."""
        ...


# -- intake and the queue -----------------------------------------------------------------------


class IntakeStore(Protocol):
    """The store operation intake needs."""

    def intake(self, record: IntakeRecord) -> SubmitResult:
        """Store ``record`` and its first job in one transaction, or return the earlier message."""
        ...


class BatchIntakeStore(IntakeStore, Protocol):
    """A store that can take many records with one commit."""

    def intake_many(self, records: Sequence[IntakeRecord]) -> list[SubmitResult]:
        """Store ``records`` (each as :meth:`intake` would) with one durable commit."""
        ...


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


class PipelineStore(IntakeStore, JobQueue, Protocol):
    """The store operations the pipeline's stages need beyond intake and the queue."""

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
    ) -> Commit:
        """Prepare the verdict's writes now (no lock needed); the returned call records the verdict and retour:
        accepted → a map job, or with ``facts`` (mapped already) a relay job; with ``retour_job`` and a
        retour, also a retour job (the retour goes back to the sender). ``counts``: every finding per
        rule or XSD error type, when ``findings`` holds only the first of them (see gateway.findings)."""
        ...

    def finish_map(self, job: Job, facts: Sequence[Fact]) -> None:
        """Keep the facts; → a relay job."""
        ...

    def prepare_relay(self, job: Job, decision: RelayDecision) -> Commit:
        """Prepare the attempt's writes now (no lock needed); the returned call records it (delivery row):
        delivered, dead, or the job again after ``decision.delay_s``."""
        ...

    def skip(self, job: Job) -> None:
        """Finish a job whose message already moved on."""
        ...


class RetourStore(Protocol):
    """What the retour stage needs of the store."""

    def retour_to_send(self, message_id: str) -> RetourToSend | None:
        """The retour and its earlier attempts."""
        ...

    def prepare_retour(self, job: Job, decision: RelayDecision) -> Commit:
        """The writes of one attempt."""
        ...

    def skip(self, job: Job) -> None:
        """Finish a job that has nothing to do."""
        ...


@runtime_checkable
class RetentionStore(Protocol):
    """What the retention stage needs of the store."""

    def purge(self, payload_before: datetime, metadata_before: datetime, *, refused_before: datetime) -> object:
        """Drop payloads of messages delivered (refused) before their horizon, metadata before the second."""
        ...

    def finish_retention(self, job: Job) -> None:
        """Finish the retention job and schedule the next run."""
        ...


class RemoteRefusals(Protocol):
    """The store operation a partner's Fo01 needs."""

    def record_remote_refusal(self, candidates: Sequence[str], *, channel: str, code: str, text: str) -> str | None:
        """Record the refusal on the existing one of ``candidates``; its id or None."""
        ...


class GgkStore(IntakeStore, RemoteRefusals, Protocol):
    """What the GGk endpoint needs of the store."""


class CorvStore(IntakeStore, Protocol):
    """What the CORV endpoint needs of the store: intake, and the first message a duplicate names."""

    def get_message(self, message_id: str) -> MessageView | None:
        """One message's view, or None."""
        ...
