"""Berichtoverstijgende rules that hold a verzoek om wijziging (JW317) against the client's toewijzingen.

TR349: the verzoek names every actuele toewijzing of the client, as OngewijzigdProduct or
TeWijzigenProduct. TR373: a TeWijzigenProduct that changes a Budget or a total over the
toewijzingsperiode (Frequentie 6) starts on the Ingangsdatum of the toewijzing.

Both ask :class:`gateway.rules.context.ClientToewijzingHistory` (gemeente = Ontvanger, aanbieder =
Afzender, the client by the store's key); a history without it switches them off. One look-up per
message: the client's toewijzingen, shared by both rules.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date

from lxml import etree

from gateway.ports import ClientToewijzingHistory
from gateway.rules.context import ToegewezenProduct
from gateway.rules.registry import Doc, Violation, child, child_or, parse_date, rule, text

JW317 = ("JW317",)
VERWIJDERD, VERVALLEN = "13", "01"
"""RedenWijziging (JZ002): 13 verwijderd, 01 administratieve correctie (vervallen)."""
TOTAAL_BINNEN_GELDIGHEIDSDUUR = "6"
"""Frequentie (WMO757) 6: totaal binnen geldigheidsduur toewijzing."""


def _toewijzingen(doc: Doc) -> Mapping[str, ToegewezenProduct] | None:
    """The client's toewijzingen by ToewijzingNummer; None when the history cannot tell (or no client)."""
    if "client_toewijzingen" in doc.memo:
        return doc.memo["client_toewijzingen"]  # type: ignore[return-value]
    history: object = doc.context.history  # a MessageHistory that may also be a ClientToewijzingHistory
    client = child(doc.root, "Client")
    bsn = None if client is None else text(client, "Bsn")
    found: Mapping[str, ToegewezenProduct] | None = None
    if isinstance(history, ClientToewijzingHistory) and bsn is not None:
        gemeente, aanbieder = doc.header_text("Ontvanger") or "", doc.header_text("Afzender") or ""
        key = history.client_key(bsn)
        found = {p.toewijzingnummer: p for p in history.toewijzingen_van_client(gemeente, aanbieder, key)}
    doc.memo["client_toewijzingen"] = found
    return found


def actueel(product: ToegewezenProduct, on: date) -> bool:
    """TR349's "actuele toewijzing": valid on or after ``on`` (or starting later), and not removed.

    The rule text excludes toewijzingen ended on their Ingangsdatum with RedenWijziging 13 or 01. A toewijzing
    with RedenWijziging 13 is not actueel at all here, as for TR350/TR351: a verzoek that had to name it would
    then be refused by those rules for naming it.
    """
    if product.reden_wijziging == VERWIJDERD:
        return False
    if product.reden_wijziging == VERVALLEN and product.einddatum == product.ingangsdatum:
        return False
    return product.einddatum is None or product.einddatum >= on


@rule("TR349", "9349", JW317, "Het verzoek om wijziging bevat alle actuele ToegewezenProducten van de client.",
      history=True)  # fmt: skip
def verzoek_bevat_alle_actuele_producten(doc: Doc) -> Iterator[Violation]:
    """Every actuele toewijzing of the client from this gemeente to this aanbieder is named in the verzoek.

    Named means: its ToewijzingNummer is in an OngewijzigdProduct or TeWijzigenProduct. "Actueel" is judged
    on the message's Dagtekening (today without one), as TR350/TR351 judge the products the verzoek names.
    Toewijzingen to other aanbieders are not this aanbieder's to ask for and are not looked up.
    """
    found = _toewijzingen(doc)
    if not found:
        return
    verzoek = child_or(child_or(doc.root, "Client"), "Verzoek")
    named = {text(el, "ToewijzingNummer") for name in ("OngewijzigdProduct", "TeWijzigenProduct")
             for el in doc.iter(name)}  # fmt: skip
    on = doc.dagtekening or doc.context.today
    for nummer, product in found.items():
        if nummer not in named and actueel(product, on):
            yield verzoek, f"De actuele toewijzing {nummer!r} ontbreekt in het verzoek om wijziging."


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _changes_budget_or_total(el: etree._Element, product: ToegewezenProduct) -> bool:
    """Whether TeWijzigenProduct ``el`` asks for another Budget or another total over the toewijzingsperiode.

    A Budget counts as changed when it differs from the toewijzing's, or when the history does not know that
    budget (the store keeps none): IV093 has every change of a budget toewijzing start on its Ingangsdatum,
    so a stated Budget equal to the current one asks nothing TR373 would allow to start later. A total is
    changed when the requested Omvang has Frequentie 6 and differs from the toewijzing's Omvang (or that is
    not fully known), or when the toewijzing has Frequentie 6 and the requested Omvang differs from it.
    """
    budget = _int(text(el, "Budget"))
    if budget is not None and (product.budget is None or budget != product.budget):
        return True
    omvang = child(el, "Omvang")
    if omvang is None:
        return False
    gevraagd = (_int(text(omvang, "Volume")), text(omvang, "Eenheid"), text(omvang, "Frequentie"))
    huidig = (product.volume, product.eenheid, product.frequentie)
    if gevraagd[2] == TOTAAL_BINNEN_GELDIGHEIDSDUUR:
        return None in huidig or gevraagd != huidig
    return product.frequentie == TOTAAL_BINNEN_GELDIGHEIDSDUUR and gevraagd != huidig


@rule(
    "TR373",
    "9373",
    JW317,
    "Wijzigt een TeWijzigenProduct het Budget of het totaal over de toewijzingsperiode, dan is GewensteIngangsdatum "
    "de Ingangsdatum van de actuele toewijzing.",
    history=True,
)
def budgetwijziging_vanaf_ingang(doc: Doc) -> Iterator[Violation]:
    """A change of Budget or total is asked for the toewijzing's whole term: from its Ingangsdatum on.

    The toewijzing is the client's one with the TeWijzigenProduct's ToewijzingNummer (an unknown number is
    TR351's finding). See :func:`_changes_budget_or_total` for what counts as a change.
    """
    found = _toewijzingen(doc)
    if not found:
        return
    for el in doc.iter("TeWijzigenProduct"):
        product = found.get(text(el, "ToewijzingNummer") or "")
        gewenst = child(el, "GewensteIngangsdatum")
        datum = None if gewenst is None else parse_date(gewenst.text)
        if product is None or gewenst is None or datum is None or datum == product.ingangsdatum:
            continue
        if _changes_budget_or_total(el, product):
            yield (
                gewenst,
                f"Budget of totaal wijzigt, maar GewensteIngangsdatum is niet de Ingangsdatum {product.ingangsdatum}"
                " van de toewijzing.",
            )
