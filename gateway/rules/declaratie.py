"""Rules on a JW323 declaratie inside one message: periods, totals, amounts and duplicate Prestaties."""

from __future__ import annotations

import calendar
import re
from collections import Counter
from collections.abc import Iterator
from datetime import date
from operator import attrgetter, eq, mul

from lxml import etree

from gateway.rules.prestaties import distinct, rows
from gateway.rules.registry import Doc, Violation, child, child_date, rule, text

JW323 = ("JW323",)
DECLARATIES = ("JW323", "JW303")
"""The 3.2 declaratie and the 2.3 declaratie/factuur: rules whose text holds for both run on both."""
_BOTH = ("3.2", "2.3")
_MIN_PERIODE = date(2021, 1, 1)
_ALNUM = re.compile(r"[0-9A-Za-z]+")


_TOTALEN = (
    ("TotaalIngediendBedrag", "TotaalBedrag"),
    ("TotaalToegekendBedrag", "TotaalBedrag"),
    ("DeclaratieFactuurTotaalBedrag", "TotaalBedrag"),
)
_FACTUURBEDRAG = "IngediendeBedragPrestatie/DeclaratieFactuurBedrag"

# Row fields read in C (map over 20,000 rows) to decide the usual no-finding case before a Python loop.
_VORIG = attrgetter("vorig")
_REFERENTIE = attrgetter("referentienummer")
_BEGIN, _EIND = attrgetter("begin"), attrgetter("eind")
_BEDRAG, _VOLUME, _TARIEF = attrgetter("bedrag"), attrgetter("volume"), attrgetter("tarief")


def _last_day(d: date) -> int:
    return calendar.monthrange(d.year, d.month)[1]


def _periode(doc: Doc) -> tuple[etree._Element | None, date | None, date | None]:
    el = doc.declaratie_periode
    if el is None:
        return None, None, None
    return el, child_date(el, "Begindatum"), child_date(el, "Einddatum")


@rule("CS340", "0001", JW323, "DeclaratiePeriode is exact gelijk aan één hele kalendermaand.")
def declaratieperiode_kalendermaand(doc: Doc) -> Iterator[Violation]:
    """The DeclaratiePeriode runs from the first to the last day of one month."""
    el, begin, end = _periode(doc)
    if el is None or begin is None or end is None:
        return
    if begin.day != 1 or (end.year, end.month) != (begin.year, begin.month) or end.day != _last_day(begin):
        yield el, f"DeclaratiePeriode {begin.isoformat()}..{end.isoformat()} is niet één hele kalendermaand."


@rule("CS100", "0001", JW323, "DeclaratiePeriode en ProductPeriode beginnen op of na 01-01-2021.")
def periode_vanaf_2021(doc: Doc) -> Iterator[Violation]:
    """Periods before iJw 3.x (2021) cannot be declared in this message."""
    el, begin, _ = _periode(doc)
    if el is not None and begin is not None and begin < _MIN_PERIODE:
        yield el, "DeclaratiePeriode begint voor 01-01-2021."
    for row in rows(doc):
        if row.begin is not None and row.begin < _MIN_PERIODE:
            yield row.at("ProductPeriode"), "ProductPeriode begint voor 01-01-2021."


@rule("CS337", "0001", JW323, "Einddatum van de ProductPeriode valt in dezelfde kalendermaand als de Begindatum.")
def productperiode_een_maand(doc: Doc) -> Iterator[Violation]:
    """A Prestatie covers (part of) one calendar month."""
    found = rows(doc)
    perioden = set(zip(map(_BEGIN, found), map(_EIND, found), strict=True))  # a declaratie has a few distinct ones
    if not any(b and e and (b.year, b.month) != (e.year, e.month) for b, e in perioden):
        return
    for row in found:
        if row.begin and row.eind and (row.begin.year, row.begin.month) != (row.eind.year, row.eind.month):
            yield row.at("ProductPeriode"), "ProductPeriode loopt over een maandgrens."


@rule(
    "TR319",
    "9319",
    DECLARATIES,
    "De ProductPeriode valt binnen de huidige of een voorgaande DeclaratiePeriode.",
    versions=_BOTH,
)
def productperiode_niet_na_declaratieperiode(doc: Doc) -> Iterator[Violation]:
    """A Prestatie may not lie (partly) after the DeclaratiePeriode."""
    _, _, end = _periode(doc)
    if end is None:
        return
    for row in rows(doc):
        if row.eind is not None and row.eind > end:
            yield row.at("ProductPeriode"), "ProductPeriode ligt (deels) na de DeclaratiePeriode."


@rule(
    "TR335", "0001", JW323, "Einddatum van de ProductPeriode ligt niet meer dan 5 jaar voor de DeclaratieDagtekening."
)
def productperiode_max_5_jaar_oud(doc: Doc) -> Iterator[Violation]:
    """Prestaties older than five years cannot be declared."""
    dag = None if doc.declaratie is None else child_date(doc.declaratie, "DeclaratieDagtekening")
    if dag is None:
        return
    limit = (
        dag.replace(year=dag.year - 5, day=28) if (dag.month, dag.day) == (2, 29) else dag.replace(year=dag.year - 5)
    )
    for row in rows(doc):
        if row.eind is not None and row.eind < limit:
            yield row.at("ProductPeriode"), "ProductPeriode eindigt meer dan 5 jaar voor de DeclaratieDagtekening."


@rule(
    "TR358",
    "0001",
    DECLARATIES,
    "TotaalIngediendBedrag is de som van IngediendBedrag van alle Prestaties (met debet/credit).",
    versions=_BOTH,
)
def totaal_is_som(doc: Doc) -> Iterator[Violation]:
    """The signed total equals the signed sum of the Prestatie amounts (2.3: the DeclaratieFactuur amounts)."""
    el = _totaal(doc)
    if el is None:
        return
    bedrag = text(el, "TotaalBedrag")
    if bedrag is None or not bedrag.isdigit():
        return
    totaal = -int(bedrag) if text(el, "DebetCredit") == "C" else int(bedrag)
    if distinct(doc, "debet_credit") <= {"D"} and None not in distinct(doc, "bedrag"):
        som = sum(map(_BEDRAG, rows(doc)))  # all debet, all amounts given: the plain sum, in C
    else:
        som = sum(row.signed for row in rows(doc))
    if totaal != som:
        name = etree.QName(el).localname
        yield el, f"{name} ({totaal}) is niet gelijk aan de som van de Prestaties ({som})."


def _totaal(doc: Doc) -> etree._Element | None:
    """TotaalIngediendBedrag (3.2) or Header/DeclaratieFactuurBedragen/DeclaratieFactuurTotaalBedrag (2.3)."""
    if doc.declaratie is not None:
        return child(doc.declaratie, "TotaalIngediendBedrag")
    bedragen = None if doc.header is None else child(doc.header, "DeclaratieFactuurBedragen")
    return None if bedragen is None else child(bedragen, "DeclaratieFactuurTotaalBedrag")


@rule(
    "CS325",
    "0001",
    ("JW323", "JW325", "JW303"),
    "Indien (Totaal)Bedrag 0 is, dan DebetCredit vullen met D.",
    versions=_BOTH,
)
def nul_is_debet(doc: Doc) -> Iterator[Violation]:
    """A zero amount is always debet."""
    for name, amount in _TOTALEN:
        for el in doc.iter(name):
            if text(el, amount) in ("0", "00") and text(el, "DebetCredit") != "D":
                yield el, f"{name} is 0 maar DebetCredit is niet D."
    for row in rows(doc) if 0 in distinct(doc, "bedrag") else ():
        if row.bedrag == 0 and row.debet_credit != "D":
            yield row.at("IngediendBedrag", _FACTUURBEDRAG), "IngediendBedrag is 0 maar DebetCredit is niet D."


@rule("CS339", "0001", JW323, "Indien Eenheid 83 (euro's) is, is IngediendBedrag gelijk aan GeleverdVolume.")
def euro_bedrag_is_volume(doc: Doc) -> Iterator[Violation]:
    """With Eenheid 83 the delivered volume is the amount in cents."""
    for row in rows(doc) if "83" in distinct(doc, "eenheid") else ():
        if row.eenheid == "83" and row.bedrag is not None and row.volume is not None and row.bedrag != row.volume:
            yield (
                row.at("IngediendBedrag"),
                "Eenheid is 83 (euro's) maar IngediendBedrag is niet gelijk aan GeleverdVolume.",
            )


@rule("CD087", "0001", JW323, "ProductTarief verplicht als Eenheid niet 83 (euro's) is, anders leeg laten.")
def tarief_bij_eenheid(doc: Doc) -> Iterator[Violation]:
    """ProductTarief is present exactly when Eenheid is not 83."""
    if "83" not in distinct(doc, "eenheid") and None not in distinct(doc, "tarief"):
        return  # no euro lines and every line has a tarief (the usual case)
    for row in rows(doc):
        has = row.has_tarief
        if row.eenheid == "83" and has:
            yield row.at("ProductTarief"), "ProductTarief moet leeg zijn bij Eenheid 83 (euro's)."
        elif row.eenheid is not None and row.eenheid != "83" and not has:
            yield row.at("Eenheid"), "ProductTarief ontbreekt terwijl Eenheid niet 83 (euro's) is."


@rule(
    "TR346",
    "9346",
    JW323,
    "Indien Eenheid niet 83 is, is IngediendBedrag gelijk aan GeleverdVolume maal ProductTarief.",
)
def bedrag_is_volume_maal_tarief(doc: Doc) -> Iterator[Violation]:
    """IngediendBedrag = GeleverdVolume × ProductTarief (both in cents) when Eenheid is not euro's."""
    found = rows(doc)
    every_line = "83" not in distinct(doc, "eenheid") and not {None} & (
        distinct(doc, "bedrag") | distinct(doc, "volume") | distinct(doc, "tarief")
    )  # then every line is checked: compare all products at once, in C, and loop only when one differs
    if every_line and all(map(eq, map(_BEDRAG, found), map(mul, map(_VOLUME, found), map(_TARIEF, found)))):
        return
    for row in found:
        if row.eenheid == "83" or None in (row.bedrag, row.volume, row.tarief):
            continue
        if row.bedrag != (row.volume or 0) * (row.tarief or 0):
            yield (
                row.at("IngediendBedrag"),
                (f"IngediendBedrag {row.bedrag} is niet GeleverdVolume {row.volume} x ProductTarief {row.tarief}."),
            )


@rule(
    "CD060",
    "0001",
    (*DECLARATIES, "JW325"),
    "VorigReferentieNummer verplicht bij DebetCredit C (credit), anders leeg laten.",
    versions=_BOTH,
)
def vorig_referentienummer_bij_credit(doc: Doc) -> Iterator[Violation]:
    """A credit Prestatie names the debet it credits; a debet Prestatie does not (also as answered in a JW325)."""
    for row in rows(doc):
        if row.debet_credit == "C" and row.vorig is None:
            yield row.at("ProductReferentie"), "Credit-Prestatie zonder VorigReferentieNummer."
        elif row.debet_credit == "D" and row.vorig is not None:
            yield row.at("ProductReferentie/VorigReferentieNummer"), "Debet-Prestatie met VorigReferentieNummer."


def _duplicates(values: list[str | None]) -> set[str]:
    return {v for v, n in Counter(v for v in values if v is not None).items() if n > 1}


@rule("TR315", "0001", DECLARATIES, "VorigReferentieNummer van de Prestatie is uniek in het bericht.", versions=_BOTH)
def vorig_referentienummer_uniek(doc: Doc) -> Iterator[Violation]:
    """One debet is credited at most once per message."""
    dup = _duplicates([row.vorig for row in rows(doc)])
    for row in rows(doc):
        if row.vorig in dup:
            yield (
                row.at("ProductReferentie/VorigReferentieNummer"),
                f"VorigReferentieNummer {row.vorig!r} komt vaker voor.",
            )


@rule("TR316", "0001", DECLARATIES, "Debetregels mogen niet in hetzelfde bericht gecrediteerd worden.", versions=_BOTH)
def geen_credit_op_debet_in_bericht(doc: Doc) -> Iterator[Violation]:
    """A credit may not point at a debet in the same message."""
    if set(map(_VORIG, rows(doc))) <= {None}:
        return  # no Prestatie names an earlier one (the usual case, decided in C)
    debets = {row.referentienummer for row in rows(doc) if row.debet_credit == "D"}
    for row in rows(doc):
        if row.debet_credit == "C" and row.vorig is not None and row.vorig in debets:
            yield (
                row.at("ProductReferentie/VorigReferentieNummer"),
                "Credit op een debet-Prestatie uit hetzelfde bericht.",
            )


@rule(
    "TR416",
    "0001",
    JW323,
    "Maximaal één debet-Prestatie per ToewijzingNummer, ProductCategorie, ProductCode en ProductPeriode.",
)
def een_debet_per_sleutel(doc: Doc) -> Iterator[Violation]:
    """No second debet for the same toewijzing, product and period (later occurrences are reported)."""
    seen: set[tuple[object, ...]] = set()
    for row in rows(doc):
        if row.debet_credit != "D":
            continue
        key = (row.toewijzingnummer, row.categorie, row.code, row.begin, row.eind)
        if key in seen:
            yield row.element, "Er is al een debet-Prestatie met dezelfde toewijzing, product en ProductPeriode."
        seen.add(key)


@rule(
    "TR101",
    "0001",
    ("JW301", "JW305", "JW307", "JW315", "JW317", "JW323", "JW325", "JW303"),
    "Binnen een bericht zijn dubbele regels niet toegestaan.",
    versions=_BOTH,
)
def geen_dubbele_regels(doc: Doc) -> Iterator[Violation]:
    """Two identical lines (same content) in one message are refused; the later one is reported.

    The lines are the message's product classes: ToegewezenProduct, StartProduct, StopProduct,
    AangevraagdProduct, the three product classes of a verzoek om wijziging, and Prestatie.
    """
    names = _REGELS[doc.kind.message_type]
    seen: set[tuple[object, ...]] = set()
    if names == ("Prestatie",):  # identical Prestaties share their ReferentieNummer: compare only those
        nummers = list(map(_REFERENTIE, rows(doc)))
        if len(set(nummers)) == len(nummers):
            return  # every ReferentieNummer differs (the usual case, decided in C)
        dup = _duplicates(nummers)
        for row in (r for r in rows(doc) if r.referentienummer in dup):
            if row.content() in seen:
                yield row.element, "Prestatie komt dubbel voor in het bericht."
            seen.add(row.content())
        return
    for name in names:
        lines = list(doc.iter(name))
        if len(lines) < 2:  # the usual case; canonicalising the one line is most of this rule's cost
            continue
        for el in lines:
            key = (name, etree.tostring(el, method="c14n"))
            if key in seen:
                yield el, f"{name} komt dubbel voor in het bericht."
            seen.add(key)


_REGELS = {
    "JW301": ("ToegewezenProduct",),
    "JW305": ("StartProduct",),
    "JW307": ("StopProduct",),
    "JW315": ("AangevraagdProduct",),
    "JW317": ("NieuwProduct", "TeWijzigenProduct", "OngewijzigdProduct"),
    "JW323": ("Prestatie",),
    "JW325": ("Prestatie",),
    "JW303": ("Prestatie",),
}


@rule("CS319", "0001", JW323, "DeclaratieNummer aaneengesloten vullen met cijfers en/of letters.")
def declaratienummer_alfanumeriek(doc: Doc) -> Iterator[Violation]:
    """DeclaratieNummer contains only letters and digits."""
    el = None if doc.declaratie is None else child(doc.declaratie, "DeclaratieNummer")
    if el is not None and not _ALNUM.fullmatch((el.text or "").strip()):
        yield el, "DeclaratieNummer bevat andere tekens dan cijfers en letters."
