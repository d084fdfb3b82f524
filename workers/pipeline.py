"""Stage handlers wired to a store: what each stage reads, decides, and asks the store to commit.

Every handler reads through :class:`PipelineStore`, does the stage's work with no transaction
open, and returns the commit: one call that records the outcome together with the next job and
its audit event. The worker loop makes a batch's commits in one transaction, under the store's
write lock, so the handlers prepare their writes before it (``prepare_validate``, ``prepare_relay``:
the rows, the audit events scrubbed and encoded). The validate handler keeps for its commit only
what needs the history: the rules that read it, and, when they object, the retour and the writes
for that verdict. Handlers are idempotent:
a job for a message that already moved on (a worker was killed after committing but before its
lease was released) is finished without effect.

With ``map_on_accept`` (a worker that runs both stages) an accepted message is mapped in the
same step as it is validated: its facts commit with its verdict, so the next message in the
batch, a JW323 after its JW301 say, already finds them (and a parse, a read and a commit are
saved).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING

from gateway.bounds import Bounds
from gateway.contracts import RETOUR_BACK_SOURCES, StoredMessage, Verdict
from gateway.metrics import count_findings, count_relay
from gateway.model import MessageStatus, Stage
from gateway.ports import PipelineStore
from gateway.pseudonym import Pseudonymiser
from gateway.relay import Deliverer, DeliveryResult, Outcome
from workers.loop import Commit, Handler, Job
from workers.stages.map import facts_of
from workers.stages.relay import decide, relay_once
from workers.stages.validate import conclude, prepare, unless_history_objects

if TYPE_CHECKING:
    from gateway.store.attempts import Answered, AttemptLog


class BatchReads:
    """The messages of the batch a worker thread claimed, read in one statement instead of one per job.

    The worker loop calls :meth:`load` with each batch it claims; a handler takes its message with
    :meth:`message`, which reads on its own when the message was not loaded (or was taken already).
    Loaded messages are shared by the threads of the process: a relay job's message is taken by the
    lane thread that posts it (:mod:`workers.lanes`), not by the thread that claimed the job.

    A batch holds every parsed document until it commits, so :meth:`load` keeps only the first jobs
    whose payloads fit in ``max_bytes`` (at least one): a batch of 25 MB declaraties would otherwise
    hold gigabytes. The loop gives the rest back at once. What a thread loaded and no handler took
    (a job given back) is dropped two loads later, so it cannot pile up.

    With ``attempts`` the relay jobs' answers in the attempt log are looked up with the batch too,
    in one statement (:meth:`answered`): one lookup per job was a round trip each on PostgreSQL.
    """

    def __init__(
        self, store: PipelineStore, *, max_bytes: int = 16 * 1024 * 1024, attempts: AttemptLog | None = None
    ) -> None:
        """Nothing is loaded yet."""
        self._store = store
        self._max_bytes = max_bytes
        self.attempts = attempts
        self._answered: dict[str, Answered | None] = {}  # a relay job's message: its answer when loaded
        self._loaded: dict[str, StoredMessage] = {}
        self._lock = threading.Lock()
        self._local = threading.local()  # .previous: the ids this thread loaded last time

    def load(self, jobs: Sequence[Job]) -> list[Job]:
        """Read the messages of the first of ``jobs`` that fit in the byte budget for this thread; return those jobs."""
        sizes = self._store.payload_sizes([job.message_id for job in jobs if job.message_id])
        now: list[Job] = []
        total = 0
        for job in jobs:
            size = sizes.get(job.message_id, 0) if job.message_id else 0
            if now and total + size > self._max_bytes:
                break
            now.append(job)
            total += size
        ids = [job.message_id for job in now if job.message_id]
        fresh = self._store.messages(ids)
        relayed = [job.message_id for job in now if job.stage is Stage.RELAY and job.message_id]
        answers = self.attempts.answered_many(relayed) if self.attempts is not None and relayed else {}
        older: list[str] = self._local.__dict__.get("previous", [])
        with self._lock:
            for message_id in older:
                self._loaded.pop(message_id, None)
                self._answered.pop(message_id, None)
            self._loaded.update(fresh)
            if self.attempts is not None:
                self._answered.update({message_id: answers.get(message_id) for message_id in relayed})
        self._local.previous = self._local.__dict__.get("latest", [])
        self._local.latest = ids
        return now

    def peek(self, message_id: str) -> StoredMessage | None:
        """The loaded message, left in place (None when not loaded)."""
        with self._lock:
            return self._loaded.get(message_id)

    def answered(self, message_id: str) -> Answered | None:
        """The attempt log's 2xx answer for a relay job's message: as found when its batch loaded (once), else now."""
        with self._lock:
            if message_id in self._answered:
                return self._answered.pop(message_id)
        return self.attempts.answered(message_id) if self.attempts is not None else None

    def message(self, message_id: str) -> StoredMessage | None:
        """The loaded message (once), else a fresh read."""
        with self._lock:
            found = self._loaded.pop(message_id, None)
        return found if found is not None else self._store.message(message_id)


def handlers(
    store: PipelineStore,
    deliverer: Deliverer,
    pseudonymiser: Pseudonymiser,
    *,
    max_bytes: int,
    map_on_accept: bool = True,
    reads: BatchReads | None = None,
    bounds: Bounds | None = None,
    attempts: AttemptLog | None = None,
) -> dict[Stage, Handler]:
    """The validate, map and relay handlers over ``store`` (reading messages through ``reads`` when given).

    ``bounds``: the limits of one message (default: the defaults with ``max_bytes``).
    ``attempts``: the relay logs each 2xx there before it returns, and a retry that finds its message
    there records the delivery without posting again (see :mod:`gateway.store.attempts`).
    """
    limits = bounds if bounds is not None else Bounds(max_bytes=max_bytes)
    read = reads.message if reads is not None else store.message
    answered_of = None if attempts is None else attempts.answered
    if reads is not None and attempts is not None and reads.attempts is attempts:
        answered_of = reads.answered  # looked up with the batch

    def validate(job: Job) -> Commit:
        msg = read(job.message_id or "")
        if msg is None or msg.status is not MessageStatus.RECEIVED or msg.payload is None:
            return partial(store.skip, job)
        prepared = prepare(msg.payload, message_id=msg.id, bounds=limits)
        facts = None
        if map_on_accept and prepared.inspection.result.valid:  # no finding yet: map now, outside the lock
            facts = facts_of(
                msg.payload, pseudonymiser=pseudonymiser, received_at=msg.received_at, inspection=prepared.inspection
            )

        expected = unless_history_objects(prepared)  # the usual verdict: its rows and events are made now
        kept = facts if expected.status is MessageStatus.ACCEPTED else None
        back = msg.source in RETOUR_BACK_SOURCES
        ahead = store.prepare_validate(
            job, expected.status, expected.findings, expected.retour, kept, counts=expected.counts, retour_job=back
        )

        def commit() -> None:
            out = conclude(prepared, history=store.history())
            if out.findings == expected.findings and out.counts == expected.counts:
                ahead()
                count_findings(out.findings, out.counts)
                return
            accepted = out.status is MessageStatus.ACCEPTED
            kept_facts = facts if accepted else None
            store.prepare_validate(
                job, out.status, out.findings, out.retour, kept_facts, counts=out.counts, retour_job=back
            )()
            count_findings(out.findings, out.counts)

        return commit

    def map_(job: Job) -> Commit:
        msg = read(job.message_id or "")
        if msg is None or msg.status is not MessageStatus.ACCEPTED or msg.payload is None:
            return partial(store.skip, job)
        return partial(
            store.finish_map, job, facts_of(msg.payload, pseudonymiser=pseudonymiser, received_at=msg.received_at)
        )

    def relay(job: Job) -> Commit:
        msg = read(job.message_id or "")
        if msg is None or msg.status not in (MessageStatus.ACCEPTED, MessageStatus.RELAYING) or msg.payload is None:
            return partial(store.skip, job)
        now = time.time()
        first = msg.first_attempt_at if msg.first_attempt_at is not None else now
        answered = answered_of(msg.id) if answered_of is not None else None
        if answered is not None:  # posted and accepted before a crash: record it, do not post again
            result = DeliveryResult(Outcome.DELIVERED, answered.status_code, answered.latency_ms)
            before = max(answered.attempt - 1, 0)
            decision = decide(result, attempts_before=before, first_attempt_at=first, now=now, policy=deliverer.policy)
            return store.prepare_relay(job, decision)
        decision = relay_once(
            deliverer,
            message_id=msg.id,
            receiver=msg.receiver or "",
            payload=msg.payload,
            attempts_before=msg.relay_attempts,
            first_attempt_at=first,
            now=now,
        )
        count_relay(decision)
        if attempts is not None and decision.verdict is Verdict.DELIVERED:
            code = decision.result.status_code or 200
            attempts.record(msg.id, decision.attempts, code, decision.result.latency_ms)
        return store.prepare_relay(job, decision)

    return {Stage.VALIDATE: validate, Stage.MAP: map_, Stage.RELAY: relay}


def utcnow() -> datetime:
    """Now, timezone-aware."""
    return datetime.now(UTC)


__all__ = ["BatchReads", "PipelineStore", "StoredMessage", "handlers", "utcnow"]
