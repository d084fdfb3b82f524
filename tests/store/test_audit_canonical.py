"""The chain's canonical form, spelled out from data encoded once, is byte for byte the reference form."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from gateway import audit
from gateway.store import Store
from gateway.store.schema import audit_events

_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
_json = st.recursive(_scalars, lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner), max_leaves=20)
_times = st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5))]))


@given(
    seq=st.integers(min_value=1, max_value=2**62),
    at=_times,
    message_id=st.none() | st.text(),
    event=st.text(),
    actor=st.text(),
    data=st.dictionaries(st.text(), _json),
)
def test_canonical_from_encoded_data_equals_the_reference_form(
    seq: int, at: datetime, message_id: str | None, event: str, actor: str, data: dict[str, object]
) -> None:
    reference = audit.canonical(seq, at, message_id=message_id, event=event, actor=actor, data=data)
    spelled = audit.canonical_from(
        seq, at, message_id=message_id, event=event, actor=actor, data_json=audit.compact_json(data)
    )
    assert spelled == reference


def test_stored_data_reads_back_as_appended_and_the_chain_verifies(store: Store) -> None:
    """On SQLite the row holds the compact text the hash was made over; on PostgreSQL the adapter's JSON."""
    data = {"z": [1, 2.5, None, True], "a": {"é": "ünïcode \u2028", "q": 'say "hi"'}, "n": -3}
    with store.db.write() as tx:
        tx.audit("test.event", "m-1", data=data)
    with store.db.read() as conn:
        row = conn.execute(sa.select(audit_events).order_by(audit_events.c.seq.desc()).limit(1)).one()
        if store.db.backend.name == "sqlite":
            raw = conn.execute(sa.text("SELECT data FROM audit_events WHERE seq = :s"), {"s": row.seq}).scalar_one()
            assert raw == audit.compact_json(data)
    assert row.data == data and row.event == "test.event"
    assert store.verify_audit().ok


def test_a_prepared_event_is_scrubbed_before_the_lock_and_stored_as_an_unprepared_one(store: Store) -> None:
    bsn = "999937881"
    data = {"note": f"client {bsn}", "nested": [bsn, {"deeper": bsn}]}
    prepared = audit.prepare("test.event", "m-1", actor=f"user {bsn}", data=data)
    assert prepared.encoded is not None and bsn not in prepared.encoded
    assert bsn not in repr(prepared.data) and bsn not in prepared.actor
    with store.db.write() as tx:
        tx.audit("test.event", "m-1", actor=f"user {bsn}", data=data)
        tx.record(prepared)
    with store.db.read() as conn:
        plain, early = conn.execute(sa.select(audit_events).order_by(audit_events.c.seq.desc()).limit(2)).all()
    assert (plain.data, plain.actor) == (early.data, early.actor)
    assert bsn not in str(plain.data) and bsn not in plain.actor
    assert store.verify_audit().ok
