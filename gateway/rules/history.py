"""Berichtoverstijgende rules: checked against earlier messages through :class:`MessageHistory`.

These run only when the context has a history (the store); each makes at most one batched
look-up per message. TR314 is the exception: its in-message half always runs, its
cross-message half only with a history.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator, Mapping

from gateway.ports import MessageHistory
from gateway.rules.context import EerderePrestatie, PrestatieSleutel, ToegewezenProduct
from gateway.rules.prestaties import Row, distinct, rows
from gateway.rules.registry import HEENBERICHTEN, Doc, Violation, child, rule

JW323 = ("JW323",)


def _history(doc: Doc) -> MessageHistory:
    history = doc.context.history
    if history is None:  # pragma: no cover - the runner only calls history rules with a history
        raise RuntimeError("history rule without a history")
    return history


def _toegewezen(doc: Doc) -> Mapping[str, ToegewezenProduct]:
    cached = doc.memo.get("toegewezen")
    if cached is None:
        nummers = {row.toewijzingnummer for row in rows(doc) if row.toewijzingnummer}
        gemeente, aanbieder = doc.header_text("Ontvanger") or "", doc.header_text("Afzender") or ""
        cached = _history(doc).toegewezen_producten(gemeente, aanbieder, nummers)
        doc.memo["toegewezen"] = cached
    return cached  # type: ignore[return-value]


def _eerdere(doc: Doc) -> Mapping[str, EerderePrestatie]:
    cached = doc.memo.get("eerdere")
    if cached is None:
        nummers = {n for row in rows(doc) for n in (row.referentienummer, row.vorig) if n}
        cached = _history(doc).eerdere_prestaties(doc.header_text("Afzender") or "", nummers, doc.context.message_id)
        doc.memo["eerdere"] = cached
    return cached  # type: ignore[return-value]


def with_product(doc: Doc) -> Iterator[tuple[Row, ToegewezenProduct]]:
    """Each Prestatie row whose ToewijzingNummer the history knows, with that toegewezen product."""
    found = _toegewezen(doc)
    for row in rows(doc):
        product = found.get(row.toewijzingnummer or "")
        if product is not None:
            yield row, product


@rule(
    "TR056",
    "9056",
    HEENBERICHTEN | {"JW325"},
    "Identificatie van het bericht is uniek per afzender.",
    versions=("3.2", "2.3"),
    history=True,
)
def identificatie_uniek(doc: Doc) -> Iterator[Violation]:
    """The sender has not used this BerichtIdentificatie/Identificatie before (a JW325 is answered by no retour,
    but its Identificatie is unique all the same: the catalogue lists it)."""
    if doc.header is None:
        return
    ident = child(doc.header, "BerichtIdentificatie")
    el = None if ident is None else child(ident, "Identificatie")
    sender = doc.header_text("Afzender")
    if el is None or not el.text or not sender:
        return
    if _history(doc).seen_identificatie(
        sender, el.text.strip(), doc.context.message_id, message_type=doc.kind.message_type
    ):
        yield el, "Identificatie is al eerder door deze afzender gebruikt."


@rule("TR333", "9333", JW323, "DeclaratieNummer is uniek voor de aanbieder.", history=True)
def declaratienummer_uniek(doc: Doc) -> Iterator[Violation]:
    """The aanbieder has not sent a declaratie with this DeclaratieNummer before."""
    el = None if doc.declaratie is None else child(doc.declaratie, "DeclaratieNummer")
    aanbieder = doc.header_text("Afzender")
    if el is None or not el.text or not aanbieder:
        return
    if _history(doc).seen_declaratienummer(aanbieder, el.text.strip(), doc.context.message_id):
        yield el, f"DeclaratieNummer {el.text.strip()!r} is al eerder gebruikt."


@rule(
    "TR314",
    "8021",
    JW323,
    "ReferentieNummer van de Prestatie is uniek voor de aanbieder (in en over berichten).",
    history="optional",
)
def referentienummer_uniek(doc: Doc) -> Iterator[Violation]:
    """No ReferentieNummer twice in the message, nor one the aanbieder used before (with a history)."""
    earlier = _eerdere(doc) if doc.context.history is not None else {}
    found = rows(doc)
    if not earlier and len(distinct(doc, "referentienummer")) == len(found):
        return  # every ReferentieNummer differs and none is known from before (the usual case)
    seen: set[str] = set()
    for row in found:
        nummer = row.referentienummer
        if nummer is None:
            continue
        if nummer in seen:
            yield (
                row.at("ProductReferentie/ReferentieNummer"),
                f"ReferentieNummer {nummer!r} komt al eerder in dit bericht voor.",
            )
        elif nummer in earlier:
            yield row.at("ProductReferentie/ReferentieNummer"), f"ReferentieNummer {nummer!r} is al eerder aangeleverd."
        seen.add(nummer)


@rule(
    "TR338",
    "9338",
    JW323,
    "Iedere Prestatie is gerelateerd aan een ToegewezenProduct op basis van ToewijzingNummer.",
    history=True,
)
def prestatie_heeft_toewijzing(doc: Doc) -> Iterator[Violation]:
    """The ToewijzingNummer names a toewijzing of this gemeente to this aanbieder."""
    found = _toegewezen(doc)
    for row in rows(doc):
        if row.toewijzingnummer and row.toewijzingnummer not in found:
            yield row.at("ToewijzingNummer"), f"ToewijzingNummer {row.toewijzingnummer!r} is niet bekend."


@rule(
    "TR339", "9339", JW323, "ProductCategorie in de Prestatie is gelijk aan die in het ToegewezenProduct.", history=True
)
def zelfde_categorie(doc: Doc) -> Iterator[Violation]:
    """When the toewijzing names a category, the Prestatie uses it."""
    for row, product in with_product(doc):
        if product.productcategorie and row.categorie != product.productcategorie:
            yield row.at("ProductCategorie"), "ProductCategorie wijkt af van de toewijzing."


@rule("TR340", "9340", JW323, "ProductCode in de Prestatie is gelijk aan die in het ToegewezenProduct.", history=True)
def zelfde_code(doc: Doc) -> Iterator[Violation]:
    """When the toewijzing names a product code, the Prestatie uses it."""
    for row, product in with_product(doc):
        if product.productcode and row.code != product.productcode:
            yield row.at("ProductCode"), "ProductCode wijkt af van de toewijzing."


@rule(
    "TR307",
    "9307",
    JW323,
    "Begindatum van de ProductPeriode ligt op of na de Ingangsdatum van de toewijzing.",
    history=True,
)
def begin_na_ingang(doc: Doc) -> Iterator[Violation]:
    """No care is declared before the toewijzing starts."""
    for row, product in with_product(doc):
        if row.begin is not None and row.begin < product.ingangsdatum:
            yield (
                row.at("ProductPeriode/Begindatum", "ProductPeriode"),
                "Begindatum ligt voor de Ingangsdatum van de toewijzing.",
            )


@rule(
    "TR308",
    "9308",
    JW323,
    "Einddatum van de ProductPeriode ligt op of voor de Einddatum van de toewijzing.",
    history=True,
)
def eind_voor_einde(doc: Doc) -> Iterator[Violation]:
    """No care is declared after the toewijzing ends."""
    for row, product in with_product(doc):
        if row.eind is not None and product.einddatum is not None and row.eind > product.einddatum:
            yield (
                row.at("ProductPeriode/Einddatum", "ProductPeriode"),
                "Einddatum ligt na de Einddatum van de toewijzing.",
            )


@rule("TR384", "9384", JW323, "Niet declareren op een toewijzing met RedenWijziging 13 (verwijderd).", history=True)
def niet_op_verwijderde_toewijzing(doc: Doc) -> Iterator[Violation]:
    """A removed toewijzing cannot be declared."""
    for row, product in with_product(doc):
        if product.reden_wijziging == "13":
            yield row.at("ToewijzingNummer"), "De toewijzing is verwijderd (RedenWijziging 13)."


@rule(
    "TR387",
    "9387",
    JW323,
    "Begindatum ProductPeriode is de 1e van de maand, tenzij de toewijzing later in die maand ingaat.",
    history=True,
)
def begin_eerste_van_maand(doc: Doc) -> Iterator[Violation]:
    """A Prestatie starts on the first of its month unless the toewijzing starts later that month."""
    for row, product in with_product(doc):
        if row.begin is None or row.begin.day == 1:
            continue
        ingang = product.ingangsdatum
        if not ((ingang.year, ingang.month) == (row.begin.year, row.begin.month) and ingang.day > 1):
            yield (
                row.at("ProductPeriode/Begindatum", "ProductPeriode"),
                "Begindatum is niet de eerste dag van de maand.",
            )


@rule(
    "TR388",
    "9388",
    JW323,
    "Einddatum ProductPeriode is de laatste dag van de maand, tenzij de toewijzing eerder in die maand eindigt.",
    history=True,
)
def eind_laatste_van_maand(doc: Doc) -> Iterator[Violation]:
    """A Prestatie ends on the last day of its month unless the toewijzing ends earlier that month."""
    for row, product in with_product(doc):
        if row.eind is None or row.eind.day == calendar.monthrange(row.eind.year, row.eind.month)[1]:
            continue
        einde = product.einddatum
        last = calendar.monthrange(row.eind.year, row.eind.month)[1]
        if not (
            einde is not None and (einde.year, einde.month) == (row.eind.year, row.eind.month) and einde.day < last
        ):
            yield row.at("ProductPeriode/Einddatum", "ProductPeriode"), "Einddatum is niet de laatste dag van de maand."


@rule("TR323", "8017", JW323, "Een credit-Prestatie hoort bij een eerder verzonden debet-Prestatie.", history=True)
def credit_heeft_debet(doc: Doc) -> Iterator[Violation]:
    """The VorigReferentieNummer of a credit names an earlier debet of this aanbieder."""
    earlier = _eerdere(doc)
    for row in rows(doc):
        if row.debet_credit != "C" or row.vorig is None:
            continue
        debet = earlier.get(row.vorig)
        if debet is None or debet.debet_credit != "D":
            yield (
                row.at("ProductReferentie/VorigReferentieNummer", "ProductReferentie"),
                "Van deze credit-Prestatie is geen debet bekend.",
            )


@rule("TR390", "9390", JW323, "Een debet-Prestatie wordt maar één keer gecrediteerd.", history=True)
def niet_twee_keer_crediteren(doc: Doc) -> Iterator[Violation]:
    """A credit may not target a debet that was already credited."""
    earlier = _eerdere(doc)
    for row in rows(doc):
        debet = earlier.get(row.vorig or "") if row.debet_credit == "C" else None
        if debet is not None and debet.gecrediteerd:
            yield (
                row.at("ProductReferentie/VorigReferentieNummer", "ProductReferentie"),
                "Deze debet-Prestatie is al gecrediteerd.",
            )


@rule(
    "TR389",
    "9389",
    JW323,
    "Een nieuwe debet-Prestatie alleen als de eerdere debet met dezelfde sleutel is gecrediteerd.",
    history=True,
)
def geen_tweede_debet(doc: Doc) -> Iterator[Violation]:
    """No second debet for a toewijzing, product and period while the first is not credited."""
    keyed: list[tuple[Row, PrestatieSleutel]] = [
        (row, PrestatieSleutel(row.toewijzingnummer or "", row.categorie, row.code, row.begin, row.eind))
        for row in rows(doc)
        if row.debet_credit == "D" and row.begin is not None and row.eind is not None
    ]
    if not keyed:
        return
    credited_now = {row.vorig for row in rows(doc) if row.debet_credit == "C"}
    open_keys = set(
        _history(doc).open_debetten(doc.header_text("Afzender") or "", [k for _, k in keyed], doc.context.message_id)
    )
    if credited_now and open_keys:
        earlier = _eerdere(doc)
        open_keys -= {_key(earlier[v]) for v in credited_now if v is not None and v in earlier}
    for row, key in keyed:
        if key in open_keys:
            yield row.element, "Er is al een debet-Prestatie met deze sleutel die niet gecrediteerd is."


def _key(p: EerderePrestatie) -> PrestatieSleutel:
    return PrestatieSleutel(p.toewijzingnummer, p.productcategorie, p.productcode, p.begindatum, p.einddatum)
