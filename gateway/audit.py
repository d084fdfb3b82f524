"""The tamper-evident audit trail: every state change is one hash-chained event.

Each event is appended to ``audit_events`` in the same transaction as the change it records,
with ``hash = sha256(prev_hash + canonical JSON of the event)``, and written as a structlog
JSON line once that transaction has committed. Appends are serialised on the one-row
``audit_head`` table (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite writers are serialised by
``BEGIN IMMEDIATE`` already), so concurrent workers never fork the chain. Callers append last,
just before commit, to hold that lock as briefly as possible.

:func:`verify` walks the chain and returns the first sequence number that does not hold: a
changed row (its hash no longer matches), a removed row (a gap, or the head is ahead of the
last row) or an inserted row (a prev_hash that does not link, or rows beyond the head).
Retention prunes old events only behind an anchor (``audit_head.base_seq``/``base_hash``)
that is itself recorded as an ``audit.pruned`` event in the chain.

No BSN ever enters an event: strings in ``data`` pass :func:`gateway.bsn.scrub_field`, and callers
put pseudonyms, ids, statuses and rule codes in events, never message content.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
import structlog

from gateway.bsn import scrub, scrub_field
from gateway.store.driver import Driver
from gateway.store.schema import audit_events, audit_head

log = structlog.get_logger("gateway.audit")

_HEAD_FOR_UPDATE = sa.select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1).with_for_update()
_HEAD_MOVE = audit_head.update().where(audit_head.c.id == 1)
_INSERT = audit_events.insert()
_INSERT_TEXT = audit_events.insert().values(data=sa.bindparam("data_text", type_=sa.Text()))
"""SQLite: the data column takes the event's data as the compact JSON the hash was made over, encoded once."""

SYSTEM = "system"
"""The actor of events the pipeline causes by itself."""


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """One state change, before it gets its place in the chain."""

    event: str
    message_id: str | None = None
    actor: str = SYSTEM
    data: Mapping[str, Any] = field(default_factory=dict)
    encoded: str | None = None
    """Set by :func:`prepare` only: ``actor`` and ``data`` are scrubbed already and this is the data's
    :func:`compact_json`, so appending the event only chains it."""


def prepare(
    event: str, message_id: str | None = None, *, actor: str = SYSTEM, data: Mapping[str, Any] | None = None
) -> AuditEvent:
    """An event scrubbed and encoded now, before the write lock is taken (appending it then costs only its place)."""
    clean = _clean(dict(data or {}))
    return AuditEvent(event, message_id, scrub(actor), clean, compact_json(clean))


@dataclass(frozen=True, slots=True)
class ChainedEvent:
    """An event with its place in the chain, as stored."""

    seq: int
    at: datetime
    message_id: str | None
    event: str
    actor: str
    data: Mapping[str, Any]
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """The verdict of :func:`verify_chain`: ``first_broken`` is None for an intact chain."""

    first_broken: int | None
    events: int

    @property
    def ok(self) -> bool:
        """True when the chain holds."""
        return self.first_broken is None


def _clean(value: Any) -> Any:
    """JSON-native copy of ``value`` with every BSN scrubbed (identifier fields kept whole: see gateway.bsn)."""
    if isinstance(value, str):
        return scrub(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, dict | Mapping):  # dict first: the abstract check is the slow one
        return {str(k): scrub_field(str(k), v) if isinstance(v, str) else _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_clean(v) for v in value]
    return scrub(str(value))


@lru_cache(maxsize=256)
def _at_text(at: datetime) -> str:
    """The event time as written in the canonical form; a transaction's events share one, so it is cached."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(
    seq: int, at: datetime, *, message_id: str | None, event: str, actor: str, data: Mapping[str, Any]
) -> bytes:
    """The canonical JSON of an event: sorted keys, no spaces, UTC time with microseconds."""
    body = {"seq": seq, "at": _at_text(at), "message_id": message_id, "event": event, "actor": actor, "data": data}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def compact_json(value: Any) -> str:
    """``value`` as the canonical form writes it: sorted keys, no spaces, UTF-8 as is."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


_string = json.JSONEncoder(ensure_ascii=False).encode  # a str or None as json.dumps writes it, minus its checks


def canonical_from(seq: int, at: datetime, *, message_id: str | None, event: str, actor: str, data_json: str) -> bytes:
    """:func:`canonical`, with the data already in :func:`compact_json` form: its keys in sorted order, spelled out.

    Appending encodes each event's data once, for the hash and the stored row both (a test holds the
    two functions equal for any event).
    """
    return (
        f'{{"actor":{_string(actor)},"at":"{_at_text(at)}","data":{data_json},"event":{_string(event)},'
        f'"message_id":{_string(message_id)},"seq":{int(seq)}}}'
    ).encode()


def chain_hash(prev_hash: str, body: bytes) -> str:
    """sha256(prev_hash + canonical event), hex."""
    return hashlib.sha256(prev_hash.encode("ascii") + body).hexdigest()


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
            data, actor = _clean(dict(item.data)), scrub(item.actor)
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


def emit(events: Sequence[ChainedEvent]) -> None:
    """Write committed events as structlog lines (the log is a second, external copy of the chain)."""
    if not events or not log.is_enabled_for(logging.INFO):  # filtered out anyway: skip the JSON
        return
    for e in events:
        log.info(
            "audit",
            audit_event=e.event,
            seq=e.seq,
            message_id=e.message_id,
            actor=e.actor,
            data=json.dumps(e.data, sort_keys=True, separators=(",", ":")),
            hash=e.hash,
        )


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


__all__ = [
    "SYSTEM",
    "AuditEvent",
    "ChainedEvent",
    "VerifyResult",
    "append",
    "canonical",
    "canonical_from",
    "chain_hash",
    "compact_json",
    "emit",
    "prepare",
    "to_row",
    "verify",
    "verify_chain",
]
