"""Queue semantics on every backend: claim order, limit, stages, release, leases, fail, bury, replay."""

from __future__ import annotations

import pytest

from gateway.model import MessageStatus, Stage
from gateway.store.reads import NotDeadError
from tests.store.contract.conftest import AnyStore
from tests.store.helpers import record
from tests.support.clock import FakeClock


def _queue(store: AnyStore, clock: FakeClock, n: int) -> list[str]:
    ids = []
    for i in range(n):
        ids.append(store.intake(record(f"ID-{i}", sender=f"S{i}")).message_id)
        clock.advance(0.001)
    return ids


def test_claims_come_oldest_first_up_to_the_limit(store: AnyStore, clock: FakeClock) -> None:
    ids = _queue(store, clock, 3)
    first = store.claim_many([Stage.VALIDATE], "w", 30, 2)
    assert [j.message_id for j in first] == ids[:2]
    rest = store.claim_many([Stage.VALIDATE], "w", 30, 5)
    assert [j.message_id for j in rest] == ids[2:]
    assert store.claim_many([Stage.VALIDATE], "w", 30, 5) == []
    assert store.claim_many([Stage.VALIDATE], "w", 30, 0) == []


def test_claim_only_the_asked_stages(store: AnyStore) -> None:
    store.intake(record("A"))
    assert store.claim([Stage.MAP, Stage.RELAY], "w", 30) is None
    assert store.claim([], "w", 30) is None
    job = store.claim([Stage.VALIDATE], "w", 30)
    assert job is not None and job.stage is Stage.VALIDATE and job.attempts == 0


def test_a_lease_holds_until_it_expires_on_the_clock(store: AnyStore, clock: FakeClock) -> None:
    due_before = store.job_counts()["due"]  # the retention job a migrated store has
    store.intake(record("A"))
    first = store.claim([Stage.VALIDATE], "w1", 10)
    assert first is not None
    clock.advance(9.9)
    assert store.claim([Stage.VALIDATE], "w2", 10) is None
    assert store.job_counts()["leased"] == 1
    clock.advance(0.2)
    assert store.job_counts()["due"] == due_before + 1 and store.job_counts()["leased"] == 0
    again = store.claim([Stage.VALIDATE], "w2", 10)
    assert again is not None and again.id == first.id


def test_released_jobs_are_due_again_at_once(store: AnyStore) -> None:
    store.intake(record("A"))
    job = store.claim([Stage.VALIDATE], "w", 300)
    assert job is not None
    store.release([job])
    again = store.claim([Stage.VALIDATE], "w2", 300)
    assert again is not None and again.id == job.id


def test_fail_gives_the_job_back_after_its_delay_with_one_more_attempt(store: AnyStore, clock: FakeClock) -> None:
    mid = store.intake(record("A")).message_id
    job = store.claim([Stage.VALIDATE], "w", 30)
    assert job is not None
    store.fail(job, "RuntimeError: boom", 5.0)
    assert store.claim([Stage.VALIDATE], "w", 30) is None
    assert store.job_counts()["scheduled"] == 1 and store.job_counts()["leased"] == 0
    clock.advance(5.0)
    again = store.claim([Stage.VALIDATE], "w", 30)
    assert again is not None and again.id == job.id and again.attempts == 1
    assert [e.event for e in store.audit_events(mid)] == ["message.received", "job.failed"]


def test_a_finished_job_ignores_a_late_fail(store: AnyStore) -> None:
    store.intake(record("A"))
    job = store.claim([Stage.VALIDATE], "w", 30)
    assert job is not None
    store.finish_validate(job, MessageStatus.REJECTED, [], None)
    store.fail(job, "late", 0)
    assert store.claim([Stage.VALIDATE], "w", 30) is None


def test_bury_sends_the_message_to_the_dead_letters_and_replay_runs_the_stage_again(store: AnyStore) -> None:
    mid = store.intake(record("A")).message_id
    job = store.claim([Stage.VALIDATE], "w", 30)
    assert job is not None
    store.bury(job, "ValueError: broken")
    assert [m.id for m in store.dead_letters()] == [mid]
    assert store.claim([Stage.VALIDATE], "w", 30) is None
    store.replay(mid, actor="operator-1")
    assert store.dead_letters() == []
    view = store.get_message(mid)
    assert view is not None and view.status is MessageStatus.RECEIVED
    again = store.claim([Stage.VALIDATE], "w", 30)
    assert again is not None and again.message_id == mid and again.id != job.id
    replayed = store.audit_events(mid)[-1]
    assert replayed.event == "message.replayed" and replayed.actor == "operator-1"
    with pytest.raises(NotDeadError):
        store.replay(mid, actor="operator-1")
    with pytest.raises(KeyError):
        store.replay("0" * 26, actor="operator-1")


def test_replay_all_replays_every_dead_message(store: AnyStore, clock: FakeClock) -> None:
    ids = _queue(store, clock, 2)
    for job in store.claim_many([Stage.VALIDATE], "w", 30, 2):
        store.bury(job, "boom")
    assert sorted(store.replay_all(actor="op")) == sorted(ids)
    assert store.status_counts()["dead"] == 0 and store.status_counts()["received"] == 2


def test_conversation_order_holds_back_a_later_job_while_an_earlier_one_is_held_elsewhere(
    store: AnyStore, clock: FakeClock
) -> None:
    store.intake(record("A", sender="0034", receiver="70329669"))
    clock.advance(0.001)
    store.intake(record("B", sender="70329669", receiver="0034"))  # the answer: the same conversation
    clock.advance(0.001)
    store.intake(record("C", sender="0363", receiver="70329669"))  # another conversation
    first = store.claim([Stage.VALIDATE], "w1", 30)
    later = store.claim_many([Stage.VALIDATE], "w2", 30, 2)
    assert first is not None and len(later) == 2
    held = store.hold_back(later)
    assert [j.id for j in held] == [later[0].id]  # B waits for A; C does not
    assert store.hold_back([first]) == []
    store.finish_validate(first, MessageStatus.REJECTED, [], None)
    clock.advance(1.0)  # past the hold-back
    again = store.claim([Stage.VALIDATE], "w2", 30)
    assert again is not None and again.id == later[0].id
    assert store.hold_back([again]) == []
