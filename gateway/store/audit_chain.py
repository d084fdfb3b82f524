"""The audit chain's persistence: appending events under the head row's lock, and verifying the chain.

The events, their canonical form and the hash are :mod:`gateway.audit`'s; this part of the store
writes them to ``audit_events`` and moves ``audit_head`` in the caller's transaction, and walks the
stored chain back from its anchor.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from gateway.audit import (
    AuditEvent,
    ChainedEvent,
    VerifyResult,
    canonical,
    canonical_from,
    chain_hash,
    compact_json,
    scrubbed_data,
)
from gateway.bsn import scrub
from gateway.store.driver import Driver
from gateway.store.schema import audit_events, audit_head

_HEAD_FOR_UPDATE = sa.select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1).with_for_update()
_HEAD_MOVE = audit_head.update().where(audit_head.c.id == 1)
_INSERT = audit_events.insert()
_INSERT_TEXT = audit_events.insert().values(data=sa.bindparam("data_text", type_=sa.Text()))
"""SQLite: the data column takes the event's data as the compact JSON the hash was made over, encoded once."""


def append(
    conn: sa.Connection, events: Iterable[AuditEvent], *, driver: Driver, now: datetime | None = None
) -> list[ChainedEvent]:
    """Append ``events`` to the chain inside the caller's transaction; log them with :func:`emit` after commit.

    The three statements run through the store's ``driver`` (they are on every commit's path).
    """
    todo = list(events)
    if not todo:
        return []
    at = now if now is not None else datetime.now(UTC)
    head = driver.execute(conn, _HEAD_FOR_UPDATE).first()
    assert head is not None, "audit_head has its one row from the first migration"
    seq, prev = int(head.seq), str(head.hash)
    as_text = driver.dialect_name == "sqlite"  # PostgreSQL's JSON column takes the data through its own adapter
    data_key = "data_text" if as_text else "data"
    out: list[ChainedEvent] = []
    rows: list[dict[str, Any]] = []
    for item in todo:
        seq += 1
        if item.encoded is None:
            data, actor = scrubbed_data(dict(item.data)), scrub(item.actor)
            data_json = compact_json(data)
        else:  # prepared before the lock
            data, actor, data_json = item.data, item.actor, item.encoded
        body = canonical_from(seq, at, message_id=item.message_id, event=item.event, actor=actor, data_json=data_json)
        digest = chain_hash(prev, body)
        out.append(ChainedEvent(seq, at, item.message_id, item.event, actor, data, prev, digest))
        rows.append({"seq": seq, "at": at, "message_id": item.message_id, "event": item.event, "actor": actor,
                     data_key: data_json if as_text else data, "prev_hash": prev, "hash": digest})  # fmt: skip
        prev = digest
    driver.executemany(conn, _INSERT_TEXT if as_text else _INSERT, rows)
    driver.execute(conn, _HEAD_MOVE, {"seq": seq, "hash": prev})
    return out


def verify_chain(conn: sa.Connection, *, batch: int = 5000) -> VerifyResult:
    """Walk the whole chain from its anchor; the first broken sequence number, or None."""
    head = conn.execute(sa.select(audit_head).where(audit_head.c.id == 1)).one()
    expected_seq, prev = int(head.base_seq) + 1, str(head.base_hash)
    count = 0
    last = int(head.base_seq)
    while True:
        rows = conn.execute(
            sa.select(audit_events).where(audit_events.c.seq >= expected_seq).order_by(audit_events.c.seq).limit(batch)
        ).all()
        for row in rows:
            if int(row.seq) != expected_seq:  # a gap: the expected row was removed
                return VerifyResult(expected_seq, count)
            body = canonical(
                int(row.seq), row.at, message_id=row.message_id, event=row.event, actor=row.actor, data=row.data
            )
            if row.prev_hash != prev or chain_hash(prev, body) != row.hash:
                return VerifyResult(int(row.seq), count)
            prev = str(row.hash)
            last = int(row.seq)
            expected_seq += 1
            count += 1
        if len(rows) < batch:
            break
    if int(head.seq) != last or str(head.hash) != prev:  # rows removed from the end, or appended past the head
        return VerifyResult(min(int(head.seq), last) + 1, count)
    below = conn.execute(
        sa.select(sa.func.count()).select_from(audit_events).where(audit_events.c.seq <= head.base_seq)
    ).scalar_one()
    if below:  # an inserted row in front of the anchor
        return VerifyResult(int(head.base_seq), count)
    return VerifyResult(None, count)


def verify(conn: sa.Connection) -> int | None:
    """The first broken sequence number of the chain, or None when it is intact."""
    return verify_chain(conn).first_broken


def to_row(e: Any) -> ChainedEvent:
    """A stored ``audit_events`` row as a :class:`ChainedEvent`."""
    return ChainedEvent(e.seq, e.at, e.message_id, e.event, e.actor, e.data, e.prev_hash, e.hash)


__all__ = ["append", "to_row", "verify", "verify_chain"]
