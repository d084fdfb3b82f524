"""Intake dedup, group commits and each stage's outcome, on every backend."""

from __future__ import annotations

import pytest

from gateway.contracts import Verdict
from gateway.model import MessageStatus, Stage
from tests.store.contract.conftest import AnyStore
from tests.store.helpers import decision, record
from tests.support.clock import FakeClock


def test_same_key_same_bytes_is_a_duplicate_other_bytes_a_resend(store: AnyStore) -> None:
    first = store.intake(record("A"))
    again = store.intake(record("A"))
    changed = store.intake(record("A", payload=b"<bericht other='1'/>"))
    assert first.created and again.duplicate_of == first.message_id and not again.created
    assert again.status is MessageStatus.DUPLICATE
    assert changed.created and changed.resend_of == first.message_id and changed.message_id != first.message_id
    assert store.status_counts()["received"] == 2
    assert [e.event for e in store.audit_events(first.message_id)] == ["message.received", "message.duplicate"]


def test_intake_many_dedups_inside_the_batch(store: AnyStore) -> None:
    results = store.intake_many([record("A"), record("B"), record("A")])
    assert [r.created for r in results] == [True, True, False]
    assert results[2].duplicate_of == results[0].message_id
    assert len(store.claim_many([Stage.VALIDATE], "w", 30, 10)) == 2


def test_a_batch_is_one_commit_and_an_exception_rolls_it_all_back(store: AnyStore) -> None:
    with pytest.raises(RuntimeError), store.batch():
        store.intake(record("A"))
        assert store.claim([Stage.VALIDATE], "w", 30) is not None  # visible to its own thread
        raise RuntimeError("worker crashed")
    assert store.status_counts()["received"] == 0
    with store.batch() as batch:
        store.intake(record("B"))
        batch.flush()
        store.intake(record("C"))
    assert store.status_counts()["received"] == 2
    assert store.verify_audit().ok


def test_validate_accepted_queues_map_then_relay_delivered(store: AnyStore) -> None:
    mid = store.intake(record("A")).message_id
    job = store.claim([Stage.VALIDATE], "w", 30)
    assert job is not None
    store.prepare_validate(job, MessageStatus.ACCEPTED, [], b"<retour/>")()
    store.prepare_validate(job, MessageStatus.REJECTED, [], None)()  # a second finish changes nothing
    view = store.get_message(mid)
    assert view is not None and view.status is MessageStatus.ACCEPTED and view.retour == b"<retour/>"
    mapped = store.claim([Stage.MAP], "w", 30)
    assert mapped is not None and mapped.message_id == mid
    store.finish_map(mapped, [])
    relay = store.claim([Stage.RELAY], "w", 30)
    assert relay is not None
    store.prepare_relay(relay, decision(Verdict.DELIVERED))()
    view = store.get_message(mid)
    assert view is not None and view.status is MessageStatus.DELIVERED and view.delivered_at is not None
    assert [(d.attempt, d.status_code, d.verdict) for d in store.deliveries(mid)] == [(1, 200, "delivered")]
    events = [e.event for e in store.audit_events(mid)]
    assert events == ["message.received", "message.accepted", "message.mapped", "message.delivered"]


def test_validate_rejected_queues_nothing(store: AnyStore) -> None:
    mid = store.intake(record("A")).message_id
    job = store.claim([Stage.VALIDATE], "w", 30)
    assert job is not None
    store.prepare_validate(job, MessageStatus.REJECTED, [], b"<retour/>")()
    assert store.claim([Stage.MAP, Stage.RELAY], "w", 30) is None
    view = store.get_message(mid)
    assert view is not None and view.verdict == "rejected"


def _relay_job(store: AnyStore) -> str:
    mid = store.intake(record("A")).message_id
    job = store.claim([Stage.VALIDATE], "w", 30)
    assert job is not None
    store.prepare_validate(job, MessageStatus.ACCEPTED, [], None, [])()
    return mid


def test_relay_retry_comes_back_after_its_delay_and_dead_goes_to_the_dlq(store: AnyStore, clock: FakeClock) -> None:
    mid = _relay_job(store)
    relay = store.claim([Stage.RELAY], "w", 30)
    assert relay is not None
    store.prepare_relay(relay, decision(Verdict.RETRY, code=503, delay_s=60))()
    view = store.get_message(mid)
    assert view is not None and view.status is MessageStatus.RELAYING and view.relay_attempts == 1
    assert store.claim([Stage.RELAY], "w", 30) is None
    clock.advance(60)
    second = store.claim([Stage.RELAY], "w", 30)
    assert second is not None
    stored = store.message(mid)
    assert stored is not None and stored.first_attempt_at is not None
    store.prepare_relay(second, decision(Verdict.DEAD, attempts=2, code=400))()
    assert [m.id for m in store.dead_letters()] == [mid]
    dead = store.message(mid)
    assert dead is not None and dead.relay_attempts == 2
    assert dead.first_attempt_at == stored.first_attempt_at  # the retry budget's clock is not reset
    assert [d.verdict for d in store.deliveries(mid)] == ["retry", "dead"]
    store.replay(mid, actor="op")
    again = store.message(mid)
    assert again is not None and again.status is MessageStatus.RELAYING and again.relay_attempts == 0
    assert store.claim([Stage.RELAY], "w", 30) is not None
