"""The read side (the API's and dashboard's) and dead-letter replay, in memory; spec: :mod:`gateway.store.reads`."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from datetime import UTC, date, datetime

from gateway.facts import Fact, FactKind
from gateway.model import MessageStatus, Stage
from gateway.store.memory.state import MessageRow, State
from gateway.store.reads import _REPLAY_STATUS, BUCKETS, NotDeadError, decode_cursor, encode_cursor
from gateway.store.views import AuditView, DeliveryView, MessageView, verdict_of


def view(m: MessageRow) -> MessageView:
    """A message as :class:`MessageView`."""
    return MessageView(
        m.id, m.status, m.sender, m.receiver, m.standard, m.message_type, m.version, m.external_id, m.source,
        m.payload_sha256, m.payload_size, m.purged_at is not None, m.findings, m.retour, m.relay_attempts,
        m.received_at, m.updated_at, m.delivered_at, m.purged_at, verdict_of(m.status), m.finding_counts or None,
    )  # fmt: skip


def get_message(state: State, message_id: str) -> MessageView | None:
    """One message; None when unknown."""
    with state.read() as rows:
        m = rows.messages.get(message_id)
        return None if m is None else view(m)


def list_messages(
    state: State, *, parties: Collection[str] | None, status: MessageStatus | str | None, since: datetime | None,
    cursor: str | None, limit: int,
) -> tuple[list[MessageView], str | None]:  # fmt: skip
    """One keyset page, newest id first, and the next cursor."""
    after = None
    if cursor:
        after = decode_cursor(cursor)
        if after is None:
            return [], None
    limit = max(1, limit)
    with state.read() as rows:
        found = [
            m for m in rows.messages.values()
            if (parties is None or m.sender in parties or m.receiver in parties)
            and (status is None or str(m.status) == str(status))
            and (since is None or m.received_at >= since)
            and (after is None or m.id < after)
        ]  # fmt: skip
    found.sort(key=lambda m: m.id, reverse=True)
    items = [view(m) for m in found[:limit]]
    return items, (encode_cursor(items[-1].id) if len(found) > limit else None)


def audit_events(state: State, message_id: str) -> list[AuditView]:
    """The audit timeline of one message, oldest first."""
    with state.read() as rows:
        return [AuditView(e.seq, e.at, e.message_id, e.event, e.actor, e.data, e.hash)
                for e in rows.audit if e.message_id == message_id]  # fmt: skip


def deliveries(state: State, message_id: str) -> list[DeliveryView]:
    """The delivery attempts of one message, oldest first."""
    with state.read() as rows:
        return [DeliveryView(d.message_id, d.attempt, d.status_code, d.latency_ms, d.verdict, d.error, d.at)
                for d in rows.deliveries if d.message_id == message_id]  # fmt: skip


def dead_letters(state: State, limit: int) -> list[MessageView]:
    """The dead-letter queue, oldest first."""
    with state.read() as rows:
        dead = sorted((m for m in rows.messages.values() if m.status is MessageStatus.DEAD), key=lambda m: m.id)
        return [view(m) for m in dead[:limit]]


def replay(state: State, message_id: str, actor: str) -> None:
    """Dead → the stage it died in again (relay with a fresh retry budget); KeyError, NotDeadError."""
    with state.write() as tx:
        m = tx.rows.messages.get(message_id)
        if m is None:
            raise KeyError(message_id)
        if m.status is not MessageStatus.DEAD:
            raise NotDeadError(f"message {message_id} is {m.status}, not dead")
        own = [j for j in tx.rows.jobs.values() if j.message_id == message_id]
        last = str(max(own, key=lambda j: j.id).stage) if own else None
        stage = Stage(last) if last in _REPLAY_STATUS else Stage.RELAY
        m.status, m.updated_at = _REPLAY_STATUS[str(stage)], tx.now
        if stage is Stage.RELAY:
            m.relay_attempts, m.first_attempt_at = 0, None
        tx.enqueue(stage, message_id)
        tx.audit("message.replayed", message_id, actor=actor, data={"from": "dead", "stage": str(stage)})


def replay_all(state: State, actor: str) -> list[str]:
    """Replay every dead message; the ids replayed."""
    done = []
    for v in dead_letters(state, 1_000_000):
        try:
            replay(state, v.id, actor)
        except NotDeadError:
            continue
        done.append(v.id)
    return done


def status_counts(state: State) -> dict[str, int]:
    """Messages per status, every status present."""
    out = {str(s): 0 for s in MessageStatus}
    with state.read() as rows:
        for m in rows.messages.values():
            out[str(m.status)] += 1
    return out


def job_counts(state: State) -> dict[str, int]:
    """Jobs per state: ``due``, ``leased``, ``scheduled``, ``done``."""
    out = {"due": 0, "leased": 0, "scheduled": 0, "done": 0}
    now = state.clock.time()
    with state.read() as rows:
        for j in rows.jobs.values():
            name = (
                "done" if j.done else "leased" if j.lease_until > now else "scheduled" if j.run_after > now else "due"
            )
            out[name] += 1
    return out


def throughput(state: State, bucket: str, periods: int) -> list[tuple[str, int]]:
    """Messages received per bucket over the last ``periods`` buckets, oldest first."""
    step, label = BUCKETS[bucket]
    start = datetime.fromtimestamp(state.clock.time(), UTC) - step * periods
    counts: dict[int, int] = {}
    with state.read() as rows:
        for m in rows.messages.values():
            if m.received_at >= start:
                i = int((m.received_at - start) / step)
                counts[i] = counts.get(i, 0) + 1
    return [((start + step * (i + 1)).strftime(label), counts.get(i, 0)) for i in range(periods)]


def iter_facts(
    state: State, *, gemeente: str | None, aanbieder: str | None, kind: FactKind | None, since: date | None,
    until: date | None,
) -> Iterator[Fact]:  # fmt: skip
    """Facts kept by the map stage, filtered, in the order kept."""
    with state.read() as rows:
        kept = [f for _, f in rows.facts]
    for f in kept:
        if gemeente is not None and f.gemeente != gemeente:
            continue
        if aanbieder is not None and f.aanbieder != aanbieder:
            continue
        if kind is not None and f.kind != kind:
            continue
        if since is not None and f.begindatum < since:
            continue
        if until is not None and f.begindatum > until:
            continue
        yield f


def facts_of(state: State, message_id: str) -> list[Fact]:
    """The facts kept for one message."""
    with state.read() as rows:
        return [f for mid, f in rows.facts if mid == message_id]


__all__ = ["audit_events", "dead_letters", "deliveries", "get_message", "iter_facts", "list_messages", "view"]
