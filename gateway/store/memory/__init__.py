"""The store's ports in memory, for fast tests: the same behaviour as :class:`gateway.store.Store`, no database.

One lock guards the rows; group commits, leases on the injected clock, conversation order,
dedup, the dead-letter queue, retention and a real hash chain (so ``verify_audit`` detects
tampering) behave as the SQL store does, which the contract suite ``tests/store/contract``
holds on all three backends. :meth:`MemoryStore.history` answers the base
:class:`~gateway.ports.MessageHistory` from its own messages and facts; the optional extensions
(tariffs, client toewijzingen, declaratie history, XsdVersie, referenties) are not offered, so
the rules that ask them switch those checks off on this store.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import date, datetime
from typing import TYPE_CHECKING

from gateway.audit import VerifyResult
from gateway.contracts import Job, RelayDecision, RetourToSend, StoredMessage
from gateway.errors import ConfigError
from gateway.facts import Fact, FactKind
from gateway.intake import IntakeRecord, SubmitResult
from gateway.model import Finding, MessageStatus, Stage
from gateway.ports import Clock, Commit, MessageHistory
from gateway.pseudonym import Pseudonymiser
from gateway.store.memory import outcomes, queue, reads
from gateway.store.memory.history import MemoryHistory
from gateway.store.memory.state import GroupCommit, State, verify
from gateway.store.views import AuditView, DeliveryView, MessageView, PurgeResult

if TYPE_CHECKING:
    from gateway.ports import CorvStore, GgkStore, OperatorStore, PipelineStore, RetentionStore, RetourStore


class MemoryStore:
    """Every store port over rows in memory; ``clock`` (default: the system clock) gives every queue time."""

    def __init__(self, *, clock: Clock | None = None, pseudonymiser: Pseudonymiser | None = None) -> None:
        """Empty, with the retention job queued as a migrated store has it."""
        self._state = State(clock if clock is not None else time)
        self._pseudonymiser = pseudonymiser
        self.ensure_retention_job()

    @property
    def pseudonymiser(self) -> Pseudonymiser:
        """The pseudonymiser handed in."""
        if self._pseudonymiser is None:
            raise ConfigError("this store was made without a pseudonymiser")
        return self._pseudonymiser

    def history(self) -> MessageHistory:
        """Earlier messages for the berichtoverstijgende rules, from this store's rows."""
        return MemoryHistory(self._state, self.pseudonymiser)

    def batch(self) -> AbstractContextManager[GroupCommit]:
        """This thread's writes share one commit until the block ends."""
        return self._state.batch()

    def wait_for_jobs(self, timeout_s: float, *, ready: threading.Event | None = None) -> bool:
        """No announcements in memory: say at once that workers should poll."""
        if ready is not None:
            ready.set()
        return False

    def migrate(self) -> None:
        """Nothing to migrate."""

    def migrations_current(self) -> bool:
        """Always current."""
        return True

    def verify_audit(self) -> VerifyResult:
        """Verify the whole audit chain."""
        with self._state.read() as rows:
            return verify(rows)

    def close(self) -> None:
        """Nothing to close."""

    def intake(self, record: IntakeRecord) -> SubmitResult:
        """Store ``record`` and its first job, or answer with the earlier message."""
        return queue.intake(self._state, record)

    def intake_many(self, records: Sequence[IntakeRecord]) -> list[SubmitResult]:
        """Every record in one commit."""
        with self.batch():
            return [self.intake(r) for r in records]

    def claim(self, stages: Sequence[Stage], worker_id: str, lease_s: float) -> Job | None:
        """Lease the next due job of one of ``stages``."""
        claimed = self.claim_many(stages, worker_id, lease_s, 1)
        return claimed[0] if claimed else None

    def claim_many(self, stages: Sequence[Stage], worker_id: str, lease_s: float, limit: int) -> list[Job]:
        """Lease up to ``limit`` due jobs, oldest due first."""
        return queue.claim_many(self._state, stages, worker_id, lease_s, limit)

    def release(self, jobs: Sequence[Job]) -> None:
        """Give back claimed jobs unrun."""
        queue.release(self._state, jobs)

    def hold_back(self, jobs: Sequence[Job]) -> list[Job]:
        """The jobs that must wait for an earlier job of their conversation held elsewhere."""
        return queue.hold_back(self._state, jobs)

    def fail(self, job: Job, error: str, delay_s: float) -> None:
        """Due again after ``delay_s``, attempts + 1."""
        queue.fail(self._state, job, error, delay_s)

    def bury(self, job: Job, error: str) -> None:
        """The job done, its message dead."""
        queue.bury(self._state, job, error)

    def skip(self, job: Job) -> None:
        """Finish a job whose message already moved on."""
        queue.skip(self._state, job)

    def message(self, message_id: str) -> StoredMessage | None:
        """What the stages read of a message."""
        with self._state.read() as rows:
            m = rows.messages.get(message_id)
            return None if m is None else queue.stored(m)

    def messages(self, message_ids: Sequence[str]) -> dict[str, StoredMessage]:
        """What the stages read of these messages."""
        with self._state.read() as rows:
            return {i: queue.stored(rows.messages[i]) for i in set(message_ids) if i in rows.messages}

    def payload_sizes(self, message_ids: Sequence[str]) -> dict[str, int]:
        """The payload size of each existing message."""
        with self._state.read() as rows:
            return {i: rows.messages[i].payload_size for i in set(message_ids) if i in rows.messages}

    def prepare_validate(
        self, job: Job, status: MessageStatus, findings: Sequence[Finding], retour: bytes | None,
        facts: Sequence[Fact] | None = None, *, counts: Mapping[str, int] | None = None, retour_job: bool = False,
    ) -> Commit:  # fmt: skip
        """The verdict's writes, to be made by calling the result."""
        return outcomes.prepare_validate(
            self._state, job, status, findings, retour, facts=facts, counts=counts, retour_job=retour_job
        )

    def finish_validate(
        self, job: Job, status: MessageStatus, findings: Sequence[Finding], retour: bytes | None,
        facts: Sequence[Fact] | None = None, *, counts: Mapping[str, int] | None = None, retour_job: bool = False,
    ) -> None:  # fmt: skip
        """Record the verdict now."""
        self.prepare_validate(job, status, findings, retour, facts, counts=counts, retour_job=retour_job)()

    def finish_map(self, job: Job, facts: Sequence[Fact]) -> None:
        """Keep the facts; → a relay job."""
        outcomes.finish_map(self._state, job, facts)

    def prepare_relay(self, job: Job, decision: RelayDecision) -> Commit:
        """One relay attempt's writes."""
        return outcomes.prepare_relay(self._state, job, decision)

    def finish_relay(self, job: Job, decision: RelayDecision) -> None:
        """One relay attempt's writes, now."""
        self.prepare_relay(job, decision)()

    def retour_to_send(self, message_id: str) -> RetourToSend | None:
        """The retour and its earlier attempts."""
        return outcomes.retour_to_send(self._state, message_id)

    def prepare_retour(self, job: Job, decision: RelayDecision) -> Commit:
        """One retour attempt's writes."""
        return outcomes.prepare_retour(self._state, job, decision)

    def record_remote_refusal(
        self, candidates: Sequence[str], *, channel: str, code: str, text: str, actor: str = "system"
    ) -> str | None:
        """A partner's refusal of a delivered message."""
        return outcomes.record_remote_refusal(
            self._state, candidates, channel=channel, code=code, text=text, actor=actor
        )

    def get_message(self, message_id: str) -> MessageView | None:
        """One message's view."""
        return reads.get_message(self._state, message_id)

    def list_messages(
        self, *, parties: Collection[str] | None = None, status: MessageStatus | str | None = None,
        since: datetime | None = None, cursor: str | None = None, limit: int = 50,
    ) -> tuple[list[MessageView], str | None]:  # fmt: skip
        """One keyset page, newest first, and the next cursor."""
        return reads.list_messages(self._state, parties=parties, status=status, since=since, cursor=cursor, limit=limit)

    def audit_events(self, message_id: str) -> list[AuditView]:
        """One message's audit timeline."""
        return reads.audit_events(self._state, message_id)

    def deliveries(self, message_id: str) -> list[DeliveryView]:
        """One message's delivery attempts."""
        return reads.deliveries(self._state, message_id)

    def dead_letters(self, limit: int = 1000) -> list[MessageView]:
        """The dead-letter queue, oldest first."""
        return reads.dead_letters(self._state, limit)

    def replay(self, message_id: str, *, actor: str) -> None:
        """Send a dead message through its stage again."""
        reads.replay(self._state, message_id, actor)

    def replay_all(self, *, actor: str) -> list[str]:
        """Replay every dead message."""
        return reads.replay_all(self._state, actor)

    def status_counts(self) -> dict[str, int]:
        """Messages per status."""
        return reads.status_counts(self._state)

    def job_counts(self) -> dict[str, int]:
        """Jobs per state."""
        return reads.job_counts(self._state)

    def throughput(self, bucket: str = "minute", *, periods: int = 60) -> list[tuple[str, int]]:
        """Messages received per bucket."""
        return reads.throughput(self._state, bucket, periods)

    def iter_facts(
        self, *, gemeente: str | None = None, aanbieder: str | None = None, kind: FactKind | None = None,
        since: date | None = None, until: date | None = None, batch: int = 5000,
    ) -> Iterator[Fact]:  # fmt: skip
        """Facts kept by the map stage, filtered."""
        return reads.iter_facts(
            self._state, gemeente=gemeente, aanbieder=aanbieder, kind=kind, since=since, until=until
        )

    def facts(self) -> list[Fact]:
        """Every fact."""
        return list(self.iter_facts())

    def facts_of(self, message_id: str) -> list[Fact]:
        """One message's facts."""
        return reads.facts_of(self._state, message_id)

    def purge_payloads(self, older_than: datetime, *, refused_before: datetime | None = None) -> int:
        """Null delivered (and refused) content."""
        return outcomes.purge_payloads(self._state, older_than, refused_before)

    def purge_metadata(self, older_than: datetime) -> tuple[int, int]:
        """Delete old finished messages, prune the chain behind an anchor."""
        return outcomes.purge_metadata(self._state, older_than)

    def purge(
        self, payload_before: datetime, metadata_before: datetime, *, refused_before: datetime | None = None
    ) -> PurgeResult:
        """One retention run."""
        return outcomes.purge(self._state, payload_before, metadata_before, refused_before)

    def ensure_retention_job(self, *, delay_s: float = 0.0) -> None:
        """One retention job queued."""
        with self._state.write() as tx:
            outcomes.ensure_retention_job(tx, delay_s)

    def finish_retention(self, job: Job) -> None:
        """Finish a retention job and schedule the next."""
        outcomes.finish_retention(self._state, job)

    def tamper(self, seq: int, **changes: object) -> None:
        """Tests only: change a stored audit event in place, as an attacker with the rows would."""
        import dataclasses

        with self._state.write() as tx:
            tx.rows.audit = [dataclasses.replace(e, **changes) if e.seq == seq else e for e in tx.rows.audit]  # type: ignore[arg-type]


__all__ = ["MemoryStore"]


if TYPE_CHECKING:  # mypy proves here that a MemoryStore is every store port (nothing runs this)

    def _ports_of(
        store: MemoryStore,
    ) -> tuple[PipelineStore, OperatorStore, RetourStore, RetentionStore, GgkStore, CorvStore]:
        return (store, store, store, store, store, store)
