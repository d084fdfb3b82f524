"""Intake: one message row, one validate job and one audit event per new message; resubmissions are duplicates."""

from __future__ import annotations

import threading

import sqlalchemy as sa

from gateway.model import Finding, MessageStatus, Stage
from gateway.store import Store
from gateway.store.schema import audit_events, jobs, messages
from tests.store.helpers import record


def _count(store: Store, table: sa.Table) -> int:
    query = sa.select(sa.func.count()).select_from(table)
    if table is jobs:
        query = query.where(jobs.c.stage != "retention")
    with store.db.read() as conn:
        return int(conn.execute(query).scalar_one())


def test_new_message_gets_row_job_and_event(store: Store) -> None:
    result = store.intake(record("ID-1"))
    assert result.created and result.status is MessageStatus.RECEIVED
    assert (_count(store, messages), _count(store, jobs), _count(store, audit_events)) == (1, 1, 1)
    stored = store.message(result.message_id)
    assert stored is not None and stored.payload == b"<bericht id='ID-1'/>" and stored.receiver == "70329669"
    assert stored.received_at.tzinfo is not None


def test_same_sender_and_identification_twice_is_one_message(store: Store) -> None:
    """The same bytes under the same key again store nothing new and name the first message."""
    first = store.intake(record("ID-1"))
    again = store.intake(record("ID-1"))
    assert again.message_id == first.message_id and again.duplicate_of == first.message_id
    assert again.status is MessageStatus.DUPLICATE and not again.created
    assert (_count(store, messages), _count(store, jobs)) == (1, 1)
    other_sender = store.intake(record("ID-1", sender="0363"))
    assert other_sender.created and other_sender.message_id != first.message_id


def test_changed_bytes_under_the_same_ijw_key_are_a_message_of_their_own(store: Store) -> None:
    """Same identification, other bytes: stored beside the first and marked as its resend (TR056 rejects it)."""
    first = store.intake(record("ID-1"))
    changed = store.intake(record("ID-1", payload=b"<other/>"))
    assert changed.created and changed.status is MessageStatus.RECEIVED and changed.duplicate_of is None
    assert changed.resend_of == first.message_id and changed.message_id != first.message_id
    assert (_count(store, messages), _count(store, jobs)) == (2, 2)
    again = store.intake(record("ID-1", payload=b"<other/>"))  # a resend is compared with the first, not itself
    assert again.created and again.resend_of == first.message_id


def test_message_type_is_part_of_the_ijw_key(store: Store) -> None:
    """A retour carrying its heenbericht's identification, or a JW307 after a JW305, is not a duplicate."""
    heen = store.intake(record("ID-1", message_type="JW305"))
    other = store.intake(record("ID-1", message_type="JW307"))
    assert other.created and other.resend_of is None and other.message_id != heen.message_id


def test_stuf_keeps_zender_and_referentienummer_as_key(store: Store) -> None:
    """StUF: the same referentienummer is a duplicate answered with the StUF016 Fo03, even with other bytes."""
    fo03 = b"<Fo03>StUF016</Fo03>"
    first = store.intake(record("REF-1", standard="stuf-jz", message_type="vtBerichtDi01", duplicate_retour=fo03))
    again = store.intake(
        record("REF-1", standard="stuf-jz", message_type="jrBerichtDi01", payload=b"<x/>", duplicate_retour=fo03)
    )
    assert (again.message_id, again.status, again.retour) == (first.message_id, MessageStatus.DUPLICATE, fo03)
    assert _count(store, messages) == 1


def test_same_idempotency_key_twice_is_one_message(store: Store) -> None:
    """The same Idempotency-Key with the same bytes is a duplicate; with other bytes a message of its own."""
    first = store.intake(record("A", key="k-1"))
    again = store.intake(record("B", key="k-1", payload=b"<bericht id='A'/>"))
    assert (again.message_id, again.status, again.created) == (first.message_id, MessageStatus.DUPLICATE, False)
    assert _count(store, messages) == 1
    changed = store.intake(record("B", key="k-1"))
    assert changed.created and changed.resend_of == first.message_id and _count(store, messages) == 2


def test_without_identification_nothing_is_deduplicated(store: Store) -> None:
    one = store.intake(record(None))
    two = store.intake(record(None))
    assert one.message_id != two.message_id and _count(store, messages) == 2


def test_unreadable_document_is_kept_rejected_without_job(store: Store) -> None:
    finding = Finding("xml", "not well-formed (line 1)")
    result = store.intake(record(None, status=MessageStatus.REJECTED, findings=(finding,)))
    assert result.created and result.status is MessageStatus.REJECTED and result.findings == (finding,)
    assert _count(store, jobs) == 0
    assert store.claim([Stage.VALIDATE], "w", 5) is None


def test_concurrent_resubmissions_store_one_message(store: Store) -> None:
    results = []
    lock = threading.Lock()

    def go() -> None:
        r = store.intake(record("RACE-1"))
        with lock:
            results.append(r)

    threads = [threading.Thread(target=go) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r.created for r in results) == 1
    assert len({r.message_id for r in results}) == 1 and _count(store, messages) == 1
