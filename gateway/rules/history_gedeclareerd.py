"""Berichtoverstijgende rules on what an aanbieder declared earlier: TR318 (JW323) and TR385 (JW301).

Both ask :class:`gateway.rules.context.DeclaratieHistory`, which the store answers from the Prestatie
facts of accepted declaraties; a history without it switches them off rather than guessing.
"""

from __future__ import annotations

from collections.abc import Iterator

from gateway.ports import DeclaratieHistory
from gateway.rules.registry import Doc, Violation, child, child_or, parse_date, rule, text

VERWIJDERD = "13"
"""RedenWijziging (JZ002) 13: verwijderd."""


def _history(doc: Doc) -> DeclaratieHistory | None:
    history: object = doc.context.history  # a MessageHistory that may also be a DeclaratieHistory
    return history if isinstance(history, DeclaratieHistory) else None


@rule(
    "TR318",
    "8214",
    ("JW323",),
    "Indien iedere DeclaratiePeriode zorg is geleverd, is de DeclaratiePeriode de kalendermaand volgend op de "
    "voorgaande DeclaratiePeriode.",
    history=True,
)
def declaratieperiode_niet_voor_de_vorige(doc: Doc) -> Iterator[Violation]:
    """The DeclaratiePeriode does not lie before the last DeclaratiePeriode submitted to this gemeente.

    What the rule asks and what the gateway can know of it:

    - "The month after the previous DeclaratiePeriode" holds only while care was given every month; a gap
      is allowed when no care was given, and the gateway cannot know whether it was. So a month skipped is
      never refused.
    - IV090 (achteraf declareren) and OP284: a later declaratie never takes a DeclaratiePeriode before the
      last one submitted; a second declaratie for that same month is allowed. That is what is refused here:
      a DeclaratiePeriode that begins before the month of the last one.
    - One calendar month from day 1 is CS340's in-message finding and is not repeated here.

    The store does not keep a declaratie's DeclaratiePeriode (its payload goes after delivery); it keeps its
    Prestaties. A DeclaratiePeriode is one month (CS340) on or after the end of each of its ProductPerioden
    (TR319), so the latest ProductPeriode of the earlier declaraties is a lower bound of the last
    DeclaratiePeriode: below its month the new period lies before the last one for certain. A last
    DeclaratiePeriode later than all its Prestaties is not seen (a finding missed, never one made up).

    "Earlier" is: accepted JW323s of this aanbieder to this gemeente that the gateway received on or before
    this declaratie's Dagtekening. A declaratie dated before another reached the gateway was not submitted
    after it, so a replayed or late-delivered one is not refused for arriving after a later month.
    """
    history = _history(doc)
    periode = doc.declaratie_periode
    dag = doc.dagtekening
    if history is None or periode is None or dag is None:
        return
    begin_el = child(periode, "Begindatum")
    begin = None if begin_el is None else parse_date(begin_el.text)
    if begin_el is None or begin is None:
        return
    gemeente, aanbieder = doc.header_text("Ontvanger") or "", doc.header_text("Afzender") or ""
    laatste = history.laatste_productperiode(gemeente, aanbieder, dag, doc.context.message_id)
    if laatste is not None and begin < laatste.replace(day=1):
        yield (
            begin_el,
            f"DeclaratiePeriode ligt voor de laatst ingediende DeclaratiePeriode ({laatste:%Y-%m} of later).",
        )


@rule(
    "TR385",
    "9385",
    ("JW301",),
    "Een toewijzing met goedgekeurde (niet gecrediteerde) prestaties wordt niet verwijderd met RedenWijziging 13.",
    history=True,
)
def niet_verwijderen_na_declaratie(doc: Doc) -> Iterator[Violation]:
    """A ToegewezenProduct with RedenWijziging 13 has no declared, uncredited Prestatie on its ToewijzingNummer.

    "Goedgekeurd" as far as the gateway knows: a debet Prestatie in a JW323 it accepted (its facts), with the
    same ToewijzingNummer, from this gemeente's aanbieder, not cancelled by a credit Prestatie with the same
    product and ProductPeriode (netted as for TR389). The store does not keep which lines a gemeente's JW325
    later refused, so such a line still counts: the gemeente can end that toewijzing otherwise.
    """
    history = _history(doc)
    client = child(doc.root, "Client")
    if history is None or client is None:
        return
    removed = [
        (el, nummer)
        for el in client.iter("{*}ToegewezenProduct")
        if text(el, "RedenWijziging") == VERWIJDERD and (nummer := text(el, "ToewijzingNummer"))
    ]
    if not removed:
        return
    gemeente, aanbieder = doc.header_text("Afzender") or "", doc.header_text("Ontvanger") or ""
    nummers = {nummer for _, nummer in removed}
    gedeclareerd = set(history.gedeclareerde_toewijzingen(gemeente, aanbieder, nummers, doc.context.message_id))
    for el, nummer in removed:
        if nummer in gedeclareerd:
            yield (
                child_or(el, "RedenWijziging"),
                f"Toewijzing {nummer!r} heeft goedgekeurde declaratieregels en kan niet worden verwijderd.",
            )
