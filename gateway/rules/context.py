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

from dataclasses import dataclass, field
from datetime import date

from gateway.ports import MessageHistory


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


@dataclass(frozen=True, slots=True)
class RuleContext:
    """What a rule may know beyond the message: today's date, the history, the message's store id."""

    today: date = field(default_factory=date.today)
    history: MessageHistory | None = None
    message_id: str | None = None


__all__ = [
    "EerderePrestatie",
    "PrestatieSleutel",
    "Regieregel",
    "RuleContext",
    "ToegewezenProduct",
]
