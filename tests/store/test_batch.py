"""Group commit: writes in ``Store.batch()`` share one transaction; batch claims; batch intake; release."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from gateway.model import MessageStatus, Stage
from gateway.store import Store
from gateway.store.queue import HOLD_BACK_S
from gateway.store.schema import jobs, messages
from tests.store.helpers import record
from tests.support.clock import FakeClock


def _stored_elsewhere(store: Store) -> int:
    """Messages another connection sees: only what is committed."""
    other = sa.create_engine(store.db.engine.url)
    try:
        with other.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(messages)).scalar_one())
    finally:
        other.dispose()


def test_writes_in_a_batch_commit_together_and_reads_see_them(store: Store) -> None:
    with store.batch() as batch:
        first = store.intake(record("A")).message_id
        second = store.intake(record("B")).message_id
        assert batch.root is not None  # the transaction is open
        assert _stored_elsewhere(store) == 0  # nothing committed yet
        assert store.message(first) is not None  # but this thread reads its own writes
        assert store.history().seen_identificatie("0034", "B", None)
    assert _stored_elsewhere(store) == 2
    assert {store.message(first).status, store.message(second).status} == {MessageStatus.RECEIVED}  # type: ignore[union-attr]
    assert store.verify_audit().ok


def test_an_error_leaving_the_batch_rolls_all_of_it_back(store: Store) -> None:
    with pytest.raises(RuntimeError), store.batch():
        store.intake(record("A"))
        raise RuntimeError("crash before the commit")
    assert _stored_elsewhere(store) == 0
    store.intake(record("B"))  # the writer lock and the connection were given back
    assert _stored_elsewhere(store) == 1 and store.verify_audit().ok


def test_a_failing_write_in_a_batch_rolls_back_alone(store: Store) -> None:
    with store.batch():
        kept = store.intake(record("A")).message_id
        with pytest.raises(ValueError), store.db.write() as tx:
            tx.conn.execute(messages.update().where(messages.c.id == kept).values(status="dead"))
            raise ValueError("stage bug")
        store.intake(record("B"))
    assert _stored_elsewhere(store) == 2
    assert store.message(kept).status is MessageStatus.RECEIVED  # type: ignore[union-attr]


def test_flush_commits_midway_and_alone_writes_flush_first(store: Store) -> None:
    with store.batch() as batch:
        store.intake(record("A"))
        batch.flush()
        assert batch.root is None and _stored_elsewhere(store) == 1
        store.intake(record("B"))
        with store.db.write(alone=True):
            assert _stored_elsewhere(store) == 2  # the batch was committed before the lone write began
    assert _stored_elsewhere(store) == 2


def test_intake_many_commits_once_and_finds_duplicates_within_the_batch(store: Store) -> None:
    results = store.intake_many([record("A"), record("B"), record("A"), record("A", sender="0363")])
    assert [r.created for r in results] == [True, True, False, True]
    assert results[2].message_id == results[0].message_id and results[2].status is MessageStatus.DUPLICATE
    assert _stored_elsewhere(store) == 3 and store.verify_audit().ok


def test_claim_many_takes_the_oldest_due_jobs_and_release_gives_them_back(store: Store) -> None:
    ids = [r.message_id for r in store.intake_many([record(f"ID-{i}") for i in range(5)])]
    first = store.claim_many([Stage.VALIDATE], "w1", 30, 3)
    assert [job.message_id for job in first] == ids[:3]
    rest = store.claim_many([Stage.VALIDATE], "w2", 30, 10)
    assert [job.message_id for job in rest] == ids[3:]
    assert store.claim_many([Stage.VALIDATE], "w3", 30, 10) == []
    store.skip(first[0])
    store.release(first)  # the done one stays done, the other two are due again at once
    again = store.claim_many([Stage.VALIDATE], "w3", 30, 10)
    assert [job.message_id for job in again] == ids[1:3]
    with store.db.read() as conn:
        done = conn.execute(sa.select(jobs.c.done).where(jobs.c.id == first[0].id)).scalar_one()
    assert done


def test_finish_validate_with_facts_maps_in_the_same_step(store: Store) -> None:
    mid = store.intake(record("A")).message_id
    job = store.claim([Stage.VALIDATE], "w", 30)
    assert job is not None
    store.finish_validate(job, MessageStatus.ACCEPTED, [], None, facts=[])
    assert store.claim([Stage.MAP], "w", 30) is None
    relay = store.claim([Stage.RELAY], "w", 30)
    assert relay is not None and relay.message_id == mid
    events = [e.event for e in store.audit_events(mid)]
    assert events[-2:] == ["message.accepted", "message.mapped"]


def test_hold_back_defers_the_later_jobs_of_a_conversation_another_worker_holds(db_url: str) -> None:
    """Six conversations, three messages each, interleaved; one worker holds the first four jobs.

    Another worker's batch may not commit a later message of those conversations (its history rules
    would miss the earlier ones): hold_back names exactly those, and they keep their place in the queue.
    """
    clock = FakeClock(1_800_000_000.0)
    store = Store.open(db_url, migrate=True, clock=clock)
    parties = [("0034", f"AGB{i}") for i in range(6)]
    records = []
    for n in range(3):
        for i, (gemeente, aanbieder) in enumerate(parties):
            sender, receiver = (gemeente, aanbieder) if n % 2 == 0 else (aanbieder, gemeente)
            records.append(record(f"ID-{n}-{i}", sender=sender, receiver=receiver))
    ids = [r.message_id for r in store.intake_many(records)]
    pair = {mid: frozenset((rec.sender, rec.receiver)) for mid, rec in zip(ids, records, strict=True)}
    first = store.claim_many([Stage.VALIDATE], "w1", 30, 4)
    second = store.claim_many([Stage.VALIDATE], "w2", 30, 20)
    assert [job.message_id for job in first] == ids[:4]
    held = {pair[job.message_id or ""] for job in first}
    waiting = store.hold_back(second)
    assert [job.message_id for job in waiting] == [m for m in ids[4:] if pair[m] in held]
    assert store.hold_back(first) == []  # the earliest jobs wait for nobody
    assert store.claim_many([Stage.VALIDATE], "w3", 30, 20) == []  # deferred: not claimable at once
    with store.db.engine.connect() as conn:
        after = dict(conn.execute(sa.select(jobs.c.id, jobs.c.run_after)).all())
    for job in first:
        store.finish_validate(job, MessageStatus.REJECTED, [], None)
    clock.advance(HOLD_BACK_S * 2)
    again = store.claim_many([Stage.VALIDATE], "w3", 30, 20)
    assert [job.message_id for job in again] == [job.message_id for job in waiting]  # in their old order
    assert store.hold_back(again) == []  # the earlier messages are committed now
    with store.db.engine.connect() as conn:
        run_after = dict(conn.execute(sa.select(jobs.c.id, jobs.c.run_after)).all())
    assert all(run_after[job.id] == after[job.id] for job in waiting)  # their place in the queue was kept
    store.close()


def test_a_buried_job_sends_its_message_to_the_dlq_and_replay_runs_that_stage_again(store: Store) -> None:
    mid = store.intake(record("A")).message_id
    job = store.claim([Stage.VALIDATE], "w", 30)
    assert job is not None
    store.bury(job, "KeyError: 999999990")  # a BSN-shaped number in an error text is scrubbed
    assert store.message(mid).status is MessageStatus.DEAD  # type: ignore[union-attr]
    assert [m.id for m in store.dead_letters()] == [mid]
    assert store.claim([Stage.VALIDATE, Stage.MAP, Stage.RELAY], "w", 30) is None
    with store.db.read() as conn:
        error = conn.execute(sa.select(jobs.c.last_error).where(jobs.c.id == job.id)).scalar_one()
    assert "999999990" not in error
    store.replay(mid, actor="operator")
    assert store.message(mid).status is MessageStatus.RECEIVED  # type: ignore[union-attr]
    again = store.claim([Stage.VALIDATE, Stage.MAP, Stage.RELAY], "w", 30)
    assert again is not None and (again.stage, again.message_id) == (Stage.VALIDATE, mid)
    events = [e.event for e in store.audit_events(mid)]
    assert events[-2:] == ["message.dead", "message.replayed"] and store.verify_audit().ok


def test_messages_reads_a_batch_of_messages_at_once_as_message_does_one(store: Store) -> None:
    ids = [r.message_id for r in store.intake_many([record(f"M{i}") for i in range(3)])]
    found = store.messages([*ids, "01NOSUCHMESSAGE0000000000", ids[0]])
    assert set(found) == set(ids)
    assert all(found[mid] == store.message(mid) for mid in ids)
    assert store.messages([]) == {}


def test_payload_sizes_without_reading_the_payloads(store: Store) -> None:
    results = store.intake_many([record("S1"), record("S2")])
    sizes = store.payload_sizes([r.message_id for r in results] + ["01NOSUCHMESSAGE0000000000"])
    assert sizes == {r.message_id: len(record(f"S{i}").payload) for i, r in enumerate(results, 1)}
    assert store.payload_sizes([]) == {}


def test_batch_reads_take_on_only_as_many_payload_bytes_as_the_budget_allows(store: Store) -> None:
    from gateway.contracts import Job
    from workers.pipeline import BatchReads

    ids = [r.message_id for r in store.intake_many([record(f"B{i}") for i in range(5)])]
    size = len(record("B0").payload)
    jobs = [Job(i, Stage.VALIDATE, mid) for i, mid in enumerate(ids)] + [Job(99, Stage.RETENTION, None)]
    assert BatchReads(store, max_bytes=10 * size).load(jobs) == jobs  # all fit, and a job without a message
    reads = BatchReads(store, max_bytes=2 * size + size // 2)
    assert reads.load(jobs) == jobs[:2]  # a prefix: queue order is kept
    assert reads.message(ids[0]) is not None
    assert reads.peek(ids[1]) is not None and reads.peek(ids[2]) is None  # the third payload was never read
    assert BatchReads(store, max_bytes=1).load(jobs) == jobs[:1]  # one too large for the budget still runs, alone


def test_batch_reads_hand_out_a_loaded_message_once_then_read_fresh(store: Store) -> None:
    from gateway.contracts import Job
    from workers.pipeline import BatchReads

    mid = store.intake(record("R1")).message_id
    reads = BatchReads(store)
    reads.load([Job(1, Stage.VALIDATE, mid)])
    job = store.claim([Stage.VALIDATE], "w", 30)
    assert job is not None
    store.finish_validate(job, MessageStatus.REJECTED, [], None)
    loaded = reads.message(mid)
    assert loaded is not None and loaded.status is MessageStatus.RECEIVED  # as loaded with the batch
    fresh = reads.message(mid)
    assert fresh is not None and fresh.status is MessageStatus.REJECTED  # taken once: now read from the store
