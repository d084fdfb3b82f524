"""Facts from an accepted iJw message: one per Prestatie (JW323/JW303), start (JW305), stop (JW307), toewijzing (JW301).

The map stage calls :func:`extract_facts` with the parsed root. Clients become keyed pseudonyms
here, so a BSN never leaves this function. Each fact carries the CBS hulpvorm the receiving
gemeente's expectations give its product code on the fact's begindatum.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from lxml import etree

from gateway.facts import Fact, FactKind
from gateway.mapping.lookup import lookup
from gateway.mapping.tables import gemeente_by_name, normalise_gemeente
from gateway.model import MessageKind
from gateway.standards.ijw import read_header

BRP_ADRES = "01"
_KINDS = {
    "JW301": (FactKind.TOEWIJZING, "ToegewezenProduct"),
    "JW305": (FactKind.START, "StartProduct"),
    "JW307": (FactKind.STOP, "StopProduct"),
    "JW303": (FactKind.PRESTATIE, "Prestatie"),
    "JW323": (FactKind.PRESTATIE, "Prestatie"),
}


def _text(element: etree._Element | None, path: str) -> str | None:
    if element is None:
        return None
    value = element.findtext(path)
    return value.strip() or None if value is not None else None


def _date(element: etree._Element | None, path: str) -> date | None:
    value = _text(element, path)
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _amount(element: etree._Element | None) -> int | None:
    """A CDT bedrag (Bedrag + DebetCredit) in signed cents."""
    cents = _int(_text(element, "{*}Bedrag"))
    if cents is None:
        return None
    return -cents if _text(element, "{*}DebetCredit") == "C" else cents


def residence(client: etree._Element) -> str | None:
    """The gemeentecode of the client's BRP address (Contactgegevens/Contact, Soort 01), when it names a gemeente."""
    for contact in client.iterfind("{*}Contactgegevens/{*}Contact"):
        if _text(contact, "{*}Soort") == BRP_ADRES:
            plaats = _text(contact, "{*}Adres/{*}Plaatsnaam")
            return gemeente_by_name(plaats) if plaats else None
    return None


def _gemeente(code: str | None) -> str:
    try:
        return normalise_gemeente(code or "")
    except ValueError:
        return code or ""


def extract_facts(
    root: etree._Element,
    kind: MessageKind,
    *,
    pseudonymiser: Callable[[str], str],
    received_at: datetime,
) -> list[Fact]:
    """The facts of one iJw message; empty for message types that carry none (retours, verzoeken)."""
    found = _KINDS.get(kind.message_type.upper())
    if found is None:
        return []
    fact_kind, item_tag = found
    header = read_header(root)
    if fact_kind is FactKind.TOEWIJZING:
        gemeente, aanbieder = _gemeente(header.sender), header.receiver or ""
    else:
        aanbieder, gemeente = header.sender or "", _gemeente(header.receiver)
    facts: list[Fact] = []
    for client in root.iter("{*}Client"):
        bsn = _text(client, "{*}Bsn")
        if bsn is None:
            continue
        pseudonym = pseudonymiser(bsn)
        woon = residence(client) if fact_kind is FactKind.TOEWIJZING else None
        for item in client.iter(f"{{*}}{item_tag}"):
            fact = _fact(
                item,
                fact_kind,
                client=pseudonym,
                aanbieder=aanbieder,
                gemeente=gemeente,
                woon=woon,
                received_at=received_at,
            )
            if fact is not None:
                facts.append(fact)
    return facts


def _fact(
    item: etree._Element,
    kind: FactKind,
    *,
    client: str,
    aanbieder: str,
    gemeente: str,
    woon: str | None,
    received_at: datetime,
) -> Fact | None:
    volume: int | None
    eenheid: str | None
    bedrag: int | None = None
    if kind is FactKind.PRESTATIE:
        categorie = _text(item, "{*}ProductCategorie")
        code = _text(item, "{*}ProductCode")
        begin = _date(item, "{*}ProductPeriode/{*}Begindatum")
        end = _date(item, "{*}ProductPeriode/{*}Einddatum")
        amounts = item.find("{*}IngediendeBedragPrestatie")  # iJw 2.3
        if amounts is not None:
            volume = _int(_text(amounts, "{*}GeleverdVolume"))
            eenheid = _text(amounts, "{*}Eenheid")
            bedrag = _amount(amounts.find("{*}DeclaratieFactuurBedrag"))
        else:
            volume = _int(_text(item, "{*}GeleverdVolume"))
            eenheid = _text(item, "{*}Eenheid")
            bedrag = _amount(item.find("{*}IngediendBedrag"))
    else:
        categorie = _text(item, "{*}Product/{*}Categorie")
        code = _text(item, "{*}Product/{*}Code")
        if kind is FactKind.TOEWIJZING:
            begin, end = _date(item, "{*}Ingangsdatum"), _date(item, "{*}Einddatum")
        else:
            begin = _date(item, "{*}Begindatum")
            end = _date(item, "{*}Einddatum") if kind is FactKind.STOP else None
        volume = _int(_text(item, "{*}Omvang/{*}Volume"))
        eenheid = _text(item, "{*}Omvang/{*}Eenheid")
    if begin is None:
        return None
    mapping = lookup(code, gemeente=gemeente if gemeente.isdigit() else None, on=begin) if code else None
    return Fact(
        kind=kind,
        client=client,
        aanbieder=aanbieder,
        gemeente=gemeente,
        productcategorie=categorie or (mapping.categorie if mapping else None),
        productcode=code,
        cbs_hulpvorm=mapping.cbs_hulpvorm if mapping else None,
        begindatum=begin,
        einddatum=end,
        volume=volume,
        eenheid=eenheid,
        bedrag_cent=bedrag,
        toewijzingnummer=_text(item, "{*}ToewijzingNummer"),
        referentienummer=_text(item, "{*}ProductReferentie/{*}ReferentieNummer")
        or _text(item, "{*}ReferentieAanbieder"),
        woongemeente=woon,
        declared_at=received_at,
    )


__all__ = ["extract_facts", "residence"]
