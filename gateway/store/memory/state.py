"""The in-memory store's rows, its one lock, its transactions and group commits, and its audit chain.

A write runs under the lock on the live rows after a snapshot of them: an exception restores the
snapshot (a rollback). :meth:`State.batch` holds the lock from its first write to its flush, so
the batch's writes are visible to its own thread only (as a SQLite transaction under the writer
lock is), an exception rolls the whole batch back and :meth:`GroupCommit.flush` commits.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from gateway import audit
from gateway.audit import AuditEvent, ChainedEvent, VerifyResult
from gateway.bsn import scrub
from gateway.facts import Fact
from gateway.model import Finding, MessageStatus, Stage
from gateway.ports import Clock

GENESIS = "0" * 64
"""The hash before the first event, as the first migration seeds ``audit_head``."""


@dataclass(slots=True)
class MessageRow:
    """One message, as the ``messages`` table holds it."""

    id: str
    sender: str | None
    receiver: str | None
    standard: str | None
    message_type: str | None
    version: str | None
    external_id: str | None
    idempotency_key: str | None
    source: str
    status: MessageStatus
    payload: bytes | None
    payload_sha256: str
    payload_size: int
    received_at: datetime
    updated_at: datetime
    findings: tuple[Finding, ...] = ()
    finding_counts: dict[str, int] | None = None
    retour: bytes | None = None
    resend_of: str | None = None
    declaratienummer: str | None = None
    relay_attempts: int = 0
    first_attempt_at: float | None = None
    delivered_at: datetime | None = None
    purged_at: datetime | None = None


@dataclass(slots=True)
class JobRow:
    """One job, as the ``jobs`` table holds it."""

    id: int
    stage: Stage
    message_id: str | None
    run_after: float
    lease_until: float = 0.0
    leased_by: str | None = None
    attempts: int = 0
    done: bool = False
    last_error: str | None = None


@dataclass(slots=True)
class DeliveryRow:
    """One delivery attempt."""

    message_id: str
    attempt: int
    status_code: int | None
    latency_ms: float | None
    verdict: str
    error: str | None
    at: datetime


@dataclass(slots=True)
class Rows:
    """Everything the store holds; copied whole for a rollback."""

    messages: dict[str, MessageRow] = field(default_factory=dict)
    jobs: dict[int, JobRow] = field(default_factory=dict)
    next_job: int = 1
    deliveries: list[DeliveryRow] = field(default_factory=list)
    facts: list[tuple[str, Fact]] = field(default_factory=list)
    audit: list[ChainedEvent] = field(default_factory=list)
    base_seq: int = 0
    base_hash: str = GENESIS
    head_seq: int = 0
    head_hash: str = GENESIS


class Tx:
    """One write: the rows, its time, and the audit events it records (chained when it commits)."""

    def __init__(self, rows: Rows, wall: float) -> None:
        """At ``wall`` epoch seconds."""
        self.rows = rows
        self.wall = wall
        self.now = datetime.fromtimestamp(wall, UTC)
        self.events: list[AuditEvent] = []

    def audit(
        self, event: str, message_id: str | None, *, actor: str = audit.SYSTEM, data: Mapping[str, Any] | None = None
    ) -> None:
        """Record a state change."""
        self.events.append(audit.AuditEvent(event, message_id, actor, dict(data or {})))

    def enqueue(
        self, stage: Stage, message_id: str | None, *, delay_s: float = 0.0, due_at: float | None = None
    ) -> None:
        """Add a job due after ``delay_s`` (or at ``due_at``)."""
        rows = self.rows
        run_after = due_at if due_at is not None else self.wall + max(0.0, delay_s)
        rows.jobs[rows.next_job] = JobRow(rows.next_job, stage, message_id, run_after)
        rows.next_job += 1

    def finish_job(self, job_id: int) -> float | None:
        """Mark the job done and return when it was due; None when it already was done."""
        row = self.rows.jobs.get(job_id)
        if row is None or row.done:
            return None
        row.done, row.lease_until = True, 0.0
        return min(row.run_after, self.wall)


def chain(rows: Rows, events: list[AuditEvent], at: datetime) -> None:
    """Append ``events`` to the chain with :mod:`gateway.audit`'s canonical form and hash."""
    seq, prev = rows.head_seq, rows.head_hash
    for item in events:
        seq += 1
        if item.encoded is None:
            data, actor = audit.scrubbed_data(dict(item.data)), scrub(item.actor)
        else:
            data, actor = dict(item.data), item.actor
        body = audit.canonical(seq, at, message_id=item.message_id, event=item.event, actor=actor, data=data)
        digest = audit.chain_hash(prev, body)
        rows.audit.append(ChainedEvent(seq, at, item.message_id, item.event, actor, data, prev, digest))
        prev = digest
    rows.head_seq, rows.head_hash = seq, prev


def verify(rows: Rows) -> VerifyResult:
    """Walk the chain from its anchor as :func:`gateway.store.audit_chain.verify_chain` does."""
    expected, prev, count = rows.base_seq + 1, rows.base_hash, 0
    for e in rows.audit:
        if e.seq != expected:
            return VerifyResult(expected, count)
        body = audit.canonical(e.seq, e.at, message_id=e.message_id, event=e.event, actor=e.actor, data=e.data)
        if e.prev_hash != prev or audit.chain_hash(prev, body) != e.hash:
            return VerifyResult(e.seq, count)
        prev, expected, count = e.hash, expected + 1, count + 1
    if rows.head_seq != expected - 1 or rows.head_hash != prev:
        return VerifyResult(min(rows.head_seq, expected - 1) + 1, count)
    return VerifyResult(None, count)


class GroupCommit:
    """One thread's batch: the lock and a snapshot from its first write, committed by :meth:`flush`."""

    def __init__(self, state: State) -> None:
        """Nothing is taken until the first write."""
        self._state = state
        self.snapshot: Rows | None = None
        self.events: list[AuditEvent] = []

    def open(self) -> None:
        """Take the lock and snapshot the rows, unless this batch holds them already."""
        if self.snapshot is None:
            self._state.lock.acquire()
            self.snapshot = copy.deepcopy(self._state.rows)

    def flush(self) -> None:
        """Commit what the batch wrote so far: chain its events, give back the lock."""
        if self.snapshot is None:
            return
        try:
            chain(self._state.rows, self.events, datetime.fromtimestamp(self._state.clock.time(), UTC))
        finally:
            self.events, self.snapshot = [], None
            self._state.lock.release()

    def discard(self) -> None:
        """Roll back what is not committed and give back the lock."""
        if self.snapshot is None:
            return
        self._state.rows = self.snapshot
        self.events, self.snapshot = [], None
        self._state.lock.release()


class State:
    """The rows under one lock, on one clock."""

    def __init__(self, clock: Clock) -> None:
        """Empty, on ``clock``."""
        self.clock = clock
        self.rows = Rows()
        self.lock = threading.RLock()
        self._local = threading.local()

    def _batch(self) -> GroupCommit | None:
        scope: GroupCommit | None = self._local.__dict__.get("batch")
        return scope

    @contextmanager
    def write(self) -> Iterator[Tx]:
        """One write; inside this thread's batch it joins it (an error rolls back this write alone)."""
        scope = self._batch()
        if scope is not None:
            scope.open()
        with self.lock:
            before = copy.deepcopy(self.rows)
            tx = Tx(self.rows, self.clock.time())
            try:
                yield tx
            except BaseException:
                self.rows = before
                raise
            if scope is not None:
                scope.events.extend(tx.events)
            else:
                chain(self.rows, tx.events, tx.now)

    @contextmanager
    def read(self) -> Iterator[Rows]:
        """The rows as committed (this thread's batch included)."""
        with self.lock:
            yield self.rows

    @contextmanager
    def batch(self) -> Iterator[GroupCommit]:
        """This thread's writes share one commit until the block ends (or :meth:`GroupCommit.flush`)."""
        joined = self._batch()
        if joined is not None:
            yield joined
            return
        scope = GroupCommit(self)
        self._local.batch = scope
        try:
            yield scope
            scope.flush()
        finally:
            scope.discard()
            self._local.batch = None


__all__ = ["DeliveryRow", "GroupCommit", "JobRow", "MessageRow", "Rows", "State", "Tx", "chain", "verify"]
