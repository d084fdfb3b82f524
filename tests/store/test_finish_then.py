"""Finishing a job and queueing the next stages' jobs: one statement on PostgreSQL, the same rows on both backends."""

from __future__ import annotations

import sqlalchemy as sa

from gateway.contracts import Job
from gateway.model import Stage
from gateway.store import Store
from gateway.store.queue import finish_job_then
from gateway.store.schema import jobs
from tests.store.helpers import record


def _jobs_of(store: Store, message_id: str) -> list[tuple[str, float, bool]]:
    query = sa.select(jobs.c.stage, jobs.c.run_after, jobs.c.done).where(jobs.c.message_id == message_id)
    with store.db.engine.connect() as conn:
        return [(r.stage, float(r.run_after), bool(r.done)) for r in conn.execute(query.order_by(jobs.c.id))]


def test_the_next_jobs_come_in_order_due_when_the_finished_one_was(store: Store) -> None:
    """RETOUR then RELAY, each due at the finished job's time (never later than now), the job itself done."""
    mid = store.intake(record("F1")).message_id
    job = store.claim([Stage.VALIDATE], "w", 30)
    assert job is not None and job.message_id == mid
    (due_before,) = [run_after for stage, run_after, _ in _jobs_of(store, mid) if stage == "validate"]
    with store.db.write() as tx:
        due = finish_job_then(tx, job, [Stage.RETOUR, Stage.RELAY])
        assert tx.notify >= {"retour", "relay"}
    assert due == due_before  # due at intake, long before this finish
    assert _jobs_of(store, mid) == [("validate", due_before, True), ("retour", due, False), ("relay", due, False)]


def test_a_job_done_already_adds_nothing(store: Store) -> None:
    """A second finish of the same job (its lease ran out, another worker finished it) returns None and queues none."""
    mid = store.intake(record("F2")).message_id
    job = store.claim([Stage.VALIDATE], "w", 30)
    assert job is not None
    with store.db.write() as tx:
        assert finish_job_then(tx, job, [Stage.MAP]) is not None
    with store.db.write() as tx:
        assert finish_job_then(tx, Job(job.id, job.stage, mid, job.attempts), [Stage.MAP]) is None
    assert [stage for stage, _, _ in _jobs_of(store, mid)] == ["validate", "map"]
