"""The base :class:`~gateway.ports.MessageHistory` over the in-memory rows; spec: :mod:`gateway.store.history`.

Only the base port: the optional extensions (TariefHistory, ClientToewijzingHistory,
DeclaratieHistory, DeclaratieXsdHistory, ReferentieHistory) are not offered, so the rules that
ask them are silent on this store.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from gateway.facts import Fact, FactKind
from gateway.model import MessageStatus
from gateway.pseudonym import Pseudonymiser
from gateway.rules.context import EerderePrestatie, PrestatieSleutel, Regieregel, ToegewezenProduct
from gateway.store.history import _key, _product
from gateway.store.memory.state import State

_NOT_SEEN = frozenset({MessageStatus.REJECTED, MessageStatus.DUPLICATE})


class MemoryHistory:
    """Earlier messages and facts of one :class:`~gateway.store.memory.MemoryStore`."""

    def __init__(self, state: State, pseudonymiser: Pseudonymiser) -> None:
        """Over ``state``; clients are compared by pseudonym."""
        self._state = state
        self._pseudonymiser = pseudonymiser

    def _facts(self, kinds: Collection[FactKind], exclude: str | None = None) -> list[Fact]:
        with self._state.read() as rows:
            return [f for mid, f in rows.facts if f.kind in kinds and (exclude is None or mid != exclude)]

    def seen_identificatie(
        self, sender: str, identificatie: str, exclude_message_id: str | None, *, message_type: str | None = None
    ) -> bool:
        """TR056: an earlier, not rejected message of ``sender`` with this Identificatie."""
        x = exclude_message_id or ""
        with self._state.read() as rows:
            return any(
                m.sender == sender and m.external_id == identificatie and m.status not in _NOT_SEEN and m.id != x
                and (m.resend_of is None or m.id < x) and (message_type is None or m.message_type == message_type)
                for m in rows.messages.values()
            )  # fmt: skip

    def seen_declaratienummer(self, aanbieder: str, declaratienummer: str, exclude_message_id: str | None) -> bool:
        """TR333: an earlier, not rejected JW323 of ``aanbieder`` with this DeclaratieNummer."""
        x = exclude_message_id or ""
        with self._state.read() as rows:
            return any(m.sender == aanbieder and m.declaratienummer == declaratienummer and m.status not in _NOT_SEEN
                       and m.id != x for m in rows.messages.values())  # fmt: skip

    def client_key(self, bsn: str) -> str:
        """The pseudonym under which facts file this client."""
        return self._pseudonymiser(bsn)

    def toegewezen_producten(
        self, gemeente: str, aanbieder: str, toewijzingnummers: Collection[str]
    ) -> Mapping[str, ToegewezenProduct]:
        """The latest JW301 fact per ToewijzingNummer."""
        wanted = set(toewijzingnummers)
        return {f.toewijzingnummer: _product(f) for f in self._facts({FactKind.TOEWIJZING})
                if f.gemeente == gemeente and f.aanbieder == aanbieder and f.toewijzingnummer in wanted
                and f.toewijzingnummer is not None}  # fmt: skip

    def _prestaties(self, aanbieder: str, exclude: str | None) -> list[Fact]:
        return [f for f in self._facts({FactKind.PRESTATIE}, exclude) if f.aanbieder == aanbieder]

    def eerdere_prestaties(
        self, aanbieder: str, referentienummers: Collection[str], exclude_message_id: str | None
    ) -> Mapping[str, EerderePrestatie]:
        """Earlier Prestaties with these ReferentieNummers (credit when the amount is negative)."""
        every = self._prestaties(aanbieder, exclude_message_id)
        wanted = set(referentienummers)
        rows = [f for f in every if f.referentienummer in wanted]
        nummers = {f.toewijzingnummer for f in rows if f.toewijzingnummer and (f.bedrag_cent or 0) >= 0}
        credited = {_key(f) for f in every if f.toewijzingnummer in nummers and (f.bedrag_cent or 0) < 0}
        out: dict[str, EerderePrestatie] = {}
        for f in rows:
            if f.referentienummer is None or f.toewijzingnummer is None:
                continue
            credit = (f.bedrag_cent or 0) < 0
            out[f.referentienummer] = EerderePrestatie(
                referentienummer=f.referentienummer, debet_credit="C" if credit else "D",
                toewijzingnummer=f.toewijzingnummer, productcategorie=f.productcategorie, productcode=f.productcode,
                begindatum=f.begindatum, einddatum=f.einddatum if f.einddatum is not None else f.begindatum,
                gecrediteerd=not credit and _key(f) in credited,
            )  # fmt: skip
        return out

    def regieregels(
        self, gemeente: str, aanbieder: str, toewijzingnummers: Collection[str], exclude_message_id: str | None
    ) -> Sequence[Regieregel]:
        """The start and stop facts on these ToewijzingNummers, oldest first."""
        wanted = set(toewijzingnummers)
        return [
            Regieregel(soort=str(f.kind), client=f.client, toewijzingnummer=f.toewijzingnummer,
                       productcategorie=f.productcategorie, productcode=f.productcode, begindatum=f.begindatum,
                       einddatum=f.einddatum, status_aanlevering=f.status_aanlevering or "1", reden_beeindiging=f.reden)
            for f in self._facts({FactKind.START, FactKind.STOP}, exclude_message_id or "")
            if f.gemeente == gemeente and f.aanbieder == aanbieder and f.toewijzingnummer in wanted
        ]  # fmt: skip

    def open_debetten(
        self, aanbieder: str, sleutels: Collection[PrestatieSleutel], exclude_message_id: str | None
    ) -> Collection[PrestatieSleutel]:
        """TR389: the keys with more earlier debet than credit Prestaties."""
        wanted = set(sleutels)
        balance: dict[PrestatieSleutel, int] = {}
        for f in self._prestaties(aanbieder, exclude_message_id):
            key = _key(f)
            if key in wanted:
                balance[key] = balance.get(key, 0) + (-1 if (f.bedrag_cent or 0) < 0 else 1)
        return {key for key, n in balance.items() if n > 0}


__all__ = ["MemoryHistory"]
