"""Retention: delivered payloads are purged (audited), old metadata goes, and the audit chain still verifies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from gateway.contracts import Verdict
from gateway.model import MessageStatus, Stage
from gateway.store import Store
from gateway.store.schema import audit_events, audit_head, deliveries, messages
from tests.store.helpers import decision, record


def _delivered(store: Store, external_id: str) -> str:
    mid = store.intake(record(external_id)).message_id
    for stage in (Stage.VALIDATE, Stage.MAP, Stage.RELAY):
        job = store.claim([stage], "w", 30)
        assert job is not None
        if stage is Stage.VALIDATE:
            store.finish_validate(job, MessageStatus.ACCEPTED, [], b"<ack/>")
        elif stage is Stage.MAP:
            store.finish_map(job, [])
        else:
            store.finish_relay(job, decision(Verdict.DELIVERED))
    return mid


def test_payloads_of_delivered_messages_are_purged_after_the_window(store: Store) -> None:
    old = _delivered(store, "OLD")
    waiting = store.intake(record("WAITING")).message_id
    horizon = datetime.now(UTC) + timedelta(seconds=1)
    assert store.purge_payloads(datetime.now(UTC) - timedelta(hours=24)) == 0  # too recent
    assert store.purge_payloads(horizon) == 1
    purged, kept = store.message(old), store.message(waiting)
    assert purged is not None and purged.payload is None and kept is not None and kept.payload is not None
    view = store.get_message(old)
    assert view is not None and view.retour is None and view.payload_purged and view.payload_sha256
    assert store.audit_events(old)[-1].event == "message.payload_purged"
    assert store.purge_payloads(horizon) == 0  # idempotent
    assert store.verify_audit().ok


def test_payloads_of_rejected_and_duplicate_messages_go_after_their_own_window_dead_ones_stay(store: Store) -> None:
    rejected = store.intake(record("REJ")).message_id
    job = store.claim([Stage.VALIDATE], "w", 30)
    assert job is not None
    store.finish_validate(job, MessageStatus.REJECTED, [], b"<retour/>")
    duplicate = store.intake(record("DUP", status=MessageStatus.DUPLICATE)).message_id
    dead = store.intake(record("DEAD")).message_id
    buried = store.claim([Stage.VALIDATE], "w", 30)
    assert buried is not None and buried.message_id == dead
    store.bury(buried, "KeyError")
    soon = datetime.now(UTC) + timedelta(seconds=1)
    assert store.purge_payloads(soon) == 0  # the delivered window alone leaves refused messages be
    assert store.purge_payloads(soon, refused_before=datetime.now(UTC) - timedelta(days=14)) == 0  # too recent
    assert store.purge_payloads(soon, refused_before=soon) == 2
    for mid in (rejected, duplicate):
        view = store.get_message(mid)
        assert view is not None and view.payload_purged and view.retour is None and view.payload_sha256
        assert store.audit_events(mid)[-1].event == "message.payload_purged"
    kept = store.message(dead)
    assert kept is not None and kept.payload is not None  # dlq replay still has what to send
    assert store.verify_audit().ok


def test_metadata_purge_keeps_the_chain_verifiable(store: Store) -> None:
    gone = _delivered(store, "GONE")
    in_flight = store.intake(record("IN-FLIGHT")).message_id
    result = store.purge(datetime.now(UTC) + timedelta(seconds=1), datetime.now(UTC) + timedelta(seconds=1))
    assert result.payloads_purged == 1 and result.messages_deleted == 1 and result.audit_events_pruned > 0
    assert store.get_message(gone) is None and store.get_message(in_flight) is not None
    with store.db.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(deliveries)).scalar_one() == 0
        head = conn.execute(sa.select(audit_head)).one()
        last = conn.execute(sa.select(audit_events).order_by(audit_events.c.seq.desc()).limit(1)).one()
        assert conn.execute(sa.select(messages.c.id)).scalars().all() == [in_flight]
    assert last.event == "audit.pruned" and last.data["through_seq"] == head.base_seq
    assert store.verify_audit().ok
    store.intake(record("AFTER"))  # the chain goes on from the anchor
    assert store.verify_audit().ok


def test_tampering_after_a_prune_is_still_found(store: Store) -> None:
    _delivered(store, "GONE")
    store.purge(datetime.now(UTC) + timedelta(seconds=1), datetime.now(UTC) + timedelta(seconds=1))
    for i in range(3):
        store.intake(record(f"N-{i}"))
    with store.db.read() as conn:
        seqs = list(conn.execute(sa.select(audit_events.c.seq).order_by(audit_events.c.seq)).scalars())
    with store.db.engine.begin() as conn:
        conn.execute(audit_events.update().where(audit_events.c.seq == seqs[1]).values(actor="mallory"))
    assert store.verify_audit().first_broken == seqs[1]


def test_retention_job_reschedules_itself(store: Store) -> None:
    job = store.claim([Stage.RETENTION], "w", 30)
    assert job is not None and job.message_id is None
    store.finish_retention(job)
    assert store.claim([Stage.RETENTION], "w", 30) is None  # the next run is an hour away
    assert store.job_counts()["scheduled"] == 1
