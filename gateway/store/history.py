"""The message history the berichtoverstijgende rules ask for, answered from the store.

Sources: the ``messages`` table (TR056 Identificatie, TR333 DeclaratieNummer, TR371 XsdVersie kept at intake)
and the ``facts`` the map stage keeps (toewijzingen from JW301, Prestaties from JW323).
Clients are compared by pseudonym (:class:`gateway.pseudonym.Pseudonymiser`), never by BSN.

Known gaps, on purpose rather than guessed: facts do not carry Frequentie, Budget or
VorigReferentieNummer, so :class:`ToegewezenProduct` leaves those None and
``gecrediteerd``/open debets are decided by netting debet and credit Prestaties with the same
key; a message only sees facts of messages whose map stage has committed; rejected and
duplicate messages do not count as "seen". A declaratie's DeclaratiePeriode is not kept either: TR318
bounds it from below by the declaratie's Prestaties (see ``_LAATSTE_PERIODE``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from gateway.facts import FactKind
from gateway.model import MessageStatus
from gateway.pseudonym import Pseudonymiser
from gateway.rules.context import EerderePrestatie, PrestatieSleutel, Regieregel, ToegewezenProduct
from gateway.rules.referentie_context import Referentie
from gateway.store.driver import CUSTOM_PLAN, Driver
from gateway.store.schema import facts, messages
from gateway.store.tarief_reads import contract_tarieven
from gateway.tarieven import Tarief

_NOT_SEEN = (str(MessageStatus.REJECTED), str(MessageStatus.DUPLICATE))
_CHUNK = 500

_m = messages.c
_SEEN_IDENTIFICATIE = (
    sa.select(_m.id)
    .where(
        _m.sender == sa.bindparam("s"),
        _m.external_id == sa.bindparam("v"),
        _m.status.not_in(_NOT_SEEN),
        _m.id != sa.bindparam("x"),
        # a changed resend (resend_of set) counts only against later messages: a first sending is
        # never rejected because of a resend validated before it
        sa.or_(_m.resend_of.is_(None), _m.id < sa.bindparam("x")),
        sa.or_(sa.bindparam("t", type_=sa.String()).is_(None), _m.type == sa.bindparam("t", type_=sa.String())),
    )
    .limit(1)
    .execution_options(**{CUSTOM_PLAN: True})
)
_SEEN_DECLARATIE = (
    sa.select(_m.id)
    .where(
        _m.sender == sa.bindparam("s"),
        _m.declaratienummer == sa.bindparam("v"),
        _m.status.not_in(_NOT_SEEN),
        _m.id != sa.bindparam("x"),
    )
    .limit(1)
    .execution_options(**{CUSTOM_PLAN: True})
)

_DECLARATIE_XSD = (
    sa.select(_m.basisschema_xsd, _m.bericht_xsd)
    .where(
        _m.sender == sa.bindparam("s"),
        _m.external_id == sa.bindparam("v"),
        _m.type == "JW323",
        _m.status.not_in(_NOT_SEEN),
        _m.id != sa.bindparam("x"),
    )
    .order_by(_m.id)
    .limit(1)
    .execution_options(**{CUSTOM_PLAN: True})
)
"""TR371: the XsdVersie of the JW323 a JW325 answers (the one TR337 finds: a changed resend is rejected by TR056)."""

_f = facts.c
# Built once: a statement made per call cost SQLAlchemy more (cache key, compile lookup) than the query itself.
_TOEGEWEZEN = (
    sa.select(_f.toewijzingnummer, _f.client, _f.begindatum, _f.einddatum, _f.productcategorie, _f.productcode,
              _f.eenheid, _f.volume, _f.reden)
    .where(_f.kind == str(FactKind.TOEWIJZING), _f.gemeente == sa.bindparam("g"), _f.aanbieder == sa.bindparam("a"),
           _f.toewijzingnummer.in_(sa.bindparam("v", expanding=True)))
    .order_by(_f.id)
)  # fmt: skip


_REGIE = (
    sa.select(_f.kind, _f.client, _f.toewijzingnummer, _f.productcategorie, _f.productcode, _f.begindatum,
              _f.einddatum, _f.status_aanlevering, _f.reden, _f.id)
    .where(_f.kind.in_((str(FactKind.START), str(FactKind.STOP))), _f.gemeente == sa.bindparam("g"),
           _f.aanbieder == sa.bindparam("a"), _f.toewijzingnummer.in_(sa.bindparam("v", expanding=True)),
           _f.message_id != sa.bindparam("x"))
)  # fmt: skip


_REFERENTIE_KINDS = (str(FactKind.VERZOEK), str(FactKind.ANTWOORD), str(FactKind.TOEWIJZING))
_REFERENTIES = (
    sa.select(_f.kind, _f.gemeente, _f.client, _f.referentienummer, _f.reden, _f.toewijzingnummer, _f.id)
    .where(_f.kind.in_(_REFERENTIE_KINDS), _f.aanbieder == sa.bindparam("a"),
           _f.referentienummer.in_(sa.bindparam("v", expanding=True)), _f.message_id != sa.bindparam("x"))
)  # fmt: skip
_VERZOEKEN_VAN = (
    sa.select(_f.kind, _f.gemeente, _f.client, _f.referentienummer, _f.reden, _f.toewijzingnummer, _f.id)
    .where(_f.kind == str(FactKind.VERZOEK), _f.aanbieder == sa.bindparam("a"),
           _f.client.in_(sa.bindparam("v", expanding=True)), _f.message_id != sa.bindparam("x"))
)  # fmt: skip


_VAN_CLIENT = (
    sa.select(_f.toewijzingnummer, _f.client, _f.begindatum, _f.einddatum, _f.productcategorie, _f.productcode,
              _f.eenheid, _f.volume, _f.reden)
    .where(_f.kind == str(FactKind.TOEWIJZING), _f.gemeente == sa.bindparam("g"), _f.aanbieder == sa.bindparam("a"),
           _f.client == sa.bindparam("c"))
    .order_by(_f.id)
)  # fmt: skip
_GEDECLAREERD = (
    sa.select(_f.toewijzingnummer, _f.productcategorie, _f.productcode, _f.begindatum, _f.einddatum, _f.bedrag_cent)
    .where(_f.kind == str(FactKind.PRESTATIE), _f.gemeente == sa.bindparam("g"), _f.aanbieder == sa.bindparam("a"),
           _f.toewijzingnummer.in_(sa.bindparam("v", expanding=True)), _f.message_id != sa.bindparam("x"))
)  # fmt: skip
_LAATSTE_PERIODE = (
    sa.select(sa.func.max(sa.func.coalesce(_f.einddatum, _f.begindatum), type_=sa.Date()))
    .select_from(facts.join(messages, _m.id == _f.message_id))
    .where(_f.kind == str(FactKind.PRESTATIE), _f.gemeente == sa.bindparam("g"), _f.aanbieder == sa.bindparam("a"),
           _m.type == "JW323", _m.status.not_in(_NOT_SEEN), _m.received_at < sa.bindparam("t"),
           _f.message_id != sa.bindparam("x"))
)  # fmt: skip
"""TR318: a JW323's DeclaratiePeriode is one month (CS340) on or after each of its ProductPerioden (TR319), so the
latest ProductPeriode of the earlier declaraties bounds the latest DeclaratiePeriode submitted from below."""


def _product(r: Any) -> ToegewezenProduct:
    return ToegewezenProduct(
        toewijzingnummer=r.toewijzingnummer,
        client=r.client,
        ingangsdatum=r.begindatum,
        einddatum=r.einddatum,
        productcategorie=r.productcategorie,
        productcode=r.productcode,
        eenheid=r.eenheid,
        volume=r.volume,
        reden_wijziging=r.reden,
    )


def _prestaties_by(column: Any, *, excluding: bool) -> sa.Select[Any]:
    query = sa.select(_f.referentienummer, _f.toewijzingnummer, _f.productcategorie, _f.productcode,
                      _f.begindatum, _f.einddatum, _f.bedrag_cent).where(
        _f.kind == str(FactKind.PRESTATIE), _f.aanbieder == sa.bindparam("a"),
        column.in_(sa.bindparam("v", expanding=True))
    )  # fmt: skip
    if excluding:
        query = query.where(_f.message_id != sa.bindparam("x"))
    return query.order_by(_f.id)


_PRESTATIES = {
    (column.name, excluding): _prestaties_by(column, excluding=excluding)
    for column in (_f.referentienummer, _f.toewijzingnummer)
    for excluding in (False, True)
}


def _chunks(values: Collection[str]) -> list[list[str]]:
    ordered = sorted(set(values))
    return [ordered[i : i + _CHUNK] for i in range(0, len(ordered), _CHUNK)]


class StoreHistory:
    """:class:`gateway.rules.context.MessageHistory` over a store's engine."""

    def __init__(
        self,
        connect: Callable[[], AbstractContextManager[sa.Connection]],
        pseudonymiser: Pseudonymiser,
        driver: Driver,
    ) -> None:
        """Read through ``connect`` (the store's ``read_one``: inside a write batch it is the batch's own
        transaction, so a message sees the facts of the messages before it in the batch); file clients
        under ``pseudonymiser``'s pseudonyms."""
        self.connect = connect
        self.pseudonymiser = pseudonymiser
        self.driver = driver

    def contract_tarieven(self, gemeente: str, aanbieder: str) -> Sequence[Tarief] | None:
        """TR418: the gemeente's contract tariffs for ``aanbieder``; None when the gemeente has no tariff table."""
        with self.connect() as conn:
            return contract_tarieven(conn, gemeente, aanbieder)

    def _rows(self, query: sa.Select[Any], params: dict[str, Any] | None = None) -> list[Any]:
        with self.connect() as conn:
            return self.driver.execute(conn, query, params).all()

    def seen_identificatie(
        self, sender: str, identificatie: str, exclude_message_id: str | None, *, message_type: str | None = None
    ) -> bool:
        """TR056: an earlier, not rejected message of ``sender`` with this Identificatie."""
        params = {"s": sender, "v": identificatie, "x": exclude_message_id or "", "t": message_type}
        return bool(self._rows(_SEEN_IDENTIFICATIE, params))

    def seen_declaratienummer(self, aanbieder: str, declaratienummer: str, exclude_message_id: str | None) -> bool:
        """TR333: an earlier, not rejected JW323 of ``aanbieder`` with this DeclaratieNummer."""
        return bool(
            self._rows(_SEEN_DECLARATIE, {"s": aanbieder, "v": declaratienummer, "x": exclude_message_id or ""})
        )

    def declaratie_xsd_versie(
        self, aanbieder: str, identificatie: str, exclude_message_id: str | None
    ) -> tuple[str | None, str | None] | None:
        """TR371: (BasisschemaXsdVersie, BerichtXsdVersie) of the earlier JW323 of ``aanbieder`` with this
        Identificatie; None when there is none, a None inside when intake could not read it."""
        found = self._rows(_DECLARATIE_XSD, {"s": aanbieder, "v": identificatie, "x": exclude_message_id or ""})
        return (found[0].basisschema_xsd, found[0].bericht_xsd) if found else None

    def client_key(self, bsn: str) -> str:
        """The pseudonym under which facts file this client."""
        return self.pseudonymiser(bsn)

    def toegewezen_producten(
        self, gemeente: str, aanbieder: str, toewijzingnummers: Collection[str]
    ) -> Mapping[str, ToegewezenProduct]:
        """The latest JW301 fact per ToewijzingNummer of this gemeente to this aanbieder."""
        out: dict[str, ToegewezenProduct] = {}
        for chunk in _chunks(toewijzingnummers):
            params = {"g": gemeente, "a": aanbieder, "v": chunk}
            for r in self._rows(_TOEGEWEZEN, params):  # later rows (newer JW301s) overwrite earlier ones
                out[r.toewijzingnummer] = _product(r)
        return out

    def toewijzingen_van_client(self, gemeente: str, aanbieder: str, client: str) -> Sequence[ToegewezenProduct]:
        """TR349: the latest JW301 fact per ToewijzingNummer of this client, gemeente and aanbieder."""
        out: dict[str, ToegewezenProduct] = {}
        for r in self._rows(_VAN_CLIENT, {"g": gemeente, "a": aanbieder, "c": client}):
            if r.toewijzingnummer:
                out[r.toewijzingnummer] = _product(r)
        return [out[n] for n in sorted(out)]

    def gedeclareerde_toewijzingen(
        self, gemeente: str, aanbieder: str, toewijzingnummers: Collection[str], exclude_message_id: str | None
    ) -> Collection[str]:
        """TR385: the ToewijzingNummers with more debet than credit Prestaties under one key (netted as TR389's)."""
        balance: dict[PrestatieSleutel, int] = {}
        for chunk in _chunks(toewijzingnummers):
            params = {"g": gemeente, "a": aanbieder, "v": chunk, "x": exclude_message_id or ""}
            for r in self._rows(_GEDECLAREERD, params):
                key = _key(r)
                balance[key] = balance.get(key, 0) + (-1 if (r.bedrag_cent or 0) < 0 else 1)
        return {key.toewijzingnummer for key, n in balance.items() if n > 0}

    def laatste_productperiode(
        self, gemeente: str, aanbieder: str, ontvangen_tot: date, exclude_message_id: str | None
    ) -> date | None:
        """TR318: the latest ProductPeriode end of the accepted JW323s received on or before ``ontvangen_tot``
        (the day as UTC; a declaratie's facts only exist once its map stage committed)."""
        tot = datetime.combine(ontvangen_tot + timedelta(days=1), time(), tzinfo=UTC)
        rows = self._rows(_LAATSTE_PERIODE, {"g": gemeente, "a": aanbieder, "t": tot, "x": exclude_message_id or ""})
        found = rows[0][0] if rows else None
        return found if isinstance(found, date) else None

    def _prestaties(self, aanbieder: str, column: Any, values: Collection[str], exclude: str | None) -> list[Any]:
        query = _PRESTATIES[column.name, exclude is not None]
        rows: list[Any] = []
        for chunk in _chunks(values):
            rows += self._rows(query, {"a": aanbieder, "v": chunk, "x": exclude})
        return rows

    def eerdere_prestaties(
        self, aanbieder: str, referentienummers: Collection[str], exclude_message_id: str | None
    ) -> Mapping[str, EerderePrestatie]:
        """Earlier Prestaties of ``aanbieder`` with these ReferentieNummers (credit when the amount is negative)."""
        rows = self._prestaties(aanbieder, facts.c.referentienummer, referentienummers, exclude_message_id)
        nummers = {r.toewijzingnummer for r in rows if r.toewijzingnummer and (r.bedrag_cent or 0) >= 0}
        related = self._prestaties(aanbieder, facts.c.toewijzingnummer, nummers, exclude_message_id) if nummers else []
        credited = {_key(r) for r in related if (r.bedrag_cent or 0) < 0}
        out: dict[str, EerderePrestatie] = {}
        for r in rows:
            if r.referentienummer is None or r.toewijzingnummer is None:
                continue
            credit = (r.bedrag_cent or 0) < 0
            out[r.referentienummer] = EerderePrestatie(
                referentienummer=r.referentienummer,
                debet_credit="C" if credit else "D",
                toewijzingnummer=r.toewijzingnummer,
                productcategorie=r.productcategorie,
                productcode=r.productcode,
                begindatum=r.begindatum,
                einddatum=r.einddatum if r.einddatum is not None else r.begindatum,
                gecrediteerd=not credit and _key(r) in credited,
            )
        return out

    def regieregels(
        self, gemeente: str, aanbieder: str, toewijzingnummers: Collection[str], exclude_message_id: str | None
    ) -> Sequence[Regieregel]:
        """The start and stop facts on these ToewijzingNummers, oldest first (no status read as 1)."""
        found: list[Any] = []
        for chunk in _chunks(toewijzingnummers):
            found += self._rows(_REGIE, {"g": gemeente, "a": aanbieder, "v": chunk, "x": exclude_message_id or ""})
        found.sort(key=lambda r: r.id)
        return [
            Regieregel(
                soort=r.kind,
                client=r.client,
                toewijzingnummer=r.toewijzingnummer,
                productcategorie=r.productcategorie,
                productcode=r.productcode,
                begindatum=r.begindatum,
                einddatum=r.einddatum,
                status_aanlevering=r.status_aanlevering or "1",
                reden_beeindiging=r.reden,
            )
            for r in found
        ]

    def referenties(
        self, aanbieder: str, referenties: Collection[str], clients: Collection[str], exclude_message_id: str | None
    ) -> Sequence[Referentie]:
        """TR347..TR379: the earlier verzoeken, antwoorden and toewijzingen of ``aanbieder`` with these
        ReferentieAanbieders, plus the earlier verzoeken for these clients and what answered them; oldest first."""
        x = exclude_message_id or ""
        found: dict[int, Any] = {}
        for chunk in _chunks(clients):
            found.update((r.id, r) for r in self._rows(_VERZOEKEN_VAN, {"a": aanbieder, "v": chunk, "x": x}))
        wanted = set(referenties) | {r.referentienummer for r in found.values()}
        for chunk in _chunks(wanted):
            found.update((r.id, r) for r in self._rows(_REFERENTIES, {"a": aanbieder, "v": chunk, "x": x}))
        antwoord = str(FactKind.ANTWOORD)
        return [
            Referentie(
                soort=r.kind,
                gemeente=r.gemeente,
                client=r.client,
                referentie=r.referentienummer,
                verzoek_antwoord=r.reden if r.kind == antwoord else None,
                toewijzingnummer=r.toewijzingnummer,
            )
            for _, r in sorted(found.items())
        ]

    def open_debetten(
        self, aanbieder: str, sleutels: Collection[PrestatieSleutel], exclude_message_id: str | None
    ) -> Collection[PrestatieSleutel]:
        """TR389: the keys with more earlier debet than credit Prestaties."""
        wanted = set(sleutels)
        nummers = {s.toewijzingnummer for s in wanted}
        balance: dict[PrestatieSleutel, int] = {}
        for r in self._prestaties(aanbieder, facts.c.toewijzingnummer, nummers, exclude_message_id):
            key = _key(r)
            if key in wanted:
                balance[key] = balance.get(key, 0) + (-1 if (r.bedrag_cent or 0) < 0 else 1)
        return {key for key, n in balance.items() if n > 0}


def _key(row: Any) -> PrestatieSleutel:
    end = row.einddatum if row.einddatum is not None else row.begindatum
    return PrestatieSleutel(row.toewijzingnummer or "", row.productcategorie, row.productcode, row.begindatum, end)


__all__ = ["StoreHistory"]
