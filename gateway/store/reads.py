"""The read side for the API, the dashboard and the CLI: messages, timelines, dead letters, counts, facts.

Also the two operator writes that belong with the dead-letter queue: :meth:`Reads.replay`
and :meth:`Reads.replay_all` (dead → relaying with a fresh relay job, audited with the actor).
"""

from __future__ import annotations

import base64
from collections.abc import Collection, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from gateway.errors import StoreError
from gateway.facts import Fact, FactKind
from gateway.model import MessageStatus, Stage, finding_from_dict
from gateway.store.database import Database
from gateway.store.schema import audit_events, deliveries, facts, jobs, messages
from gateway.store.views import AuditView, DeliveryView, MessageView, verdict_of

_VIEW_COLUMNS = [c for c in messages.c if c.name not in ("payload", "idempotency_key")]

_REPLAY_STATUS = {
    str(Stage.VALIDATE): MessageStatus.RECEIVED,
    str(Stage.MAP): MessageStatus.ACCEPTED,
    str(Stage.RELAY): MessageStatus.RELAYING,
}
"""The status a dead message returns to, by the stage it is replayed into."""

_GET = sa.select(*_VIEW_COLUMNS).where(messages.c.id == sa.bindparam("b_id"))

BUCKETS = {"minute": (timedelta(minutes=1), "%H:%M"), "hour": (timedelta(hours=1), "%d %H:00"),
           "day": (timedelta(days=1), "%Y-%m-%d")}  # fmt: skip


class NotDeadError(StoreError, ValueError):
    """Replay asked for a message that is not in the dead-letter queue."""


def message_view(row: Any) -> MessageView:
    """A ``messages`` row (without payload) as a :class:`MessageView`."""
    status = MessageStatus(row.status)
    return MessageView(
        id=row.id,
        status=status,
        sender=row.sender,
        receiver=row.receiver,
        standard=row.standard,
        message_type=row.type,
        version=row.version,
        external_id=row.external_id,
        source=row.source,
        payload_sha256=row.payload_sha256,
        payload_size=int(row.payload_size),
        payload_purged=row.purged_at is not None,
        findings=tuple(finding_from_dict(f) for f in (row.findings or ())),
        retour=row.retour,
        relay_attempts=int(row.relay_attempts),
        received_at=row.received_at,
        updated_at=row.updated_at,
        delivered_at=row.delivered_at,
        purged_at=row.purged_at,
        verdict=verdict_of(status),
        finding_counts=getattr(row, "finding_counts", None) or None,
    )


def encode_cursor(message_id: str) -> str:
    """An opaque keyset cursor (the last id of a page)."""
    return base64.urlsafe_b64encode(message_id.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str | None:
    """The id a cursor points after; None for a cursor we did not make."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (ValueError, UnicodeDecodeError):
        return None
    return text if text.isalnum() and len(text) <= 32 else None


def fact_of(row: Any) -> Fact:
    """A ``facts`` row as a :class:`gateway.facts.Fact`."""
    return Fact(
        kind=FactKind(row.kind),
        client=row.client,
        aanbieder=row.aanbieder,
        gemeente=row.gemeente,
        productcategorie=row.productcategorie,
        productcode=row.productcode,
        cbs_hulpvorm=row.cbs_hulpvorm,
        begindatum=row.begindatum,
        einddatum=row.einddatum,
        volume=row.volume,
        eenheid=row.eenheid,
        bedrag_cent=row.bedrag_cent,
        toewijzingnummer=row.toewijzingnummer,
        referentienummer=row.referentienummer,
        woongemeente=row.woongemeente,
        financiering=row.financiering,
        declared_at=row.declared_at,
        status_aanlevering=row.status_aanlevering,
        reden=row.reden,
    )


class Reads:
    """Reads for the API and CLI, plus dead-letter replay."""

    def __init__(self, db: Database) -> None:
        """Over ``db``."""
        self._db = db

    def get_message(self, message_id: str) -> MessageView | None:
        """One message's metadata, verdict, findings and retour; None when unknown."""
        with self._db.read_one() as conn:
            row = conn.execute(_GET, {"b_id": message_id}).first()
        return None if row is None else message_view(row)

    def list_messages(
        self,
        *,
        parties: Collection[str] | None = None,
        status: MessageStatus | str | None = None,
        since: datetime | None = None,
        cursor: str | None = None,
        limit: int = 50,
    ) -> tuple[list[MessageView], str | None]:
        """One keyset page, newest first: sent by or addressed to ``parties`` (None: all); and the next cursor."""
        query = sa.select(*_VIEW_COLUMNS)
        if parties is not None:
            wanted = sorted(parties)
            query = query.where(sa.or_(messages.c.sender.in_(wanted), messages.c.receiver.in_(wanted)))
        if status is not None:
            query = query.where(messages.c.status == str(status))
        if since is not None:
            query = query.where(messages.c.received_at >= since)
        if cursor:
            after = decode_cursor(cursor)
            if after is None:
                return [], None
            query = query.where(messages.c.id < after)
        limit = max(1, limit)
        with self._db.read() as conn:
            rows = conn.execute(query.order_by(messages.c.id.desc()).limit(limit + 1)).all()
        items = [message_view(r) for r in rows[:limit]]
        return items, (encode_cursor(items[-1].id) if len(rows) > limit else None)

    def audit_events(self, message_id: str) -> list[AuditView]:
        """The audit timeline of one message, oldest first."""
        a = audit_events.c
        with self._db.read() as conn:
            rows = conn.execute(
                sa.select(a.seq, a.at, a.message_id, a.event, a.actor, a.data, a.hash)
                .where(a.message_id == message_id)
                .order_by(a.seq)
            ).all()
        return [AuditView(int(r.seq), r.at, r.message_id, r.event, r.actor, r.data, r.hash) for r in rows]

    def deliveries(self, message_id: str) -> list[DeliveryView]:
        """The delivery attempts of one message, oldest first."""
        d = deliveries.c
        with self._db.read() as conn:
            rows = conn.execute(sa.select(deliveries).where(d.message_id == message_id).order_by(d.id)).all()
        return [
            DeliveryView(r.message_id, r.attempt, r.status_code, r.latency_ms, r.verdict, r.error, r.at) for r in rows
        ]

    def dead_letters(self, limit: int = 1000) -> list[MessageView]:
        """The dead-letter queue, oldest first."""
        with self._db.read() as conn:
            rows = conn.execute(
                sa.select(*_VIEW_COLUMNS)
                .where(messages.c.status == str(MessageStatus.DEAD))
                .order_by(messages.c.id)
                .limit(limit)
            ).all()
        return [message_view(r) for r in rows]

    def replay(self, message_id: str, *, actor: str) -> None:
        """Dead → its stage again: relay with a fresh retry budget, or the stage that failed too often.

        KeyError when unknown, NotDeadError when not dead.
        """
        with self._db.write() as tx:
            status = tx.conn.execute(sa.select(messages.c.status).where(messages.c.id == message_id)).scalar()
            if status is None:
                raise KeyError(message_id)
            if status != MessageStatus.DEAD:
                raise NotDeadError(f"message {message_id} is {status}, not dead")
            last = tx.conn.execute(
                sa.select(jobs.c.stage).where(jobs.c.message_id == message_id).order_by(jobs.c.id.desc()).limit(1)
            ).scalar()
            stage = Stage(last) if last in _REPLAY_STATUS else Stage.RELAY
            values: dict[str, object] = {"status": str(_REPLAY_STATUS[str(stage)]), "updated_at": tx.now}
            if stage is Stage.RELAY:
                values.update(relay_attempts=0, first_attempt_at=None)
            tx.conn.execute(messages.update().where(messages.c.id == message_id).values(**values))
            tx.enqueue(stage, message_id)
            tx.audit("message.replayed", message_id, actor=actor, data={"from": "dead", "stage": str(stage)})

    def replay_all(self, *, actor: str) -> list[str]:
        """Replay every dead message; the ids replayed."""
        done: list[str] = []
        for view in self.dead_letters(limit=1_000_000):
            try:
                self.replay(view.id, actor=actor)
            except NotDeadError:  # replayed by someone else meanwhile
                continue
            done.append(view.id)
        return done

    def status_counts(self) -> dict[str, int]:
        """Messages per status (every status present, zero included)."""
        out = {str(s): 0 for s in MessageStatus}
        with self._db.read() as conn:
            for status, count in conn.execute(
                sa.select(messages.c.status, sa.func.count()).group_by(messages.c.status)
            ):
                out[str(status)] = int(count)
        return out

    def job_counts(self) -> dict[str, int]:
        """Open jobs per state: ``due``, ``leased``, ``scheduled`` (due later), plus ``done``."""

        now = self._db.clock.time()
        state = sa.case(
            (jobs.c.done, "done"),
            (jobs.c.lease_until > now, "leased"),
            (jobs.c.run_after > now, "scheduled"),
            else_="due",
        )
        out = {"due": 0, "leased": 0, "scheduled": 0, "done": 0}
        with self._db.read() as conn:
            for name, count in conn.execute(sa.select(state.label("state"), sa.func.count()).group_by(state)):
                out[str(name)] = int(count)
        return out

    def throughput(self, bucket: str = "minute", *, periods: int = 60) -> list[tuple[str, int]]:
        """Messages received per ``bucket`` (minute, hour, day) over the last ``periods`` buckets, oldest first.

        Counted in the database (GROUP BY bucket number), so a busy hour is never loaded into memory.
        """
        step, label = BUCKETS[bucket]
        step_s = step.total_seconds()
        start = datetime.fromtimestamp(self._db.clock.time(), UTC) - step * periods
        received = messages.c.received_at
        if self._db.backend.name == "sqlite":  # julianday() reads SQLite's stored UTC text
            offset = (sa.func.julianday(received) - (start.timestamp() / 86400.0 + 2440587.5)) * 86400.0
        else:
            offset = sa.extract("epoch", received) - start.timestamp()
        # offsets are >= 0 here, so truncation is floor (SQLite may be built without floor())
        steps = offset / step_s if self._db.backend.name == "sqlite" else sa.func.floor(offset / step_s)
        index = sa.cast(steps, sa.Integer).label("i")
        with self._db.read() as conn:
            counts = {
                int(i): int(n)
                for i, n in conn.execute(sa.select(index, sa.func.count()).where(received >= start).group_by(index))
            }
        return [((start + step * (i + 1)).strftime(label), counts.get(i, 0)) for i in range(periods)]

    def iter_facts(
        self,
        *,
        gemeente: str | None = None,
        aanbieder: str | None = None,
        kind: FactKind | None = None,
        since: date | None = None,
        until: date | None = None,
        batch: int = 5000,
    ) -> Iterator[Fact]:
        """Facts kept by the map stage, filtered; streamed in batches so a large table is never all in memory."""
        query = sa.select(facts)
        if gemeente is not None:
            query = query.where(facts.c.gemeente == gemeente)
        if aanbieder is not None:
            query = query.where(facts.c.aanbieder == aanbieder)
        if kind is not None:
            query = query.where(facts.c.kind == str(kind))
        if since is not None:
            query = query.where(facts.c.begindatum >= since)
        if until is not None:
            query = query.where(facts.c.begindatum <= until)
        last = 0
        while True:
            with self._db.read() as conn:
                rows = conn.execute(query.where(facts.c.id > last).order_by(facts.c.id).limit(batch)).all()
            yield from (fact_of(r) for r in rows)
            if len(rows) < batch:
                return
            last = int(rows[-1].id)

    def facts(self) -> list[Fact]:
        """Every fact (mapping coverage); prefer :meth:`iter_facts` for large stores."""
        return list(self.iter_facts())

    def facts_of(self, message_id: str) -> list[Fact]:
        """The facts the map stage kept for one message."""
        with self._db.read() as conn:
            rows = conn.execute(sa.select(facts).where(facts.c.message_id == message_id).order_by(facts.c.id)).all()
        return [fact_of(r) for r in rows]


__all__ = ["BUCKETS", "NotDeadError", "Reads", "decode_cursor", "encode_cursor", "fact_of", "message_view"]
