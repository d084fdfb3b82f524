"""The tamper-evident audit trail: every state change is one hash-chained event.

Each event is appended to ``audit_events`` in the same transaction as the change it records,
with ``hash = sha256(prev_hash + canonical JSON of the event)``, and written as a structlog
JSON line once that transaction has committed. Appends are serialised on the one-row
``audit_head`` table (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite writers are serialised by
``BEGIN IMMEDIATE`` already), so concurrent workers never fork the chain. Callers append last,
just before commit, to hold that lock as briefly as possible.

:func:`gateway.store.audit_chain.verify` walks the chain and returns the first sequence number that does not hold: a
changed row (its hash no longer matches), a removed row (a gap, or the head is ahead of the
last row) or an inserted row (a prev_hash that does not link, or rows beyond the head).
Retention prunes old events only behind an anchor (``audit_head.base_seq``/``base_hash``)
that is itself recorded as an ``audit.pruned`` event in the chain. This module holds the events,
their canonical form and the hashing; their persistence is the store's (:mod:`gateway.store.audit_chain`).

No BSN ever enters an event: strings in ``data`` pass :func:`gateway.bsn.scrub_field`, and callers
put pseudonyms, ids, statuses and rule codes in events, never message content.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import structlog

from gateway.bsn import scrub, scrub_field

log = structlog.get_logger("gateway.audit")

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
    clean = scrubbed_data(dict(data or {}))
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


def scrubbed_data(value: Any) -> Any:
    """JSON-native copy of ``value`` with every BSN scrubbed (identifier fields kept whole: see gateway.bsn)."""
    if isinstance(value, str):
        return scrub(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, dict | Mapping):  # dict first: the abstract check is the slow one
        return {str(k): scrub_field(str(k), v) if isinstance(v, str) else scrubbed_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [scrubbed_data(v) for v in value]
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


__all__ = [
    "SYSTEM",
    "AuditEvent",
    "ChainedEvent",
    "VerifyResult",
    "canonical",
    "canonical_from",
    "chain_hash",
    "compact_json",
    "emit",
    "prepare",
    "scrubbed_data",
]
