"""Dates measured against the message's own Dagtekening (TR134, TR137, TR380).

The official texts of these three rules name no element; each is applied where iJw 3.2 carries the
kind of date the text speaks of: a date that lies in the past when the message is written
(Geboortedatum, TR134), the end of a declared period (TR137) and a requested start (TR380).
"""

from __future__ import annotations

from collections.abc import Iterator

from gateway.rules.prestaties import rows
from gateway.rules.registry import Doc, Violation, child, child_or, parse_date, rule, text

_MET_GEBOORTEDATUM = ("JW301", "JW305", "JW307", "JW315", "JW323", "JW325", "JW303")
"""The catalogue's scope of TR134; JW323 and JW325 carry no Geboortedatum today, so there it checks nothing."""


@rule(
    "TR134",
    "0001",
    _MET_GEBOORTEDATUM,
    "Geboortedatum is een bestaande datum die niet groter is dan de Dagtekening van het bericht.",
    versions=("3.2", "2.3"),
)
def geboortedatum_niet_na_dagtekening(doc: Doc) -> Iterator[Violation]:
    """Nobody in the message (client or relatie) is born after the message was written."""
    dagtekening = doc.dagtekening
    if dagtekening is None:
        return
    for element in doc.iter("Geboortedatum"):
        born = parse_date(text(element, "Datum"))
        if born is not None and born > dagtekening:
            yield child_or(element, "Datum"), "Geboortedatum ligt na de Dagtekening van het bericht."


@rule(
    "TR137",
    "0001",
    ("JW323", "JW325"),
    "Einddatum van ProductPeriode en DeclaratiePeriode is niet groter dan de Dagtekening van het bericht.",
)
def periode_niet_na_dagtekening(doc: Doc) -> Iterator[Violation]:
    """No care is declared (or answered) for days after the message's Dagtekening.

    The rule's other half, Einddatum >= Begindatum, is TR018 and reported there.
    """
    dagtekening = doc.dagtekening
    if dagtekening is None:
        return
    periode = doc.declaratie_periode
    end = None if periode is None else parse_date(text(periode, "Einddatum"))
    if periode is not None and end is not None and end > dagtekening:
        yield child_or(periode, "Einddatum"), "Einddatum van de DeclaratiePeriode ligt na de Dagtekening."
    for row in rows(doc):
        if row.eind is not None and row.eind > dagtekening:
            yield row.at("ProductPeriode/Einddatum"), "Einddatum van de ProductPeriode ligt na de Dagtekening."


@rule("TR380", "0001", ("JW317",), "GewensteIngangsdatum van een NieuwProduct is groter dan de Dagtekening.")
def gewenste_ingangsdatum_na_dagtekening(doc: Doc) -> Iterator[Violation]:
    """A new product is requested for a day after the request is sent (OP343: tijdig indienen).

    A TeWijzigenProduct may start on or before the Dagtekening when it keeps the toewijzing's own
    Ingangsdatum (TR357, checked against the history), so TR380 reads only NieuwProduct.
    """
    dagtekening = doc.dagtekening
    if dagtekening is None:
        return
    for product in doc.iter("NieuwProduct"):
        gewenst = child(product, "GewensteIngangsdatum")
        datum = None if gewenst is None else parse_date(gewenst.text)
        if gewenst is not None and datum is not None and datum <= dagtekening:
            yield gewenst, "GewensteIngangsdatum ligt niet na de Dagtekening van het verzoek."
