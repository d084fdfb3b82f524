"""Rules on products in toewijzing, start/stop and verzoek messages (JW301, JW305, JW307, JW315, JW317).

Product lines are found by message type: ToegewezenProduct (JW301), StartProduct (JW305),
StopProduct (JW307), AangevraagdProduct (JW315), NieuwProduct and TeWijzigenProduct (JW317),
Prestatie (JW323). Each line's start and end dates come from the element names below.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from operator import attrgetter

from lxml import etree

from gateway.mapping import product_in_category
from gateway.rules.registry import Doc, Violation, child, child_date, child_or, rule, text

_LINES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "JW301": (("ToegewezenProduct", "Ingangsdatum", "Einddatum"),),
    "JW305": (("StartProduct", "Begindatum", ""),),
    "JW307": (("StopProduct", "Begindatum", "Einddatum"),),
    "JW315": (("AangevraagdProduct", "ToewijzingIngangsdatum", "ToewijzingEinddatum"),),
    "JW317": (
        ("NieuwProduct", "GewensteIngangsdatum", "Einddatum"),
        ("TeWijzigenProduct", "GewensteIngangsdatum", "Einddatum"),
    ),
}
_OMVANG_TYPES = ("JW301", "JW315", "JW317")
_CUTOFF = date(2020, 12, 31)
_BOTH = ("3.2", "2.3")
_PRODUCT_OP_DATUM = attrgetter("code", "categorie", "begin")
"""A Prestatie row's (ProductCode, ProductCategorie, Begindatum), read in C over all rows."""


Line = tuple[etree._Element, date | None, date | None]


def _lines(doc: Doc, *, with_product: bool = False) -> list[Line]:
    """The product lines with their start and end dates, found once per message (a dozen rules use them)."""
    key = "products.lines+product" if with_product else "products.lines"
    found = doc.memo.get(key)
    if found is None:
        found = doc.memo[key] = [
            (el, child_date(el, start), (child_date(el, end) if end else None))
            for name, start, end in _LINES.get(doc.kind.message_type, ())
            if not (with_product and name == "TeWijzigenProduct")
            for el in doc.iter(name)
        ]
    return found  # type: ignore[return-value]  # memo values are typed object


def _has(el: etree._Element, name: str) -> bool:
    return child(el, name) is not None


def _open_or_after_2020(end: date | None) -> bool:
    return end is None or end > _CUTOFF


@rule(
    "TR381",
    "S329",
    ("JW301", "JW305", "JW307", "JW315", "JW317", "JW323", "JW303"),
    "ProductCode past volgens de productcodelijst bij de ProductCategorie.",
    versions=_BOTH,
)
def productcode_bij_categorie(doc: Doc) -> Iterator[Violation]:
    """A national product code belongs to exactly one category and must be valid on the line's start date."""
    if doc.kind.message_type in ("JW323", "JW303"):
        from gateway.rules.prestaties import rows

        found = rows(doc)
        keys = set(map(_PRODUCT_OP_DATUM, found))  # a declaratie has a few distinct ones: each is looked up once
        bad = {key for key in keys if key[0] and key[1] and key[2] and not product_in_category(*key)}
        for row in found if bad else ():
            if (row.code, row.categorie, row.begin) in bad:
                yield row.at("ProductCode"), f"ProductCode {row.code} hoort niet bij ProductCategorie {row.categorie}."
        return
    for el, start, _ in _lines(doc):
        product = child(el, "Product")
        if product is None:
            continue
        code, categorie = text(product, "Code"), text(product, "Categorie")
        on = start or doc.dagtekening or doc.context.today
        if code and categorie and not product_in_category(code, categorie, on):
            yield child_or(product, "Code"), f"ProductCode {code} hoort niet bij ProductCategorie {categorie}."


@rule("CS335", "0001", ("JW301",), "RedenWijziging 13 (verwijderd) alleen als Ingangsdatum gelijk is aan Einddatum.")
def verwijderd_alleen_bij_lege_periode(doc: Doc) -> Iterator[Violation]:
    """A toewijzing is removed (13) by setting its Einddatum to its Ingangsdatum."""
    for el, start, end in _lines(doc):
        if text(el, "RedenWijziging") == "13" and (end is None or start != end):
            yield child_or(el, "RedenWijziging"), "RedenWijziging 13 vereist Einddatum gelijk aan Ingangsdatum."


@rule("CS336", "0001", ("JW301",), "RedenWijziging 01 (administratieve correctie, vervallen) niet gebruiken.")
def geen_reden_01(doc: Doc) -> Iterator[Violation]:
    """Code 01 was withdrawn from JZ002."""
    for el, _, _ in _lines(doc):
        if text(el, "RedenWijziging") == "01":
            yield child_or(el, "RedenWijziging"), "RedenWijziging 01 is vervallen."


@rule("CS058", "0001", ("JW305", "JW307"), "StatusAanlevering vullen met 1 (eerste aanlevering) of 3 (verwijderen).")
def status_aanlevering(doc: Doc) -> Iterator[Violation]:
    """Start and stop messages are either new (1) or a removal (3)."""
    for el in doc.iter("StatusAanlevering"):
        if (el.text or "").strip() not in ("1", "3"):
            yield el, f"StatusAanlevering {(el.text or '').strip()!r} is niet 1 of 3."


@rule("CD041", "0001", _OMVANG_TYPES, "Indien Code in Product gevuld is, Omvang verplicht vullen.")
def omvang_bij_productcode(doc: Doc) -> Iterator[Violation]:
    """A specific product (with a code) is assigned with a volume."""
    for el, _, _ in _lines(doc, with_product=True):
        product = child(el, "Product")
        if product is not None and text(product, "Code") and not _has(el, "Omvang"):
            yield el, "Omvang ontbreekt terwijl ProductCode gevuld is."


@rule("CD075", "0001", _OMVANG_TYPES, "Einddatum verplicht vullen indien Budget gevuld is.")
def einddatum_bij_budget(doc: Doc) -> Iterator[Violation]:
    """A budget needs a closed period."""
    for el, _, end in _lines(doc):
        if _has(el, "Budget") and end is None:
            yield el, "Einddatum ontbreekt terwijl Budget gevuld is."


@rule("CD076", "0001", _OMVANG_TYPES, "Einddatum verplicht vullen indien Frequentie 2 (per week) is.")
def einddatum_bij_per_week(doc: Doc) -> Iterator[Violation]:
    """A weekly volume needs a closed period."""
    for el, _, end in _lines(doc):
        if text(el, "Omvang/Frequentie") == "2" and end is None:
            yield el, "Einddatum ontbreekt terwijl Frequentie 2 (per week) is."


@rule("CD077", "0001", _OMVANG_TYPES, "Indien Budget gevuld is, Omvang leeg laten.")
def geen_omvang_bij_budget(doc: Doc) -> Iterator[Violation]:
    """Omvang and Budget exclude each other (reported on Omvang)."""
    for el, _, _ in _lines(doc):
        if _has(el, "Budget") and _has(el, "Omvang"):
            yield child_or(el, "Omvang"), "Omvang en Budget zijn allebei gevuld."


@rule("CD078", "0001", _OMVANG_TYPES, "Indien Omvang gevuld is, Budget leeg laten.")
def geen_budget_bij_omvang(doc: Doc) -> Iterator[Violation]:
    """Omvang and Budget exclude each other (reported on Budget)."""
    for el, _, _ in _lines(doc):
        if _has(el, "Budget") and _has(el, "Omvang"):
            yield child_or(el, "Budget"), "Budget en Omvang zijn allebei gevuld."


@rule("CD079", "0001", _OMVANG_TYPES, "Indien Budget leeg is, Product verplicht vullen.")
def product_zonder_budget(doc: Doc) -> Iterator[Violation]:
    """Without a budget the product must be named."""
    for el, _, _ in _lines(doc, with_product=True):
        if not _has(el, "Budget") and not _has(el, "Product"):
            yield el, "Product ontbreekt terwijl Budget leeg is."


@rule(
    "CD080", "0001", ("JW301",), "Indien Code in Product leeg is en Einddatum na 31-12-2020 of leeg, Omvang leeg laten."
)
@rule(
    "CD095", "0001", ("JW315",), "Indien Code leeg is en ToewijzingEinddatum na 31-12-2020 of leeg, Omvang leeg laten."
)
@rule(
    "CD096",
    "0001",
    ("JW317",),
    "Indien Code in NieuwProduct leeg is en Einddatum na 31-12-2020 of leeg, Omvang leeg laten.",
)
def geen_omvang_zonder_code(doc: Doc) -> Iterator[Violation]:
    """A product category without a code is assigned without a volume (since 2021)."""
    for el, _, end in _lines(doc, with_product=True):
        product = child(el, "Product")
        if product is not None and not text(product, "Code") and _has(el, "Omvang") and _open_or_after_2020(end):
            yield child_or(el, "Omvang"), "Omvang is gevuld terwijl ProductCode leeg is."


@rule(
    "CS338",
    "0001",
    ("JW301", "JW317"),
    "Bij Eenheid 14, 16, 83 of 84 en Einddatum na 2020 of leeg: Frequentie 2, 4 of 6.",
)
@rule(
    "CS343",
    "0001",
    ("JW315",),
    "Bij Eenheid 14, 16, 83 of 84 en ToewijzingEinddatum na 2020 of leeg: Frequentie 2, 4 of 6.",
)
def frequentie_bij_eenheid(doc: Doc) -> Iterator[Violation]:
    """Hours, days, euro's and dagdelen are assigned per week, per month or per totale periode."""
    for el, _, end in _lines(doc):
        omvang = child(el, "Omvang")
        if omvang is None or text(omvang, "Eenheid") not in ("14", "16", "83", "84") or not _open_or_after_2020(end):
            continue
        if text(omvang, "Frequentie") not in ("2", "4", "6"):
            yield omvang, "Frequentie moet 2, 4 of 6 zijn bij deze Eenheid."


@rule(
    "TR302",
    "0001",
    ("JW301",),
    "Een Product komt alleen vaker voor in een toewijzing als de zorgperiodes niet overlappen.",
)
@rule(
    "TR386",
    "0001",
    ("JW315",),
    "Een Product komt alleen vaker voor in een verzoek om toewijzing zonder overlappende periodes.",
)
@rule(
    "TR410",
    "0001",
    ("JW317",),
    "Een Product komt alleen vaker voor in NieuwProduct als de zorgperiodes niet overlappen.",
)
def geen_overlap_zelfde_product(doc: Doc) -> Iterator[Violation]:
    """The same Product (categorie + code) in two lines needs disjoint periods."""
    seen: dict[tuple[str | None, str | None], list[tuple[date, date]]] = {}
    for el, start, end in _lines(doc, with_product=True):
        product = child(el, "Product")
        if product is None or start is None:
            continue
        key = (text(product, "Categorie"), text(product, "Code"))
        period = (start, end or date.max)
        if any(period[0] <= other[1] and other[0] <= period[1] for other in seen.get(key, [])):
            yield el, "Hetzelfde Product komt vaker voor met overlappende periodes."
        seen.setdefault(key, []).append(period)
