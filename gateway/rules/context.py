"""What a rule may know beyond the message itself: today's date and the message history.

Most iJw rules can be checked inside one message. The berichtoverstijgende rules (TR056
Identificatie unique per sender, TR333 DeclaratieNummer unique, TR314 ReferentieNummer unique,
TR338..TR341 / TR307 / TR308 / TR384 / TR387 / TR388 a Prestatie against its toewijzing,
TR323 / TR389 / TR390 credit and debet history, TR019 start/stop against a toewijzing, TR304
the client of a toewijzing, TR341 / TR321 / TR322 / TR369 a Prestatie against the Omvang or Budget,
TR332 / TR357 / TR361 a toewijzing or verzoek against the known toewijzingen, TR063 / TR071 / TR074 /
TR326 / TR382 / TR413 / TR414 / TR415 a start or stop against earlier ones) need earlier messages.
TR321/TR322 use ``ToegewezenProduct.frequentie`` and TR369 ``budget``: a history that leaves them
None switches those checks off rather than guessing. They get them through
:class:`MessageHistory`, a Protocol the store implements; without a history those rules are
skipped (never guessed). TR349 / TR373 (a verzoek against all the client's toewijzingen) and TR318 /
TR385 (against earlier declaraties) ask the optional extensions :class:`ClientToewijzingHistory` and
:class:`DeclaratieHistory`; a history without them switches those rules off.

All look-ups take collections so that a 20,000-Prestatie declaration costs a handful of
queries, not 20,000.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol, runtime_checkable

from gateway.tarieven import Tarief


@dataclass(frozen=True, slots=True)
class ToegewezenProduct:
    """The current state of one toegewezen product (from the latest JW301 with its ToewijzingNummer)."""

    toewijzingnummer: str
    client: str
    """The store's key for the client (see :meth:`MessageHistory.client_key`), never a raw BSN."""
    ingangsdatum: date
    einddatum: date | None = None
    productcategorie: str | None = None
    productcode: str | None = None
    eenheid: str | None = None
    volume: int | None = None
    frequentie: str | None = None
    budget: int | None = None
    reden_wijziging: str | None = None


@dataclass(frozen=True, slots=True)
class EerderePrestatie:
    """A Prestatie received earlier from the same aanbieder (from an accepted JW323)."""

    referentienummer: str
    debet_credit: str
    """``"D"`` or ``"C"``."""
    toewijzingnummer: str
    productcategorie: str | None
    productcode: str | None
    begindatum: date
    einddatum: date
    gecrediteerd: bool = False
    """True when a credit Prestatie with this ReferentieNummer as VorigReferentieNummer exists."""


@dataclass(frozen=True, slots=True)
class PrestatieSleutel:
    """The key of TR389: one debet per ToewijzingNummer, ProductCategorie, ProductCode and ProductPeriode."""

    toewijzingnummer: str
    productcategorie: str | None
    productcode: str | None
    begindatum: date
    einddatum: date


@dataclass(frozen=True, slots=True)
class Regieregel:
    """One StartProduct or StopProduct received earlier (from an accepted JW305 or JW307), oldest first.

    The logical key of a start is client, ToewijzingNummer, Product and Begindatum (IV008); a stop
    adds its Einddatum and RedenBeeindiging.
    """

    soort: str
    """``"start"`` or ``"stop"``."""
    client: str
    """The store's key for the client (see :meth:`MessageHistory.client_key`), never a raw BSN."""
    toewijzingnummer: str
    productcategorie: str | None
    productcode: str | None
    begindatum: date
    einddatum: date | None
    status_aanlevering: str
    """``"1"`` first delivery, ``"3"`` removal (IV008)."""
    reden_beeindiging: str | None = None


@runtime_checkable
class MessageHistory(Protocol):
    """Earlier messages, as the berichtoverstijgende rules need them (implemented by the store).

    ``exclude_message_id`` is the store's id of the message being checked, so that a message
    that is already stored does not collide with itself.
    """

    def seen_identificatie(
        self,
        sender: str,
        identificatie: str,
        exclude_message_id: str | None,
        *,
        message_type: str | None = None,
    ) -> bool:
        """TR056: has ``sender`` sent a message (of ``message_type``) with this Identificatie before?"""
        ...

    def seen_declaratienummer(self, aanbieder: str, declaratienummer: str, exclude_message_id: str | None) -> bool:
        """TR333: has ``aanbieder`` sent a declaration with this DeclaratieNummer before?"""
        ...

    def client_key(self, bsn: str) -> str:
        """The key under which the store files a client (e.g. its pseudonym), for TR304."""
        ...

    def toegewezen_producten(
        self, gemeente: str, aanbieder: str, toewijzingnummers: Collection[str]
    ) -> Mapping[str, ToegewezenProduct]:
        """The current toegewezen products with these ToewijzingNummers; unknown ones are absent."""
        ...

    def eerdere_prestaties(
        self, aanbieder: str, referentienummers: Collection[str], exclude_message_id: str | None
    ) -> Mapping[str, EerderePrestatie]:
        """Earlier Prestaties of ``aanbieder`` with these ReferentieNummers; unknown ones are absent."""
        ...

    def regieregels(self, gemeente: str, aanbieder: str, toewijzingnummers: Collection[str],
                    exclude_message_id: str | None) -> Sequence[Regieregel]:  # fmt: skip
        """TR063..TR415: the earlier starts and stops on these ToewijzingNummers, in the order received."""
        ...

    def open_debetten(
        self, aanbieder: str, sleutels: Collection[PrestatieSleutel], exclude_message_id: str | None
    ) -> Collection[PrestatieSleutel]:
        """TR389: those ``sleutels`` for which an earlier debet Prestatie exists that is not credited."""
        ...


@runtime_checkable
class TariefHistory(Protocol):
    """TR418: the contract tariffs a store holds per gemeente (an optional extension of a history)."""

    def contract_tarieven(self, gemeente: str, aanbieder: str) -> Sequence[Tarief] | None:
        """The gemeente's tariffs for ``aanbieder`` ([] if none); None when the gemeente has no tariff table."""
        ...


@runtime_checkable
class ClientToewijzingHistory(Protocol):
    """TR349 and TR373: every toewijzing of one client (an optional extension of a history).

    A history without it (a hand-fed one in a test) switches those rules off rather than guessing.
    """

    def client_key(self, bsn: str) -> str:
        """The key under which the store files a client."""
        ...

    def toewijzingen_van_client(self, gemeente: str, aanbieder: str, client: str) -> Sequence[ToegewezenProduct]:
        """The current state of every toegewezen product of ``client`` (a store key) from ``gemeente`` to
        ``aanbieder``, one per ToewijzingNummer, in ToewijzingNummer order."""
        ...


@runtime_checkable
class DeclaratieHistory(Protocol):
    """TR318 and TR385: what an aanbieder declared earlier (an optional extension of a history)."""

    def gedeclareerde_toewijzingen(
        self, gemeente: str, aanbieder: str, toewijzingnummers: Collection[str], exclude_message_id: str | None
    ) -> Collection[str]:
        """TR385: those ``toewijzingnummers`` with a debet Prestatie from an accepted JW323 that no credit
        Prestatie with the same key (product and ProductPeriode) has cancelled."""
        ...

    def laatste_productperiode(
        self, gemeente: str, aanbieder: str, ontvangen_tot: date, exclude_message_id: str | None
    ) -> date | None:
        """TR318: the latest ProductPeriode Einddatum in the accepted JW323s of ``aanbieder`` to ``gemeente``
        that the gateway received on or before ``ontvangen_tot``; None when there are none."""
        ...


@dataclass(frozen=True, slots=True)
class RuleContext:
    """What a rule may know beyond the message: today's date, the history, the message's store id."""

    today: date = field(default_factory=date.today)
    history: MessageHistory | None = None
    message_id: str | None = None


__all__ = [
    "ClientToewijzingHistory",
    "DeclaratieHistory",
    "EerderePrestatie",
    "MessageHistory",
    "PrestatieSleutel",
    "Regieregel",
    "RuleContext",
    "TariefHistory",
    "ToegewezenProduct",
]
