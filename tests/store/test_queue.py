"""Claims with leases: a job is held by one claimer until its lease runs out, then it can be claimed again."""

from __future__ import annotations

import threading

import sqlalchemy as sa

from gateway.model import Stage
from gateway.store import Store
from gateway.store.schema import jobs
from tests.store.helpers import record
from tests.support.clock import FakeClock


def test_two_claimers_never_get_the_same_job(store: Store) -> None:
    store.intake(record("A"))
    first = store.claim([Stage.VALIDATE], "w1", 30)
    second = store.claim([Stage.VALIDATE], "w2", 30)
    assert first is not None and second is None


def test_claim_only_the_asked_stages(store: Store) -> None:
    store.intake(record("A"))
    assert store.claim([Stage.MAP, Stage.RELAY], "w", 30) is None
    assert store.claim([], "w", 30) is None
    job = store.claim([Stage.VALIDATE], "w", 30)
    assert job is not None and job.stage is Stage.VALIDATE


def test_expired_lease_is_claimable_again(db_url: str) -> None:
    clock = FakeClock(1_800_000_000.0)
    store = Store.open(db_url, migrate=True, clock=clock)
    store.intake(record("A"))
    first = store.claim([Stage.VALIDATE], "w1", 0.2)
    assert first is not None and store.claim([Stage.VALIDATE], "w2", 0.2) is None
    clock.advance(0.3)
    again = store.claim([Stage.VALIDATE], "w2", 30)
    assert again is not None and again.id == first.id
    with store.db.read() as conn:
        assert conn.execute(sa.select(jobs.c.leased_by).where(jobs.c.id == first.id)).scalar_one() == "w2"
    store.close()


def test_fail_keeps_the_error_and_gives_the_job_back_after_the_delay(db_url: str) -> None:
    clock = FakeClock(1_800_000_000.0)
    store = Store.open(db_url, migrate=True, clock=clock)
    store.intake(record("A"))
    job = store.claim([Stage.VALIDATE], "w", 30)
    assert job is not None
    store.fail(job, "RuntimeError", 0.2)
    assert store.claim([Stage.VALIDATE], "w", 30) is None  # not due yet
    clock.advance(0.3)
    again = store.claim([Stage.VALIDATE], "w", 30)
    assert again is not None and again.id == job.id and again.attempts == 1
    with store.db.read() as conn:
        assert conn.execute(sa.select(jobs.c.last_error).where(jobs.c.id == job.id)).scalar_one() == "RuntimeError"
    store.close()


def test_jobs_are_claimed_oldest_first(store: Store) -> None:
    ids = [store.intake(record(f"ID-{i}")).message_id for i in range(5)]
    claimed = [store.claim([Stage.VALIDATE], "w", 30) for _ in range(5)]
    assert [j.message_id for j in claimed if j is not None] == ids


def test_parallel_claimers_take_each_job_exactly_once(store: Store) -> None:
    n = 60
    for i in range(n):
        store.intake(record(f"ID-{i}"))
    seen: list[int] = []
    lock = threading.Lock()

    def claimer(name: str) -> None:
        while True:
            job = store.claim([Stage.VALIDATE], name, 60)
            if job is None:
                return
            store.skip(job)
            with lock:
                seen.append(job.id)

    threads = [threading.Thread(target=claimer, args=(f"w{i}",)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(seen) == n and len(set(seen)) == n


def test_sqlite_claim_walks_the_partial_index_without_sorting(tmp_path: object) -> None:
    from gateway.store import statements as st

    store = Store.open(f"sqlite:///{tmp_path}/plan.db", migrate=True)
    try:
        sql = str(st.DUE.compile(dialect=store.db.engine.dialect)).replace("__[POSTCOMPILE_b_stages]", "?, ?")
        with store.db.engine.connect() as conn:
            raw = conn.connection.driver_connection
            assert raw is not None
            plan = " | ".join(str(r[3]) for r in raw.execute("EXPLAIN QUERY PLAN " + sql, ("map", "relay", 1, 1, 1, 0)))
    finally:
        store.close()
    assert "USING INDEX ix_jobs_next" in plan and "TEMP B-TREE" not in plan, plan


def test_the_oldest_message_goes_through_all_its_stages_first(store: Store) -> None:
    from gateway.model import MessageStatus

    first = store.intake(record("FIRST")).message_id
    store.intake(record("SECOND"))
    stages = [Stage.VALIDATE, Stage.MAP, Stage.RELAY]
    job = store.claim(stages, "w", 30)
    assert job is not None and (job.stage, job.message_id) == (Stage.VALIDATE, first)
    store.finish_validate(job, MessageStatus.ACCEPTED, [], None)
    job = store.claim(stages, "w", 30)  # a JW301's facts are kept before a later JW323 is validated
    assert job is not None and (job.stage, job.message_id) == (Stage.MAP, first)
    store.finish_map(job, [])
    job = store.claim(stages, "w", 30)
    assert job is not None and (job.stage, job.message_id) == (Stage.RELAY, first)
