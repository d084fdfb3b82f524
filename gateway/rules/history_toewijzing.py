"""Berichtoverstijgende rules that tie a start/stop, verzoek om wijziging or Prestatie to its toewijzing.

One batched :meth:`MessageHistory.toegewezen_producten` look-up per message (gemeente =
Ontvanger, aanbieder = Afzender). "Actueel" is read as: known to the store, not removed
(RedenWijziging 13) and not ended before the message's Dagtekening.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date

from lxml import etree

from gateway.rules.context import ToegewezenProduct
from gateway.rules.registry import Doc, Violation, child, child_date, child_or, parse_date, rule, text

_CUTOFF = date(2020, 12, 31)
_VAN_GEMEENTE = frozenset({"JW325"})
"""Messages these rules see that the gemeente sends: the aanbieder is their Ontvanger."""


def _nummers(doc: Doc) -> list[tuple[etree._Element, str]]:
    cached = doc.memo.get("toewijzingnummers")
    if cached is None:
        cached = [(el, (el.text or "").strip()) for el in doc.iter("ToewijzingNummer") if el.text]
        doc.memo["toewijzingnummers"] = cached
    return cached  # type: ignore[return-value]


def _toegewezen(doc: Doc) -> Mapping[str, ToegewezenProduct]:
    cached = doc.memo.get("toegewezen")
    if cached is None:
        history = doc.context.history
        assert history is not None  # the runner only calls history rules with a history
        gemeente, aanbieder = doc.header_text("Ontvanger") or "", doc.header_text("Afzender") or ""
        if doc.kind.message_type in _VAN_GEMEENTE:
            gemeente, aanbieder = aanbieder, gemeente
        cached = history.toegewezen_producten(gemeente, aanbieder, {n for _, n in _nummers(doc)})
        doc.memo["toegewezen"] = cached
    return cached  # type: ignore[return-value]


def _actueel(product: ToegewezenProduct | None, on: date | None) -> bool:
    if product is None or product.reden_wijziging == "13":
        return False
    return product.einddatum is None or on is None or product.einddatum >= on


@rule("TR019", "9019", ("JW305", "JW307"), "Het start- of stopbericht hoort bij een toewijzing.", history=True)
def start_stop_bij_toewijzing(doc: Doc) -> Iterator[Violation]:
    """Every ToewijzingNummer in a start/stop message names a toewijzing of this gemeente to this aanbieder."""
    found = _toegewezen(doc)
    for el, nummer in _nummers(doc):
        if nummer not in found:
            yield el, f"ToewijzingNummer {nummer!r} is niet bekend."


@rule("TR304", "8187", ("JW317", "JW323", "JW325"), "De toewijzing hoort bij deze client.", history=True)
def toewijzing_hoort_bij_client(doc: Doc) -> Iterator[Violation]:
    """A Prestatie (declared or answered) or product of a verzoek names a toewijzing of the same client.

    Clients are compared by store key. A JW325 comes from the gemeente, so its parties are swapped.
    """
    history = doc.context.history
    assert history is not None
    found = _toegewezen(doc)
    keys: dict[str, str] = {}
    for client in doc.iter("Client"):
        bsn = text(client, "Bsn")
        if bsn is None:
            continue
        key = keys[bsn] if bsn in keys else keys.setdefault(bsn, history.client_key(bsn))
        for el in client.iter("{*}ToewijzingNummer"):
            product = found.get((el.text or "").strip())
            if product is not None and product.client != key:
                yield el, "De toewijzing hoort niet bij deze client."


def _niet_actueel(doc: Doc, owner: str) -> Iterator[Violation]:
    found = _toegewezen(doc)
    for el in doc.iter(owner):
        nummer = text(el, "ToewijzingNummer")
        if nummer is not None and not _actueel(found.get(nummer), doc.dagtekening):
            yield child_or(el, "ToewijzingNummer"), f"ToewijzingNummer {nummer!r} is geen actuele toewijzing."


@rule("TR350", "9350", ("JW317",), "OngewijzigdProduct hoort bij een actueel toegewezen product.", history=True)
def ongewijzigd_is_actueel(doc: Doc) -> Iterator[Violation]:
    """An unchanged product refers to a current toewijzing."""
    yield from _niet_actueel(doc, "OngewijzigdProduct")


@rule("TR351", "9351", ("JW317",), "TeWijzigenProduct hoort bij een actueel toegewezen product.", history=True)
def te_wijzigen_is_actueel(doc: Doc) -> Iterator[Violation]:
    """A product to change refers to a current toewijzing."""
    yield from _niet_actueel(doc, "TeWijzigenProduct")


def _te_wijzigen(doc: Doc) -> Iterator[tuple[etree._Element, ToegewezenProduct]]:
    found = _toegewezen(doc)
    for el in doc.iter("TeWijzigenProduct"):
        product = found.get(text(el, "ToewijzingNummer") or "")
        if product is not None:
            yield el, product


def _open_or_after_2020(product: ToegewezenProduct) -> bool:
    return product.einddatum is None or product.einddatum > _CUTOFF


@rule("TR411", "9411", ("JW317",), "Omvang verplicht als de toewijzing een ProductCode heeft.", history=True)
def omvang_bij_code_in_toewijzing(doc: Doc) -> Iterator[Violation]:
    """Changing a toewijzing with a product code needs an Omvang."""
    for el, product in _te_wijzigen(doc):
        if product.productcode and child(el, "Omvang") is None:
            yield el, "Omvang ontbreekt terwijl de toewijzing een ProductCode heeft."


@rule(
    "TR412",
    "9412",
    ("JW317",),
    "Omvang leeg als de toewijzing geen ProductCode heeft (einde na 2020 of open).",
    history=True,
)
def geen_omvang_zonder_code_in_toewijzing(doc: Doc) -> Iterator[Violation]:
    """A toewijzing of a category without a code is changed without an Omvang."""
    for el, product in _te_wijzigen(doc):
        omvang = child(el, "Omvang")
        if product.productcategorie and not product.productcode and omvang is not None and _open_or_after_2020(product):
            yield omvang, "Omvang is gevuld terwijl de toewijzing geen ProductCode heeft."


@rule(
    "TR375",
    "9375",
    ("JW317",),
    "Omvang leeg als de toewijzing geen Product heeft (einde na 2020 of open).",
    history=True,
)
def geen_omvang_zonder_product_in_toewijzing(doc: Doc) -> Iterator[Violation]:
    """A budget toewijzing (no Product at all) is changed without an Omvang."""
    for el, product in _te_wijzigen(doc):
        omvang = child(el, "Omvang")
        if (
            not product.productcategorie
            and not product.productcode
            and omvang is not None
            and _open_or_after_2020(product)
        ):
            yield omvang, "Omvang is gevuld terwijl de toewijzing geen Product heeft."


@rule(
    "TR357",
    "9357",
    ("JW317",),
    "Als GewensteIngangsdatum <= Dagtekening, dan is die gelijk aan de Ingangsdatum van het ToegewezenProduct.",
    history=True,
)
def terugwerkende_wijziging_vanaf_ingang(doc: Doc) -> Iterator[Violation]:
    """A change that starts on or before the request's Dagtekening starts where the toewijzing itself started."""
    dagtekening = doc.dagtekening
    if dagtekening is None:
        return
    found = _toegewezen(doc)
    for el in doc.iter("TeWijzigenProduct"):
        gewenst = child(el, "GewensteIngangsdatum")
        datum = None if gewenst is None else parse_date(gewenst.text)
        product = found.get(text(el, "ToewijzingNummer") or "")
        if gewenst is None or datum is None or product is None or datum > dagtekening:
            continue
        if datum != product.ingangsdatum:
            yield (
                gewenst,
                "GewensteIngangsdatum ligt niet na de Dagtekening en is niet de Ingangsdatum van de toewijzing.",
            )


def _verzoek_lines(
    doc: Doc,
) -> list[tuple[etree._Element, tuple[str | None, str | None], date | None, date | None, bool]]:
    """(element, product, start, end, new) for every product of a verzoek om wijziging; toewijzingen from history."""
    found = _toegewezen(doc)
    lines = []
    for el in doc.iter("NieuwProduct"):
        product = child(el, "Product")
        if product is not None:
            key = (text(product, "Categorie"), text(product, "Code"))
            lines.append((el, key, child_date(el, "GewensteIngangsdatum"), child_date(el, "Einddatum"), True))
    for name in ("TeWijzigenProduct", "OngewijzigdProduct"):
        for el in doc.iter(name):
            toewijzing = found.get(text(el, "ToewijzingNummer") or "")
            if toewijzing is None:
                continue  # an unknown toewijzing is TR350/TR351's finding
            end = child_date(el, "Einddatum") if name == "TeWijzigenProduct" else None
            key = (toewijzing.productcategorie, toewijzing.productcode)
            lines.append((el, key, toewijzing.ingangsdatum, end or toewijzing.einddatum, False))
    return lines


@rule(
    "TR361",
    "9361",
    ("JW317",),
    "Een Product komt alleen vaker voor in een verzoek om wijziging als de zorgperiodes niet overlappen.",
    history=True,
)
def geen_overlap_in_verzoek(doc: Doc) -> Iterator[Violation]:
    """New, changed and unchanged products of one verzoek: the same Product never twice over the same days.

    Two NieuwProducten overlapping is TR410's in-message finding; TR361 reports the overlaps that involve
    a toewijzing (a TeWijzigenProduct or OngewijzigdProduct, whose product and period come from the history).
    """
    lines = _verzoek_lines(doc)
    for i, (el, key, start, end, new) in enumerate(lines):
        if start is None or key == (None, None):
            continue
        for _, other_key, other_start, other_end, other_new in lines[:i]:
            if other_key != key or other_start is None or (new and other_new):
                continue
            if start <= (other_end or date.max) and other_start <= (end or date.max):
                yield el, "Hetzelfde Product komt in het verzoek vaker voor met overlappende periodes."
                break


@rule(
    "TR332",
    "9332",
    ("JW301",),
    "Ieder ToegewezenProduct binnen één gemeente heeft een uniek nummer (per wettelijk domein).",
    history="optional",
)
def toewijzingnummer_uniek(doc: Doc) -> Iterator[Violation]:
    """No ToewijzingNummer twice in one JW301; with a history, a known number names the same client and product.

    A JW301 that repeats a toewijzing (a wijziging) keeps its client and product; another client or
    product under a known number is a second ToegewezenProduct with the same number. The history is
    asked per gemeente and aanbieder, so a number reused towards another aanbieder is not seen here.
    """
    client = child(doc.root, "Client")
    if client is None:
        return
    lines = [(el, text(el, "ToewijzingNummer")) for el in client.iter("{*}ToegewezenProduct")]
    seen: set[str] = set()
    for el, nummer in lines:
        if nummer and nummer in seen:
            yield child_or(el, "ToewijzingNummer"), f"ToewijzingNummer {nummer!r} komt vaker voor in dit bericht."
        seen.add(nummer or "")
    history = doc.context.history
    bsn = text(client, "Bsn")
    if history is None or bsn is None:
        return
    nummers = {n for _, n in lines if n}
    gemeente, aanbieder = doc.header_text("Afzender") or "", doc.header_text("Ontvanger") or ""
    found = history.toegewezen_producten(gemeente, aanbieder, nummers) if nummers else {}
    key = history.client_key(bsn) if found else ""
    for el, nummer in lines:
        known = found.get(nummer or "")
        if known is None:
            continue
        product = (text(el, "Product/Categorie"), text(el, "Product/Code"))
        if known.client != key or product != (known.productcategorie, known.productcode):
            yield (
                child_or(el, "ToewijzingNummer"),
                f"ToewijzingNummer {nummer!r} is al gebruikt voor een ander ToegewezenProduct.",
            )
