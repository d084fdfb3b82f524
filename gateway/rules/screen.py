"""Screens: one straight-line pass per message type that says which of its rules may find something.

A screen reads the walk of a small message (:func:`~gateway.rules.children.walk`: elements by local
name, each parent's children by local name) and names every rule it covers that could yield a finding;
:func:`gateway.rules.registry.run` then skips the covered rules it did not name. A screen may name a rule
that finds nothing (its condition is often looser than the rule's), never leave out one that finds
something: it can only rule a rule out, never add a finding. Rules a screen does not cover, and rules
that read the history when there is one, always run.

Why: a valid small JW301 runs 34 rules that find nothing, each a generator with its own look-ups
(~60 µs of the rules' ~85 µs beside the ~20 µs walk); the screen asks the same questions once, straight
from the walk's dicts. Measured on the small JW301 (2-core machine, same run, see the commit message):
rules with the walk from ~84 µs to ~30 µs per message.

Only the JW301 (iJw 3.2) has a screen. tests/rules/test_screen.py holds the fast path to the plain path
(``run(..., fast=False)``) on mutants that trigger every JW301 rule, and checks that the screen covers
every rule the registry has for the JW301.
"""

from __future__ import annotations

from datetime import date

from lxml import etree

from gateway.bsn import is_valid_bsn
from gateway.mapping import product_in_category
from gateway.rules.children import Index, Kids, parse_date
from gateway.rules.contact import CLIENT_ADRES, POSTCODE_VERPLICHT
from gateway.rules.gemeenten import cbs_gemeentecodes
from gateway.rules.persons import POSTCODE_NL
from gateway.rules.registry import Doc, screen

_EMPTY: Kids = {}
_UREN_EN_DAGEN = ("14", "16", "83", "84")
_PER_PERIODE = ("2", "4", "6")
_REGELS = ("TR101", "TR302", "TR332")
"""Rules that need two ToegewezenProducts to find anything (a double line, an overlap, a number twice)."""

JW301_COVERS = frozenset({
    "CS002", "TR002", "CS139", "TR006", "TR061", "CD005", "CD025", "CD034", "TR134", "TR101", "TR135", "CS015",
    "CS025", "TR378", "TR332", "TR018", "CS003", "CS050", "CS318", "CS089", "CD007", "CD009", "TR381", "CS335",
    "CS336", "CD041", "CD075", "CD076", "CD077", "CD078", "CD079", "CD080", "CS338", "TR302",
})  # fmt: skip
_PRESENT = (("Relatie", "TR006"), ("Communicatie", "CD007"), ("Periode", "CD009"), ("Begindatum", "TR018"))
"""Rules that need an element of this name somewhere (TR018: an Einddatum's sibling Begindatum)."""

Walked = dict[etree._Element, Kids]


def _text(kids: Kids, name: str) -> str | None:
    """:func:`~gateway.rules.children.text` of one child name, from the walk (None when there is none)."""
    same = kids.get(name)
    return None if same is None else (same[0].text or "").strip()


@screen("JW301", JW301_COVERS)
def jw301(doc: Doc, index: Index, kids: Walked) -> set[str]:
    """The JW301 rules that may find something in ``doc`` (each condition: what its rule needs at least)."""
    found: set[str] = {rule_id for name, rule_id in _PRESENT if name in index}
    _header(doc, kids, found)
    _client(doc, index, kids, found)
    _addresses(doc, index, kids, found)
    _products(doc, index, kids, found)
    return found


def _header(doc: Doc, kids: Walked, found: set[str]) -> None:
    """CS015, CS025, TR378 and TR135."""
    head = _EMPTY if doc.header is None else kids.get(doc.header, _EMPTY)
    value = _text(head, "BerichtSubversie")
    if value is not None and value != "2":
        found.add("CS015")
    value = _text(head, "BerichtVersie")
    if value is not None and value != "3":
        found.add("CS025")
    value = _text(head, "Afzender")
    if value is not None and value not in cbs_gemeentecodes():
        found.add("TR378")
    if doc.dagtekening is not None and doc.dagtekening > doc.context.today:
        found.add("TR135")


def _client(doc: Doc, index: Index, kids: Walked, found: set[str]) -> None:
    """CS002, the Geboortedatum rules (TR002, TR134, CS139) and the NaamGebruik rules (CS050, CS318)."""
    for element in index.get("Bsn", ()):
        if not is_valid_bsn((element.text or "").strip()):
            found.add("CS002")
    dag = doc.dagtekening
    for element in index.get("Geboortedatum", ()):
        of = kids.get(element, _EMPTY)
        if "DatumGebruik" in of:
            found.add("CS139")
        born = parse_date(_text(of, "Datum"))
        if born is not None and dag is not None:
            if born > dag:
                found.add("TR134")
            if born.year <= dag.year - 120:
                found.add("TR002")
    for element in index.get("Naam", ()):
        of = kids.get(element, _EMPTY)
        gebruik = _text(of, "NaamGebruik")
        if gebruik == "6":
            found.add("CS318")
        if gebruik is not None and gebruik not in (("1", "2", "3", "4") if "Partnernaam" in of else ("1", "6")):
            found.add("CS050")


def _addresses(doc: Doc, index: Index, kids: Walked, found: set[str]) -> None:
    """TR061, CD005, CD025, CS089 and CD034."""
    clients = kids.get(doc.root, _EMPTY).get("Client")
    gegevens = None if clients is None else kids.get(clients[0], _EMPTY).get("Contactgegevens")
    if gegevens is not None:
        contacts = kids.get(gegevens[0], _EMPTY).get("Contact", ())
        if not any(_text(kids.get(c, _EMPTY), "Soort") in CLIENT_ADRES for c in contacts):
            found.add("TR061")
    for element in index.get("Adres", ()):
        of = kids.get(element, _EMPTY)
        if ("Postcode" in of) != ("LandCode" in of):
            found.add("CD005")
        if _text(of, "LandCode") == "NL":
            if "Huis" not in of:
                found.add("CD025")
            postcode = _text(of, "Postcode")
            if postcode is not None and not POSTCODE_NL.fullmatch(postcode):
                found.add("CS089")
    for element in index.get("Contact", ()):
        of = kids.get(element, _EMPTY)
        if _text(of, "Soort") in POSTCODE_VERPLICHT:
            adres = of.get("Adres")
            if adres is None or "Postcode" not in kids.get(adres[0], _EMPTY):
                found.add("CD034")


def _products(doc: Doc, index: Index, kids: Walked, found: set[str]) -> None:
    """The ToegewezenProduct rules, and CS003 (an Einddatum before its sibling Ingangsdatum)."""
    lines = index.get("ToegewezenProduct", ())
    if len(lines) > 1:
        found.update(_REGELS)
    # CS003 reads every Einddatum whose parent has an Ingangsdatum: all of them are below a line, unless
    # some Ingangsdatum is not (then it runs), or a ToewijzingIngangsdatum or GewensteIngangsdatum is there
    ingang = len(index.get("Ingangsdatum", ()))
    if "ToewijzingIngangsdatum" in index or "GewensteIngangsdatum" in index:
        found.add("CS003")
    for line in lines:
        of = kids.get(line, _EMPTY)
        reden = _text(of, "RedenWijziging")
        if reden in _REDENEN:
            found.add(_REDENEN[reden])
        starts = of.get("Ingangsdatum")
        start = None if starts is None else parse_date(starts[0].text)
        if starts is not None:
            ingang -= len(starts)
            if start is not None and any((e := parse_date(el.text)) and e < start for el in of.get("Einddatum", ())):
                found.add("CS003")
        _line(doc, kids, of, start, found)
    if ingang:
        found.add("CS003")


_REDENEN = {"13": "CS335", "01": "CS336"}


def _line(doc: Doc, kids: Walked, of: Kids, start: date | None, found: set[str]) -> None:
    """Omvang, Budget and Product of one line (``of``: its children): CD041, CD075..CD080, CS338, TR381."""
    end = parse_date(_text(of, "Einddatum"))
    budget, omvang, product = "Budget" in of, of.get("Omvang"), of.get("Product")
    if budget and end is None:
        found.add("CD075")
    if omvang is not None and end is None:
        found.add("CD076")
    if budget and omvang is not None:
        found.update(("CD077", "CD078"))
    if product is None and not budget:
        found.add("CD079")
    if product is not None:
        of_product = kids.get(product[0], _EMPTY)
        code, categorie = _text(of_product, "Code"), _text(of_product, "Categorie")
        if code and omvang is None:
            found.add("CD041")
        if not code and omvang is not None:
            found.add("CD080")
        on = start or doc.dagtekening or doc.context.today
        if code and categorie and not product_in_category(code, categorie, on):
            found.add("TR381")
    if omvang is not None:
        of_omvang = kids.get(omvang[0], _EMPTY)
        if _text(of_omvang, "Eenheid") in _UREN_EN_DAGEN and _text(of_omvang, "Frequentie") not in _PER_PERIODE:
            found.add("CS338")


__all__ = ["JW301_COVERS", "jw301"]
