"""Facts: the countable content of a message, one row per Prestatie, start, stop or toewijzing.

The map stage extracts them (client as pseudonym, never a BSN), the store keeps them, and
mapping coverage and the reconciliation count them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class FactKind(StrEnum):
    """Which message part a fact comes from."""

    TOEWIJZING = "toewijzing"  # JW301 ToegewezenProduct
    START = "start"  # JW305 StartProduct
    STOP = "stop"  # JW307 StopProduct
    PRESTATIE = "prestatie"  # JW323 Prestatie (or a JW303 2.3 declaration line)
    VERZOEK = "verzoek"  # JW315 AangevraagdProduct or JW317 Verzoek: its ReferentieAanbieder (no product)
    ANTWOORD = "antwoord"  # JW319 Antwoord: ReferentieAanbieder and VerzoekAntwoord (in ``reden``; no client)


PRODUCTLOZE_KINDS = frozenset({FactKind.VERZOEK, FactKind.ANTWOORD})
"""Fact kinds that carry a ReferentieAanbieder, not a product (the referentie rules' history)."""


@dataclass(frozen=True, slots=True)
class Fact:
    """One countable fact; amounts in euro cents, signed (credit lines negative)."""

    kind: FactKind
    client: str
    """Keyed pseudonym of the client (gateway.pseudonym), never a BSN."""
    aanbieder: str
    gemeente: str
    productcategorie: str | None
    productcode: str | None
    cbs_hulpvorm: str | None
    """The CBS hulpvorm code the mapping gives on ``begindatum``; None when the list names none."""
    begindatum: date
    einddatum: date | None
    volume: int | None = None
    eenheid: str | None = None
    bedrag_cent: int | None = None
    toewijzingnummer: str | None = None
    referentienummer: str | None = None
    woongemeente: str | None = None
    """Residence gemeente (woonplaatsbeginsel) where the message gives it (JW301 Client/Adres)."""
    financiering: str = "natura"
    declared_at: datetime | None = None
    """When the gateway received the message the fact comes from."""
    status_aanlevering: str | None = None
    """StatusAanlevering of a start or stop (``"1"`` first delivery, ``"3"`` removal); None for other kinds."""
    reden: str | None = None
    """RedenBeeindiging of a stop, RedenWijziging of a toewijzing, VerzoekAntwoord of an antwoord; None when
    the message gives none."""


__all__ = ["PRODUCTLOZE_KINDS", "Fact", "FactKind"]
