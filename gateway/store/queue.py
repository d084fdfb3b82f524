"""The job queue: claims with leases, conversation order, failures, burial, and what a claimed job reads.

Every write is one transaction. A finish for a job that is already done (its lease expired,
another worker ran it and committed first) changes nothing (:func:`finish_job` returns None),
so a stage may run twice but counts once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from gateway.contracts import Job, StoredMessage
from gateway.model import MessageStatus, Stage
from gateway.store import statements as st
from gateway.store.database import Database
from gateway.store.schema import jobs
from gateway.store.text import short_text
from gateway.store.tx import Tx

_ORDERED = frozenset({Stage.VALIDATE, Stage.MAP})
"""Stages whose jobs read what earlier messages of their conversation left: committed in conversation order."""

HOLD_BACK_S = 0.05
"""How long a held-back job stays unclaimable: about one batch of the worker that holds the earlier job."""


def conversation(sender: str | None, receiver: str | None) -> tuple[str, str]:
    """The unordered pair of parties: a gemeente's JW301 and the aanbieder's JW305 answer share it."""
    a, b = sender or "", receiver or ""
    return (a, b) if a <= b else (b, a)


def finish_job(tx: Tx, job: Job) -> float | None:
    """Mark the job done and return when it was due; None when it already was done (change nothing then).

    The next stage's job inherits that time, so the queue runs oldest messages first, each through
    all its stages, instead of every message's validate before any message's map (a JW323 then
    meets the facts of the JW301 submitted before it).
    """
    row = tx.execute(st.FINISH_JOB, {"b_id": job.id}).first()
    return None if row is None else min(float(row.run_after), tx.wall)


def finish_job_then(tx: Tx, job: Job, then: Sequence[Stage]) -> float | None:
    """:func:`finish_job`, and a job of each stage in ``then`` (in order) for the job's message, due when it was.

    On PostgreSQL one statement (:data:`~gateway.store.statements.FINISH_JOB_THEN_PG`); None, and no
    job added, when the job was already done.
    """
    if not then or tx.conn.dialect.name != "postgresql":
        due = finish_job(tx, job)
        if due is not None:
            for stage in then:
                tx.enqueue(stage, job.message_id, due_at=due)
        return due
    params = {"b_id": job.id, "b_wall": tx.wall, "b_mid": job.message_id, "b_stages": [str(s) for s in then]}
    row = tx.execute(st.FINISH_JOB_THEN_PG, params).first()
    if row is None:
        return None
    tx.notify.update(str(stage) for stage in then)
    return float(row.due)


def _stored(row: Any) -> StoredMessage:
    return StoredMessage(
        row.id,
        MessageStatus(row.status),
        row.payload,
        row.receiver,
        row.received_at,
        int(row.relay_attempts),
        row.first_attempt_at,
        row.source,
    )


class Queue:
    """Claims, leases, releases, hold-backs, failures and burials of jobs; the messages the jobs are about."""

    def __init__(self, db: Database) -> None:
        """Over ``db``; an idle claimer looks for due jobs before taking SQLite's write lock."""
        self._db = db
        self._idle: dict[tuple[str, ...], bool] = {}
        """Per set of stages: did the last claim find nothing (then look before taking the write lock)."""

    def claim(self, stages: Sequence[Stage], worker_id: str, lease_s: float) -> Job | None:
        """Lease the next due job of one of ``stages`` (PostgreSQL: skipping rows other claimers hold)."""
        claimed = self.claim_many(stages, worker_id, lease_s, 1)
        return claimed[0] if claimed else None

    def claim_many(self, stages: Sequence[Stage], worker_id: str, lease_s: float, limit: int) -> list[Job]:
        """Lease up to ``limit`` due jobs of ``stages`` in one transaction, oldest due first."""
        if not stages or limit < 1:
            return []
        db = self._db
        names = [str(s) for s in stages]
        idle = self._idle.get(tuple(names), True)
        if not db.backend.skip_locked and idle:  # SQLite: an idle poller looks before taking the write lock
            with db.read() as conn:
                due = db.driver.execute(conn, st.DUE, {"b_stages": names, "b_now": db.clock.time()})
                if due.first() is None:
                    return []
        with db.write(light=True) as tx:  # a lease lost to a power cut is harmless: the job is due again
            params = {"b_stages": names, "b_now": tx.wall, "b_lease_until": tx.wall + lease_s,
                      "b_worker": worker_id[:64], "b_limit": limit}  # fmt: skip
            rows = tx.execute(db.claim_statement, params).all()
        self._idle[tuple(names)] = not rows  # while jobs keep coming, skip the look-first read
        rows.sort(key=lambda r: (float(r.run_after), int(r.id)))
        return [Job(int(r.id), Stage(r.stage), r.message_id, int(r.attempts)) for r in rows]

    def release(self, jobs_: Sequence[Job]) -> None:
        """Give back claimed jobs that were not run: due again at once; done jobs are left alone."""
        if not jobs_:
            return
        with self._db.write(light=True) as tx:
            tx.execute(st.RELEASE_JOBS, {"b_ids": [job.id for job in jobs_]})

    def hold_back(self, jobs_: Sequence[Job]) -> list[Job]:
        """Of these claimed jobs, those that must wait for an earlier job of their conversation held elsewhere.

        A conversation is the unordered sender/receiver pair; its validate and map jobs run in queue
        order, so a message's history rules see every earlier message of the conversation (a JW305
        the JW301 before it). A job with an earlier unfinished job of its conversation outside
        ``jobs_`` is deferred: not claimable for a moment, its place in the queue kept. Workers call
        this just before they commit a batch; an earlier job that commits later cannot appear then.
        """
        ordered = [job for job in jobs_ if job.stage in _ORDERED and job.message_id is not None]
        if not ordered:
            return []
        mine = {job.id for job in ordered}
        params = {"b_ids": sorted(mine), "b_stages": sorted(str(stage) for stage in _ORDERED)}
        with self._db.read_one() as conn:
            rows = self._db.driver.execute(conn, st.ORDERED_UP_TO, params).all()
        elsewhere: set[tuple[str, str]] = set()
        waiting: set[int] = set()
        for row in rows:  # in queue order
            pair = conversation(row.sender, row.receiver)
            if int(row.id) not in mine:
                elsewhere.add(pair)
            elif pair in elsewhere:
                waiting.add(int(row.id))
        if waiting:
            with self._db.write(light=True) as tx:
                tx.execute(st.DEFER_JOBS, {"b_ids": sorted(waiting), "b_until": tx.wall + HOLD_BACK_S})
        return [job for job in jobs_ if job.id in waiting]

    def fail(self, job: Job, error: str, delay_s: float) -> None:
        """Give the job back after an unexpected error: attempts + 1, due again after ``delay_s``."""
        with self._db.write() as tx:
            done = tx.conn.execute(
                jobs.update()
                .where(jobs.c.id == job.id, sa.not_(jobs.c.done))
                .values(
                    attempts=jobs.c.attempts + 1,
                    run_after=tx.wall + max(0.0, delay_s),
                    lease_until=0.0,
                    leased_by=None,
                    last_error=short_text(error),
                )
            )
            if done.rowcount:
                tx.audit(
                    "job.failed",
                    job.message_id,
                    data={"job": job.id, "stage": str(job.stage), "error": short_text(error, 200),
                          "attempts": job.attempts + 1, "retry_in_s": round(delay_s, 3)},
                )  # fmt: skip

    def bury(self, job: Job, error: str) -> None:
        """The job's stage failed too often: the job is done (its error kept), its message dead, replayable."""
        mid = job.message_id
        with self._db.write() as tx:
            done = tx.conn.execute(
                jobs.update()
                .where(jobs.c.id == job.id, sa.not_(jobs.c.done))
                .values(done=True, lease_until=0.0, leased_by=None, attempts=jobs.c.attempts + 1,
                        last_error=short_text(error))
            )  # fmt: skip
            if not done.rowcount or mid is None:
                return
            tx.conn.execute(st.UPDATE_MESSAGE, {"b_id": mid, "status": str(MessageStatus.DEAD), "updated_at": tx.now})
            error_text = short_text(error, 200)
            data = {"job": job.id, "stage": str(job.stage), "error": error_text, "attempts": job.attempts + 1}
            tx.audit("message.dead", mid, data=data)

    def skip(self, job: Job) -> None:
        """Finish a job whose message already moved on (a retention job: ``finish_retention``)."""
        with self._db.write() as tx:
            finish_job(tx, job)

    def message(self, message_id: str) -> StoredMessage | None:
        """What the stages read of a message."""
        with self._db.read_one() as conn:
            row = self._db.driver.execute(conn, st.READ_MESSAGE, {"b_id": message_id}).first()
        return None if row is None else _stored(row)

    def messages(self, message_ids: Sequence[str]) -> dict[str, StoredMessage]:
        """What the stages read of these messages, in one statement (a worker reads its batch's at once)."""
        if not message_ids:
            return {}
        with self._db.read_one() as conn:
            rows = self._db.driver.execute(conn, st.READ_MESSAGES, {"b_ids": sorted(set(message_ids))}).all()
        return {row.id: _stored(row) for row in rows}

    def payload_sizes(self, message_ids: Sequence[str]) -> dict[str, int]:
        """The payload size of each of these messages, by id (the ones that exist), without reading a payload."""
        if not message_ids:
            return {}
        with self._db.read_one() as conn:
            rows = self._db.driver.execute(conn, st.PAYLOAD_SIZES, {"b_ids": sorted(set(message_ids))}).all()
        return {row.id: int(row.payload_size) for row in rows}


__all__ = ["HOLD_BACK_S", "Queue", "conversation", "finish_job"]
