"""What the verzoek/antwoord rules (TR347, TR355, TR359, TR360, TR365, TR374, TR379) ask of the history.

Kept apart from :class:`gateway.rules.context.MessageHistory` so that a history without it (a
hand-fed one in a test, an older store) simply switches these rules off rather than failing.
"""

from __future__ import annotations

from dataclasses import dataclass

from gateway.ports import ReferentieHistory

VERZOEK, ANTWOORD, TOEWIJZING = "verzoek", "antwoord", "toewijzing"


@dataclass(frozen=True, slots=True)
class Referentie:
    """An earlier message part that carries a ReferentieAanbieder: a verzoek (JW315/JW317), antwoord (JW319)
    or toegewezen product (JW301)."""

    soort: str
    """``"verzoek"``, ``"antwoord"`` or ``"toewijzing"``."""
    gemeente: str
    client: str
    """The store's key for the client; empty for an antwoord (a JW319 names no client)."""
    referentie: str
    verzoek_antwoord: str | None = None
    """VerzoekAntwoord of an antwoord: ``"1"`` afgewezen, ``"2"`` in onderzoek."""
    toewijzingnummer: str | None = None


__all__ = ["ANTWOORD", "TOEWIJZING", "VERZOEK", "Referentie", "ReferentieHistory"]
