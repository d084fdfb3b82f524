"""Rules on a JW325 declaratie-antwoord inside one message (TR342)."""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from gateway.rules.registry import Doc, Violation, child, rule, text

GOEDGEKEURD = frozenset({"0200", "8001"})
"""Retourcodes that reject nothing: 0200 (geen opmerking) and 8001 (declaratie volledig toegewezen, WJ001).

Any other code on a Prestatie (a TR code such as 0611 or 9339, or 0233 not assessed) means it was
not granted, which is what TR342 asks of every Prestatie in the antwoord.
"""


def _codes(element: etree._Element) -> list[str]:
    return [(c.text or "").strip() for c in element.iterfind("{*}RetourCodes/{*}RetourCode")]


def _signed(element: etree._Element | None, amount: str) -> int | None:
    value = None if element is None else text(element, amount)
    if element is None or value is None or not value.isdigit():
        return None
    return -int(value) if text(element, "DebetCredit") == "C" else int(value)


@rule("TR342", "0001", ("JW325",), "Alleen afgewezen Prestaties worden meegestuurd in het declaratie-antwoord.")
def alleen_afgewezen_prestaties(doc: Doc) -> Iterator[Violation]:
    """Each Prestatie carries a rejecting retourcode; their sum explains TotaalIngediend minus TotaalToegekend.

    A Prestatie whose codes are all 0200 or 8001 was granted and does not belong here. When the
    DeclaratieAntwoord itself is rejected no Prestatie is judged, so the sum is only checked when its
    own codes reject nothing (SOM(Prestatie.IngediendBedrag) = TotaalIngediendBedrag - TotaalToegekendBedrag).
    """
    for prestatie in doc.prestaties:
        codes = _codes(prestatie)
        if codes and all(code in GOEDGEKEURD for code in codes):
            yield prestatie, "Prestatie zonder afwijzing (0200 of 8001) hoort niet in het declaratie-antwoord."
    antwoord = doc.declaratie
    if antwoord is None or not all(code in GOEDGEKEURD for code in _codes(antwoord)):
        return
    toegekend_el = child(antwoord, "TotaalToegekendBedrag")
    ingediend, toegekend = (
        _signed(child(antwoord, "TotaalIngediendBedrag"), "TotaalBedrag"),
        _signed(toegekend_el, "TotaalBedrag"),
    )
    if ingediend is None or toegekend is None or toegekend_el is None:
        return
    som = 0
    for prestatie in doc.prestaties:
        bedrag = _signed(child(prestatie, "IngediendBedrag"), "Bedrag")
        som += bedrag or 0
    if som != ingediend - toegekend:
        yield (
            toegekend_el,
            f"De afgewezen Prestaties ({som}) verklaren het verschil tussen TotaalIngediendBedrag en "
            f"TotaalToegekendBedrag ({ingediend - toegekend}) niet.",
        )
