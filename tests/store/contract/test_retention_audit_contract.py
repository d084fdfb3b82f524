"""Retention, the audit chain and the read side, on every backend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from gateway.contracts import Verdict
from gateway.model import MessageStatus, Stage
from gateway.store.memory import MemoryStore
from gateway.store.schema import audit_events
from tests.store.contract.conftest import AnyStore
from tests.store.helpers import decision, record
from tests.support.clock import FakeClock


def _now(clock: FakeClock) -> datetime:
    return datetime.fromtimestamp(clock.time(), UTC)


def _delivered(store: AnyStore) -> str:
    mid = store.intake(record("A")).message_id
    job = store.claim([Stage.VALIDATE], "w", 30)
    assert job is not None
    store.prepare_validate(job, MessageStatus.ACCEPTED, [], b"<retour/>", [])()
    relay = store.claim([Stage.RELAY], "w", 30)
    assert relay is not None
    store.prepare_relay(relay, decision(Verdict.DELIVERED))()
    return mid


def test_payloads_go_after_delivery_and_metadata_later_with_the_chain_still_verifying(
    store: AnyStore, clock: FakeClock
) -> None:
    mid = _delivered(store)
    assert store.purge_payloads(_now(clock) - timedelta(hours=1)) == 0  # delivered just now
    clock.advance(2 * 3600)
    assert store.purge_payloads(_now(clock) - timedelta(hours=1)) == 1
    stored = store.message(mid)
    assert stored is not None and stored.payload is None
    view = store.get_message(mid)
    assert view is not None and view.payload_purged and view.retour is None
    clock.advance(3600)
    result = store.purge(_now(clock), _now(clock) - timedelta(minutes=1))
    assert result.messages_deleted == 1 and result.audit_events_pruned > 0
    assert store.get_message(mid) is None
    assert store.verify_audit().ok


def test_every_transition_is_chained_and_a_changed_event_breaks_the_chain(store: AnyStore) -> None:
    mid = _delivered(store)
    seqs = [e.seq for e in store.audit_events(mid)]
    assert len(seqs) == 4 and seqs == sorted(seqs)
    result = store.verify_audit()
    assert result.ok and result.events >= 4
    target = seqs[1]
    if isinstance(store, MemoryStore):
        store.tamper(target, actor="mallory")
    else:
        with store.db.engine.begin() as conn:
            conn.execute(audit_events.update().where(audit_events.c.seq == target).values(actor="mallory"))
    assert store.verify_audit().first_broken == target


def test_list_messages_pages_newest_first_with_a_cursor(store: AnyStore, clock: FakeClock) -> None:
    ids = []
    for i in range(5):
        ids.append(store.intake(record(f"ID-{i}", sender="0034" if i % 2 else "0363")).message_id)
        clock.advance(0.01)
    page, cursor = store.list_messages(limit=2)
    assert [m.id for m in page] == ids[::-1][:2] and cursor is not None
    page2, cursor2 = store.list_messages(limit=2, cursor=cursor)
    page3, cursor3 = store.list_messages(limit=2, cursor=cursor2)
    assert [m.id for m in page2 + page3] == ids[::-1][2:] and cursor3 is None
    mine, _ = store.list_messages(parties={"0034"})
    assert [m.id for m in mine] == [ids[3], ids[1]]
    assert store.list_messages(cursor="not a cursor!") == ([], None)


def test_a_retention_job_reschedules_itself(store: AnyStore, clock: FakeClock) -> None:
    job = store.claim([Stage.RETENTION], "w", 30)
    assert job is not None
    store.finish_retention(job)
    assert store.claim([Stage.RETENTION], "w", 30) is None
    clock.advance(3600)
    assert store.claim([Stage.RETENTION], "w", 30) is not None
