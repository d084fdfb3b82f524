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


Children = dict[str, etree._Element]


def _children(element: etree._Element | None) -> Children:
    """Child elements by local name (one pass; much faster than namespace-wildcard finds per field)."""
    if element is None:
        return {}
    return {child.tag.rpartition("}")[2]: child for child in element if isinstance(child.tag, str)}


def _text(element: etree._Element | None, path: str = "") -> str | None:
    if element is None:
        return None
    value = element.findtext(path) if path else element.text
    return value.strip() or None if value is not None else None


def _of(children: Children, name: str) -> str | None:
    element = children.get(name)
    if element is None or element.text is None:
        return None
    return element.text.strip() or None


def _day(value: str | None) -> date | None:
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
    parts = _children(element)
    cents = _int(_of(parts, "Bedrag"))
    if cents is None:
        return None
    return -cents if _of(parts, "DebetCredit") == "C" else cents


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
    ijw23 = kind.version.startswith("2")
    header = read_header(root)
    if fact_kind is FactKind.TOEWIJZING:
        gemeente, aanbieder = _gemeente(header.sender), header.receiver or ""
    else:
        aanbieder, gemeente = header.sender or "", _gemeente(header.receiver)
    facts: list[Fact] = []
    for client in root.iter("{*}Client"):
        bsn = _of(_children(client), "Bsn")
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
                ijw23=ijw23,
            )
            if fact is not None:
                facts.append(fact)
    return facts


_LOCAL: dict[str, str] = {}


def _flat(item: etree._Element) -> dict[str, str]:
    """Every element text under ``item`` by local name, in one pass (later duplicates win).

    Within a Prestatie, ToegewezenProduct, StartProduct or StopProduct the names we read are unique
    (Begindatum/Einddatum of the ProductPeriode, Bedrag/DebetCredit of the IngediendBedrag), except
    in an iJw 2.3 Prestatie, whose amounts are read from their own parent.
    """
    found: dict[str, str] = {}
    for element in item.iter():
        tag = element.tag
        text = element.text
        if text is None or not isinstance(tag, str):
            continue
        local = _LOCAL.get(tag)
        if local is None:
            local = _LOCAL.setdefault(tag, tag.rpartition("}")[2])
        value = text.strip()
        if value:
            found[local] = value
    return found


def _fact(
    item: etree._Element,
    kind: FactKind,
    *,
    client: str,
    aanbieder: str,
    gemeente: str,
    woon: str | None,
    received_at: datetime,
    ijw23: bool = False,
) -> Fact | None:
    fields = _flat(item)
    get = fields.get
    bedrag: int | None = None
    if kind is FactKind.PRESTATIE:
        categorie, code = get("ProductCategorie"), get("ProductCode")
        if ijw23:  # several Bedrag elements per Prestatie: read the declared one from its own parent
            bedrag = _amount(item.find("{*}IngediendeBedragPrestatie/{*}DeclaratieFactuurBedrag"))
        elif get("Bedrag") is not None:
            cents = _int(get("Bedrag"))
            bedrag = -cents if cents is not None and get("DebetCredit") == "C" else cents
        begin, end = _day(get("Begindatum")), _day(get("Einddatum"))
        volume = _int(get("GeleverdVolume"))
    else:
        categorie, code = get("Categorie"), get("Code")
        if kind is FactKind.TOEWIJZING:
            begin, end = _day(get("Ingangsdatum")), _day(get("Einddatum"))
        else:
            begin = _day(get("Begindatum"))
            end = _day(get("Einddatum")) if kind is FactKind.STOP else None
        volume = _int(get("Volume"))
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
        eenheid=get("Eenheid"),
        bedrag_cent=bedrag,
        toewijzingnummer=get("ToewijzingNummer"),
        referentienummer=get("ReferentieNummer") or get("ReferentieAanbieder"),
        woongemeente=woon,
        declared_at=received_at,
        status_aanlevering=get("StatusAanlevering") if kind in (FactKind.START, FactKind.STOP) else None,
        reden=get("RedenBeeindiging") if kind is FactKind.STOP else get("RedenWijziging"),
    )


__all__ = ["extract_facts", "residence"]
