"""The rules' message history: what a berichtoverstijgende rule may ask of earlier messages."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from gateway.rules.context import EerderePrestatie, PrestatieSleutel, Regieregel, ToegewezenProduct
    from gateway.rules.referentie_context import Referentie
    from gateway.tarieven import Tarief

# -- the rules' message history -----------------------------------------------------------------


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


@runtime_checkable
class DeclaratieXsdHistory(Protocol):
    """TR371: the XsdVersie of an earlier declaratie (an optional extension of a history)."""

    def declaratie_xsd_versie(
        self, aanbieder: str, identificatie: str, exclude_message_id: str | None
    ) -> tuple[str | None, str | None] | None:
        """(BasisschemaXsdVersie, BerichtXsdVersie) of the earlier, not rejected JW323 of ``aanbieder`` with this
        Identificatie; None when there is none, None inside for what intake could not read (unknown)."""
        ...


@runtime_checkable
class ReferentieHistory(Protocol):
    """The look-up the verzoek/antwoord rules need (an optional extension of a history)."""

    def client_key(self, bsn: str) -> str:
        """The key under which the store files a client."""
        ...

    def referenties(
        self, aanbieder: str, referenties: Collection[str], clients: Collection[str], exclude_message_id: str | None
    ) -> Sequence[Referentie]:
        """Earlier parts of ``aanbieder`` with these ReferentieAanbieders, and earlier verzoeken for these
        clients with what answered them (antwoorden, toewijzingen with their referentie), oldest first."""
        ...
