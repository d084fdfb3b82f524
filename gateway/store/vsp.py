"""The VSP-Koppeling's bookkeeping beside the messages: traceerIds, conversaties, and what a party may pull.

A push is one transaction: the message goes through the one intake (:meth:`Store.intake`, the
traceerId as its Idempotency-Key) and, in the same commit, its ``vsp_berichten`` row (kind
``heen``), the row of the retour Ketenpoort will answer with (kind ``retour``, its own traceerId,
``als_antwoord_op`` the heenbericht's) and the offers: the retour to the afzender, the heenbericht
to each geadresseerde. An offer is listed once its content exists (the retour once validation built
it; the heenbericht once accepted) and until the party confirms it (DELETE). Listing walks the
partial index ``(party, id) WHERE confirmed_at IS NULL`` from a keyset position, so every page costs
the same however many came before or were confirmed.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from gateway.errors import StoreConflictError
from gateway.intake import IntakeRecord
from gateway.model import MessageStatus
from gateway.store import Store
from gateway.store.schema import messages, vsp_berichten, vsp_offers

HEEN = "heen"
RETOUR = "retour"
PULLED = "pulled"

_OFFERABLE_HEEN = [str(s) for s in (MessageStatus.ACCEPTED, MessageStatus.RELAYING, MessageStatus.DELIVERED)]


@dataclass(frozen=True, slots=True)
class PushMeta:
    """What the Push API's berichtMetadata says, checked; ``routering`` is kept as sent."""

    traceer_id: str
    conversatie_id: str
    referentie_id: str | None
    afzender: str
    geadresseerden: tuple[str, ...]
    routering: Mapping[str, Any]
    verwerkingscontext: Sequence[Mapping[str, Any]] | None
    retour_routering: Mapping[str, Any] | None
    """The routeringgegevens of the retour Ketenpoort will offer the afzender; None: the message has none."""


@dataclass(frozen=True, slots=True)
class PushOutcome:
    """The message a push became; ``created`` False for a traceerId seen before."""

    message_id: str
    created: bool
    status: MessageStatus
    afzender: str
    """Who pushed the traceerId first (a push under someone else's traceerId is refused)."""


@dataclass(frozen=True, slots=True)
class VspBericht:
    """One VSP bericht as the Pull and Berichtstatus APIs describe it."""

    offer_id: int
    traceer_id: str
    conversatie_id: str
    als_antwoord_op: str | None
    referentie_id: str | None
    kind: str
    routering: Mapping[str, Any]
    verwerkingscontext: Sequence[Mapping[str, Any]] | None
    received_at: datetime
    message_id: str
    message_status: MessageStatus
    updated_at: datetime
    findings: Sequence[Mapping[str, Any]]
    content_ready: bool
    confirmed: bool
    size: int | None = None
    sha256: str | None = None


_B, _O, _M = vsp_berichten.c, vsp_offers.c, messages.c

_WAITING_COLUMNS = (
    _O.id.label("offer_id"),
    _O.kind,
    _O.confirmed_at,
    _B.traceer_id,
    _B.conversatie_id,
    _B.als_antwoord_op,
    _B.referentie_id,
    _B.routering,
    _B.verwerkingscontext,
    _B.received_at,
    _B.message_id,
    _M.status,
    _M.updated_at,
    _M.findings,
)


_KNOWN = (
    sa.select(_B.message_id, _B.afzender, _M.status)
    .select_from(vsp_berichten.join(messages, _M.id == _B.message_id))
    .where(_B.traceer_id == sa.bindparam("b_traceer"))
)
_INSERT_BERICHT = vsp_berichten.insert().returning(_B.id)
_INSERT_OFFER = vsp_offers.insert()
"""Built once: SQLAlchemy then reuses their compiled form (building them per push cost more than the commit)."""


def _ready() -> sa.ColumnElement[bool]:
    """An offer's content exists: a retour once built, a heenbericht once accepted (and not purged)."""
    return sa.or_(
        sa.and_(_O.kind == RETOUR, _M.retour.is_not(None)),
        sa.and_(_O.kind == HEEN, _M.status.in_(_OFFERABLE_HEEN), _M.payload.is_not(None)),
    )


def _content() -> sa.ColumnElement[Any]:
    """What an offer hands over: the retour Ketenpoort built, or the heenbericht as pushed."""
    return sa.case((_O.kind == RETOUR, _M.retour), else_=_M.payload)


def _bericht(row: Any, *, ready: bool | None = None) -> VspBericht:
    content = getattr(row, "content", None)
    return VspBericht(
        offer_id=int(row.offer_id),
        traceer_id=row.traceer_id,
        conversatie_id=row.conversatie_id,
        als_antwoord_op=row.als_antwoord_op,
        referentie_id=row.referentie_id,
        kind=row.kind,
        routering=row.routering,
        verwerkingscontext=row.verwerkingscontext,
        received_at=row.received_at,
        message_id=row.message_id,
        message_status=MessageStatus(row.status),
        updated_at=row.updated_at,
        findings=tuple(row.findings or ()),
        content_ready=True if ready is None else ready,
        confirmed=row.confirmed_at is not None,
        size=len(content) if content is not None else getattr(row, "payload_size", None),
        sha256=hashlib.sha256(content).hexdigest() if content is not None else getattr(row, "payload_sha256", None),
    )


class VspStore:
    """The VSP operations over a :class:`gateway.store.Store` (its transactions, its intake, its audit chain)."""

    def __init__(self, store: Store) -> None:
        """Wrap ``store``; nothing is opened."""
        self.store = store

    def push(self, record: IntakeRecord, meta: PushMeta, *, actor: str) -> PushOutcome:
        """Take a pushed message in with its VSP rows, all in one commit; the same traceerId again is the same one.

        A new traceerId is the common case, so it is not looked up first: a known one breaks the unique
        index, the whole commit (intake included) rolls back, and the answer is the message it named.
        """
        try:
            return self._push_new(record, meta, actor)
        except StoreConflictError:
            known = self._known(meta.traceer_id)
            if known is None:  # some other constraint: not ours to explain
                raise
            return known

    def _known(self, traceer_id: str) -> PushOutcome | None:
        with self.store.db.read_one() as conn:
            row = conn.execute(_KNOWN, {"b_traceer": traceer_id}).first()
        return None if row is None else PushOutcome(row.message_id, False, MessageStatus(row.status), row.afzender)

    def _push_new(self, record: IntakeRecord, meta: PushMeta, actor: str) -> PushOutcome:
        with self.store.batch():
            result = self.store.intake(record)
            with self.store.db.write() as tx:
                heen_id = self._insert_bericht(
                    tx.conn,
                    traceer_id=meta.traceer_id,
                    conversatie_id=meta.conversatie_id,
                    als_antwoord_op=None,
                    referentie_id=meta.referentie_id,
                    message_id=result.message_id,
                    kind=HEEN,
                    afzender=meta.afzender,
                    routering=dict(meta.routering),
                    verwerkingscontext=list(meta.verwerkingscontext) if meta.verwerkingscontext else None,
                    received_at=tx.now,
                )
                offers = [(party, heen_id, HEEN) for party in dict.fromkeys(meta.geadresseerden)]
                retour_traceer: str | None = None
                if meta.retour_routering is not None:
                    retour_traceer = str(uuid.uuid4())
                    retour_id = self._insert_bericht(
                        tx.conn,
                        traceer_id=retour_traceer,
                        conversatie_id=meta.conversatie_id,
                        als_antwoord_op=meta.traceer_id,
                        referentie_id=None,
                        message_id=result.message_id,
                        kind=RETOUR,
                        afzender=str(meta.retour_routering["afzender"].get("code", "")),
                        routering=dict(meta.retour_routering),
                        verwerkingscontext=None,
                        received_at=tx.now,
                    )
                    offers.append((meta.afzender, retour_id, RETOUR))
                if offers:
                    tx.conn.execute(
                        _INSERT_OFFER,
                        [
                            {"party": p, "bericht_id": b, "message_id": result.message_id, "kind": k,
                             "created_at": tx.now}
                            for p, b, k in offers
                        ],
                    )  # fmt: skip
                tx.audit(
                    "vsp.pushed",
                    result.message_id,
                    actor=actor,
                    data={
                        "traceer_id": meta.traceer_id,
                        "conversatie_id": meta.conversatie_id,
                        "retour_traceer_id": retour_traceer,
                        "duplicate": not result.created,
                    },
                )
        return PushOutcome(result.message_id, True, result.status, meta.afzender)

    def take_in(
        self, record: IntakeRecord, meta: Mapping[str, Any], *, heen_message_id: str | None, actor: str
    ) -> PushOutcome:
        """Take in a bericht pulled from VECOZO (BerichtMetadata ``meta``) with its VSP row, in one commit.

        The same traceerId again (a crash before its DELETE went out) is the message taken in before.
        ``heen_message_id``: the message of ours it answers (its alsAntwoordOp), kept when it exists.
        """
        referentie = meta["referentiegegevens"]
        traceer = str(referentie["traceerId"]).lower()
        known = self._known(traceer)
        if known is not None:
            return known
        routing = meta["routeringgegevens"]
        afzender = str(routing["afzender"].get("code") or routing["afzender"]["rol"])
        try:
            with self.store.batch():
                if heen_message_id is not None and self.store.get_message(heen_message_id) is None:
                    heen_message_id = None
                result = self.store.intake(record)
                with self.store.db.write() as tx:
                    self._insert_bericht(
                        tx.conn,
                        traceer_id=traceer,
                        conversatie_id=str(referentie["conversatieId"]).lower(),
                        als_antwoord_op=referentie.get("alsAntwoordOp"),
                        referentie_id=referentie.get("referentieId"),
                        message_id=result.message_id,
                        kind=PULLED,
                        afzender=afzender,
                        routering=dict(routing),
                        verwerkingscontext=meta.get("verwerkingscontext"),
                        heen_message_id=heen_message_id,
                        received_at=tx.now,
                    )
                    tx.audit(
                        "vsp.pulled",
                        result.message_id,
                        actor=actor,
                        data={
                            "traceer_id": traceer,
                            "heen_message_id": heen_message_id,
                            "duplicate": not result.created,
                        },
                    )
        except StoreConflictError:  # the same traceerId taken in concurrently by another puller
            known = self._known(traceer)
            if known is None:
                raise
            return known
        return PushOutcome(result.message_id, True, result.status, afzender)

    def pulled_for(self, heen_message_id: str) -> list[str]:
        """The messages taken in from VECOZO that answer ``heen_message_id`` (its retours), oldest first."""
        with self.store.db.read_one() as conn:
            return list(
                conn.execute(
                    sa.select(_B.message_id)
                    .where(_B.heen_message_id == heen_message_id, _B.kind == PULLED)
                    .order_by(_B.id)
                ).scalars()
            )

    def traceer_ids(self, kind: str) -> list[str]:
        """Every traceerId of this kind (tests and the crash checks)."""
        with self.store.db.read_one() as conn:
            return list(conn.execute(sa.select(_B.traceer_id).where(_B.kind == kind).order_by(_B.id)).scalars())

    @staticmethod
    def _insert_bericht(conn: sa.Connection, **values: Any) -> int:
        row = {"als_antwoord_op": None, "referentie_id": None, "verwerkingscontext": None, "heen_message_id": None}
        return int(conn.execute(_INSERT_BERICHT, {**row, **values}).scalar_one())

    def waiting(self, parties: Collection[str], *, after: int = 0, limit: int = 250) -> list[VspBericht]:
        """The oldest unconfirmed, ready offers to ``parties`` after offer id ``after`` (keyset), at most ``limit``."""
        if not parties:
            return []
        query = (
            sa.select(  # a heenbericht's size and digest are kept at intake: only a retour's content is read
                *_WAITING_COLUMNS,
                sa.case((_O.kind == RETOUR, _M.retour), else_=sa.null()).label("content"),
                _M.payload_size,
                _M.payload_sha256,
            )
            .select_from(vsp_offers.join(vsp_berichten, _B.id == _O.bericht_id).join(messages, _M.id == _O.message_id))
            .where(_O.party.in_(list(parties)), _O.confirmed_at.is_(None), _O.id > after, _ready())
            .order_by(_O.id)
            .limit(limit)
        )
        with self.store.db.read_one() as conn:
            return [_bericht(row) for row in conn.execute(query)]

    def content(self, parties: Collection[str], traceer_id: str) -> bytes | None:
        """The payload of an unconfirmed, ready offer to ``parties``; None when there is none to them."""
        if not parties:
            return None
        query = (
            sa.select(_content())
            .select_from(vsp_offers.join(vsp_berichten, _B.id == _O.bericht_id).join(messages, _M.id == _O.message_id))
            .where(_B.traceer_id == traceer_id, _O.party.in_(list(parties)), _O.confirmed_at.is_(None), _ready())
            .limit(1)
        )
        with self.store.db.read_one() as conn:
            found = conn.execute(query).scalar()
        return bytes(found) if found is not None else None

    def confirm(self, parties: Collection[str], traceer_id: str, *, actor: str) -> bool:
        """Confirm receipt (DELETE): the offer is never listed again; False when there was no open one to them."""
        if not parties:
            return False
        with self.store.db.write() as tx:
            row = tx.conn.execute(
                sa.select(_O.id, _O.message_id)
                .select_from(vsp_offers.join(vsp_berichten, _B.id == _O.bericht_id))
                .where(_B.traceer_id == traceer_id, _O.party.in_(list(parties)), _O.confirmed_at.is_(None))
                .limit(1)
            ).first()
            if row is None:
                return False
            tx.conn.execute(vsp_offers.update().where(_O.id == row.id).values(confirmed_at=tx.now))
            tx.audit("vsp.confirmed", row.message_id, actor=actor, data={"traceer_id": traceer_id})
        return True

    def statuses(
        self, parties: Collection[str], *, traceer_id: str | None = None, conversatie_id: str | None = None
    ) -> list[VspBericht]:
        """The berichten with this traceerId (or alsAntwoordOp) or in this conversatie that ``parties`` may see.

        A party sees a bericht it sent (afzender) or was offered; a retour only once it exists.
        """
        if not parties or (traceer_id is None and conversatie_id is None):
            return []
        conditions = []
        if traceer_id is not None:
            conditions.append(sa.or_(_B.traceer_id == traceer_id, _B.als_antwoord_op == traceer_id))
        if conversatie_id is not None:
            conditions.append(_B.conversatie_id == conversatie_id)
        which = sa.and_(*conditions)
        party_list = list(parties)
        query = (
            sa.select(*_WAITING_COLUMNS, _ready().label("ready"))
            .select_from(vsp_offers.join(vsp_berichten, _B.id == _O.bericht_id).join(messages, _M.id == _O.message_id))
            .where(which, sa.or_(_O.party.in_(party_list), _B.afzender.in_(party_list)))
            .order_by(_B.id, _O.id)
        )
        seen: dict[str, VspBericht] = {}
        with self.store.db.read() as conn:
            heen = (
                sa.select(
                    sa.literal(0).label("offer_id"),
                    sa.literal(HEEN).label("kind"),
                    sa.null().label("confirmed_at"),
                    *_WAITING_COLUMNS[3:],
                )
                .select_from(vsp_berichten.join(messages, _M.id == _B.message_id))
                .where(which, _B.kind == HEEN, _B.afzender.in_(party_list))
            )
            for row in conn.execute(heen):
                seen[row.traceer_id] = _bericht(row)
            for row in conn.execute(query):
                if row.traceer_id in seen:
                    continue
                ready = bool(row.ready)
                if row.kind == RETOUR and not ready and row.confirmed_at is None:
                    continue  # a retour not built yet does not exist
                seen[row.traceer_id] = _bericht(row, ready=ready)
        return list(seen.values())[:250]


__all__ = ["HEEN", "PULLED", "RETOUR", "PushMeta", "PushOutcome", "VspBericht", "VspStore"]
