"""The store's front: one object that is every store port, composed of one part per concern over a Database.

No part inherits from another and none reaches into another: each takes the :class:`Database`
(and the queue's :func:`~gateway.store.queue.finish_job` where it finishes a job). ``Store``
only holds the parts and forwards to them, so which code runs for a call is the one line here.

========================= ===================================================================
part                      holds
========================= ===================================================================
:class:`.Intake`          intake and dedup
:class:`.Queue`           claims, leases, hold-backs, failures, burials; what a job reads
:class:`.Outcomes`        each stage's verdict with its next job
:class:`.Retours`         retours going back to their sender
:class:`.RemoteRefusals`  a partner's Fo01 about a delivered message
:class:`.Reads`           the API's and dashboard's reads; dead-letter replay
:class:`.Retention`       payload and metadata purges, the retention job
``audit_chain``           the chain's persistence (appended by :meth:`Database.write`)
========================= ===================================================================
"""

from __future__ import annotations

import threading
import time
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import date, datetime

from gateway.audit import VerifyResult
from gateway.contracts import Job, RelayDecision, RetourToSend, StoredMessage
from gateway.errors import ConfigError
from gateway.facts import Fact, FactKind
from gateway.intake import IntakeRecord, SubmitResult
from gateway.model import Finding, MessageStatus, Stage
from gateway.ports import Clock, Commit, MessageHistory
from gateway.pseudonym import Pseudonymiser
from gateway.store.backend import create_engine
from gateway.store.database import Database, GroupCommit
from gateway.store.history import StoreHistory
from gateway.store.intake import Intake
from gateway.store.outcomes import Outcomes
from gateway.store.queue import Queue
from gateway.store.reads import Reads
from gateway.store.remote import RemoteRefusals
from gateway.store.retention import Retention
from gateway.store.retours import Retours
from gateway.store.views import AuditView, DeliveryView, MessageView, PurgeResult


class _Unkeyed(Pseudonymiser):
    """Stands in for a pseudonymiser the store was not given: the rules may ask for it, filing a client fails."""

    __slots__ = ()

    def __init__(self) -> None:  # no key: nothing to hold
        pass

    def __call__(self, bsn: str) -> str:
        raise ConfigError("this store was opened without a pseudonymiser: open it with open_store(settings)")


class Store:
    """The gateway's store on SQLite or PostgreSQL; the workers and the API see only its methods (the ports)."""

    def __init__(self, db: Database, *, pseudonymiser: Pseudonymiser | None = None) -> None:
        """Compose the parts over ``db``; ``pseudonymiser`` files clients for the rules' history."""
        self.db = db
        self._pseudonymiser = pseudonymiser
        self._intake = Intake(db)
        self._queue = Queue(db)
        self._outcomes = Outcomes(db)
        self._retours = Retours(db)
        self._remote = RemoteRefusals(db)
        self._reads = Reads(db)
        self._retention = Retention(db)
        self._history: StoreHistory | None = None

    @classmethod
    def open(
        cls,
        url: str,
        *,
        migrate: bool = False,
        pool_size: int = 8,
        pseudonymiser: Pseudonymiser | None = None,
        notify: bool = False,
        clock: Clock | None = None,
    ) -> Store:
        """Connect to ``url`` (``sqlite:///file`` or ``postgresql+psycopg://...``), optionally migrating first.

        ``notify`` (PostgreSQL): announce new jobs with NOTIFY so :meth:`wait_for_jobs` wakes idle workers
        (one more round trip per transaction that queues a job, so off unless a worker waits that way).
        ``clock``: where every queue time comes from (default: the system clock; tests inject a fake).
        """
        engine, backend = create_engine(url, pool_size=pool_size)
        db = Database(engine, backend, clock=clock if clock is not None else time, notify=notify)
        store = cls(db, pseudonymiser=pseudonymiser)
        if migrate:
            db.migrate()
            store.ensure_retention_job()
        return store

    @property
    def pseudonymiser(self) -> Pseudonymiser:
        """The installation's pseudonymiser, as the composition root handed it in (without one: refuses to file)."""
        return self._pseudonymiser if self._pseudonymiser is not None else _Unkeyed()

    def history(self) -> MessageHistory:
        """Earlier messages for the berichtoverstijgende rules, answered from this store."""
        if self._history is None:
            self._history = StoreHistory(self.db.read_one, self.pseudonymiser, self.db.driver)
        return self._history

    # -- the database ----------------------------------------------------------------------------
    def batch(self) -> AbstractContextManager[GroupCommit]:
        """This thread's writes share one transaction until the block ends (:meth:`Database.batch`)."""
        return self.db.batch()

    def wait_for_jobs(self, timeout_s: float, *, ready: threading.Event | None = None) -> bool:
        """Block until a job is announced or ``timeout_s`` passes (:meth:`Database.wait_for_jobs`)."""
        return self.db.wait_for_jobs(timeout_s, ready=ready)

    def migrate(self) -> None:
        """Upgrade the schema to the packaged head."""
        self.db.migrate()

    def migrations_current(self) -> bool:
        """True when the schema is at the packaged head."""
        return self.db.migrations_current()

    def verify_audit(self) -> VerifyResult:
        """Verify the whole audit chain."""
        return self.db.verify_audit()

    def close(self) -> None:
        """Close every pooled connection."""
        self.db.close()

    # -- intake -------------------------------------------------------------------------------
    def intake(self, record: IntakeRecord) -> SubmitResult:
        """See :meth:`Intake.intake`."""
        return self._intake.intake(record)

    def intake_many(self, records: Sequence[IntakeRecord]) -> list[SubmitResult]:
        """See :meth:`Intake.intake_many`."""
        return self._intake.intake_many(records)

    # -- the queue ----------------------------------------------------------------------------
    def claim(self, stages: Sequence[Stage], worker_id: str, lease_s: float) -> Job | None:
        """See :meth:`Queue.claim`."""
        return self._queue.claim(stages, worker_id, lease_s)

    def claim_many(self, stages: Sequence[Stage], worker_id: str, lease_s: float, limit: int) -> list[Job]:
        """See :meth:`Queue.claim_many`."""
        return self._queue.claim_many(stages, worker_id, lease_s, limit)

    def release(self, jobs: Sequence[Job]) -> None:
        """See :meth:`Queue.release`."""
        self._queue.release(jobs)

    def hold_back(self, jobs: Sequence[Job]) -> list[Job]:
        """See :meth:`Queue.hold_back`."""
        return self._queue.hold_back(jobs)

    def fail(self, job: Job, error: str, delay_s: float) -> None:
        """See :meth:`Queue.fail`."""
        self._queue.fail(job, error, delay_s)

    def bury(self, job: Job, error: str) -> None:
        """See :meth:`Queue.bury`."""
        self._queue.bury(job, error)

    def skip(self, job: Job) -> None:
        """See :meth:`Queue.skip`."""
        self._queue.skip(job)

    def message(self, message_id: str) -> StoredMessage | None:
        """See :meth:`Queue.message`."""
        return self._queue.message(message_id)

    def messages(self, message_ids: Sequence[str]) -> dict[str, StoredMessage]:
        """See :meth:`Queue.messages`."""
        return self._queue.messages(message_ids)

    def payload_sizes(self, message_ids: Sequence[str]) -> dict[str, int]:
        """See :meth:`Queue.payload_sizes`."""
        return self._queue.payload_sizes(message_ids)

    # -- the stages' outcomes -----------------------------------------------------------------
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
        """See :meth:`Outcomes.prepare_validate`."""
        return self._outcomes.prepare_validate(
            job, status, findings, retour, facts, counts=counts, retour_job=retour_job
        )

    def finish_validate(
        self,
        job: Job,
        status: MessageStatus,
        findings: Sequence[Finding],
        retour: bytes | None,
        facts: Sequence[Fact] | None = None,
        *,
        counts: Mapping[str, int] | None = None,
        retour_job: bool = False,
    ) -> None:
        """See :meth:`Outcomes.finish_validate`."""
        self._outcomes.finish_validate(job, status, findings, retour, facts, counts=counts, retour_job=retour_job)

    def finish_map(self, job: Job, facts: Sequence[Fact]) -> None:
        """See :meth:`Outcomes.finish_map`."""
        self._outcomes.finish_map(job, facts)

    def prepare_relay(self, job: Job, decision: RelayDecision) -> Commit:
        """See :meth:`Outcomes.prepare_relay`."""
        return self._outcomes.prepare_relay(job, decision)

    def finish_relay(self, job: Job, decision: RelayDecision) -> None:
        """See :meth:`Outcomes.finish_relay`."""
        self._outcomes.finish_relay(job, decision)

    def retour_to_send(self, message_id: str) -> RetourToSend | None:
        """See :meth:`Retours.retour_to_send`."""
        return self._retours.retour_to_send(message_id)

    def prepare_retour(self, job: Job, decision: RelayDecision) -> Commit:
        """See :meth:`Retours.prepare_retour`."""
        return self._retours.prepare_retour(job, decision)

    def record_remote_refusal(
        self, candidates: Sequence[str], *, channel: str, code: str, text: str, actor: str = "system"
    ) -> str | None:
        """See :meth:`RemoteRefusals.record_remote_refusal`."""
        return self._remote.record_remote_refusal(candidates, channel=channel, code=code, text=text, actor=actor)

    # -- the read side ------------------------------------------------------------------------
    def get_message(self, message_id: str) -> MessageView | None:
        """See :meth:`Reads.get_message`."""
        return self._reads.get_message(message_id)

    def list_messages(
        self,
        *,
        parties: Collection[str] | None = None,
        status: MessageStatus | str | None = None,
        since: datetime | None = None,
        cursor: str | None = None,
        limit: int = 50,
    ) -> tuple[list[MessageView], str | None]:
        """See :meth:`Reads.list_messages`."""
        return self._reads.list_messages(parties=parties, status=status, since=since, cursor=cursor, limit=limit)

    def audit_events(self, message_id: str) -> list[AuditView]:
        """See :meth:`Reads.audit_events`."""
        return self._reads.audit_events(message_id)

    def deliveries(self, message_id: str) -> list[DeliveryView]:
        """See :meth:`Reads.deliveries`."""
        return self._reads.deliveries(message_id)

    def dead_letters(self, limit: int = 1000) -> list[MessageView]:
        """See :meth:`Reads.dead_letters`."""
        return self._reads.dead_letters(limit)

    def replay(self, message_id: str, *, actor: str) -> None:
        """See :meth:`Reads.replay`."""
        self._reads.replay(message_id, actor=actor)

    def replay_all(self, *, actor: str) -> list[str]:
        """See :meth:`Reads.replay_all`."""
        return self._reads.replay_all(actor=actor)

    def status_counts(self) -> dict[str, int]:
        """See :meth:`Reads.status_counts`."""
        return self._reads.status_counts()

    def job_counts(self) -> dict[str, int]:
        """See :meth:`Reads.job_counts`."""
        return self._reads.job_counts()

    def throughput(self, bucket: str = "minute", *, periods: int = 60) -> list[tuple[str, int]]:
        """See :meth:`Reads.throughput`."""
        return self._reads.throughput(bucket, periods=periods)

    def iter_facts(
        self,
        *,
        gemeente: str | None = None,
        aanbieder: str | None = None,
        kind: FactKind | None = None,
        since: date | None = None,
        until: date | None = None,
        batch: int = 5000,
    ) -> Iterator[Fact]:
        """See :meth:`Reads.iter_facts`."""
        return self._reads.iter_facts(
            gemeente=gemeente, aanbieder=aanbieder, kind=kind, since=since, until=until, batch=batch
        )

    def facts(self) -> list[Fact]:
        """See :meth:`Reads.facts`."""
        return self._reads.facts()

    def facts_of(self, message_id: str) -> list[Fact]:
        """See :meth:`Reads.facts_of`."""
        return self._reads.facts_of(message_id)

    # -- retention ----------------------------------------------------------------------------
    def purge_payloads(self, older_than: datetime, *, refused_before: datetime | None = None) -> int:
        """See :meth:`Retention.purge_payloads`."""
        return self._retention.purge_payloads(older_than, refused_before=refused_before)

    def purge_metadata(self, older_than: datetime) -> tuple[int, int]:
        """See :meth:`Retention.purge_metadata`."""
        return self._retention.purge_metadata(older_than)

    def purge(
        self, payload_before: datetime, metadata_before: datetime, *, refused_before: datetime | None = None
    ) -> PurgeResult:
        """See :meth:`Retention.purge`."""
        return self._retention.purge(payload_before, metadata_before, refused_before=refused_before)

    def ensure_retention_job(self, *, delay_s: float = 0.0) -> None:
        """See :meth:`Retention.ensure_retention_job`."""
        self._retention.ensure_retention_job(delay_s=delay_s)

    def finish_retention(self, job: Job) -> None:
        """See :meth:`Retention.finish_retention`."""
        self._retention.finish_retention(job)


__all__ = ["Store"]
