"""Period rules: an end never lies before its start (TR018 for Begindatum, CS003 for Ingangsdatum)."""

from __future__ import annotations

from collections.abc import Iterator

from gateway.rules.prestaties import rows
from gateway.rules.registry import ALL_IJW, Doc, Violation, child, parse_date, rule

_BOTH = ("3.2", "2.3")
_INGANG_PAIRS = (
    ("Einddatum", "Ingangsdatum"),
    ("ToewijzingEinddatum", "ToewijzingIngangsdatum"),
    ("Einddatum", "GewensteIngangsdatum"),
)


@rule("TR018", "0001", ALL_IJW, "Einddatum moet groter dan of gelijk zijn aan Begindatum.", versions=_BOTH)
def einddatum_na_begindatum(doc: Doc) -> Iterator[Violation]:
    """In every period (ProductPeriode, DeclaratiePeriode, Periode, ...) Einddatum >= Begindatum.

    Beyond the catalogue, which lists TR018 for JW307 only: a Begindatum/Einddatum pair means the same
    period in every message, and an inverted one is never valid; the catalogue's own constraints (CS003,
    CS337, CS340) catch parts of it elsewhere, this rule all of it, with one retourcode (0001).
    """
    if doc.kind.message_type == "JW323":  # the Prestaties come from the shared rows, the rest is small
        for row in rows(doc):
            if row.begin is not None and row.eind is not None and row.eind < row.begin:
                yield row.at("ProductPeriode/Einddatum"), f"Einddatum {row.eind} ligt voor Begindatum {row.begin}."
        periode = None if doc.declaratie is None else child(doc.declaratie, "DeclaratiePeriode")
        candidates = [] if periode is None else list(periode.iter("{*}Einddatum"))
    else:
        candidates = list(doc.iter("Einddatum"))
    for end_el in candidates:
        parent = end_el.getparent()
        begin_el = None if parent is None else child(parent, "Begindatum")
        if begin_el is None:
            continue
        begin, end = parse_date(begin_el.text), parse_date(end_el.text)
        if begin is not None and end is not None and end < begin:
            yield end_el, f"Einddatum {end.isoformat()} ligt voor Begindatum {begin.isoformat()}."


@rule(
    "CS003",
    "0001",
    ("JW301", "JW315", "JW317"),
    "Einddatum is groter dan of gelijk aan de Ingangsdatum van de aangeduide periode.",
    versions=_BOTH,
)
def einddatum_na_ingangsdatum(doc: Doc) -> Iterator[Violation]:
    """A toegewezen or aangevraagd product never ends before it starts (Ingangsdatum/Einddatum)."""
    for end_name, start_name in _INGANG_PAIRS:
        for end_el in doc.iter(end_name):
            parent = end_el.getparent()
            start_el = None if parent is None else child(parent, start_name)
            if start_el is None:
                continue
            start, end = parse_date(start_el.text), parse_date(end_el.text)
            if start is not None and end is not None and end < start:
                yield end_el, f"{end_name} {end.isoformat()} ligt voor {start_name} {start.isoformat()}."
