"""StUF-Jeugdzorg acknowledgements: Bv03 for an accepted Di01, Fo03 for a rejected one.

Their stuurgegevens are built, never copied: only the known fields of the incoming zender and
ontvanger that fit the StUF schema are taken over (swapped), so a broken envelope still gets a
schema-valid reply.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from lxml import etree

from gateway.bsn import scrub

STUF_NS = "http://www.egem.nl/StUF/StUF0301"
_S = f"{{{STUF_NS}}}"


def _tijdstip(now: datetime | None) -> str:
    moment = now or datetime.now(UTC)
    return moment.strftime("%Y%m%d%H%M%S") + f"{moment.microsecond // 1000:03d}"


def _first(root: etree._Element, local: str) -> etree._Element | None:
    for el in root.iter(f"{{*}}{local}"):
        return el
    return None


def _text(parent: etree._Element | None, local: str) -> str | None:
    if parent is None:
        return None
    child = next(parent.iterchildren(f"{_S}{local}"), None)
    return (child.text or "").strip() or None if child is not None else None


_SYSTEEM = (("organisatie", 1, 200), ("applicatie", 3, 50), ("administratie", 1, 50), ("gebruiker", 1, 100))
"""StUF:Systeem in its schema order, with each field's length bounds (stuf0301.xsd)."""
_REFNUMMER = 40
ONBEKEND = "onbekend"


def _copy_systeem(parent: etree._Element, tag: str, source: etree._Element | None) -> None:
    """A zender/ontvanger block built from the other party's: only the known fields that fit, in order.

    Never a copy: an unknown element, a field out of its length or a missing applicatie in the
    incoming envelope would make the reply fail the StUF schema. The applicatie is required: when the
    incoming one is missing or does not fit, the reply names it "onbekend" (our own side: "Ketenpoort").
    """
    target = etree.SubElement(parent, f"{_S}{tag}")
    for name, low, high in _SYSTEEM:
        value = _text(source, name)
        if value is not None and low <= len(value) <= high:
            etree.SubElement(target, f"{_S}{name}").text = value
        elif name == "applicatie":
            etree.SubElement(target, f"{_S}applicatie").text = "Ketenpoort" if source is None else ONBEKEND


def _reply(root: etree._Element, berichtcode: str, now: datetime | None) -> tuple[etree._Element, etree._Element]:
    stuur = _first(root, "stuurgegevens")
    reply = etree.Element(f"{_S}{berichtcode}Bericht", nsmap={"StUF": STUF_NS})
    sg = etree.SubElement(reply, f"{_S}stuurgegevens")
    etree.SubElement(sg, f"{_S}berichtcode").text = berichtcode
    zender = stuur.find(f"{_S}zender") if stuur is not None else None
    ontvanger = stuur.find(f"{_S}ontvanger") if stuur is not None else None
    _copy_systeem(sg, "zender", ontvanger)
    _copy_systeem(sg, "ontvanger", zender)
    etree.SubElement(sg, f"{_S}referentienummer").text = uuid.uuid4().hex[:40]
    etree.SubElement(sg, f"{_S}tijdstipBericht").text = _tijdstip(now)
    cross = _text(stuur, "referentienummer")
    etree.SubElement(sg, f"{_S}crossRefnummer").text = cross if cross and len(cross) <= _REFNUMMER else ONBEKEND
    return reply, sg


def _serialise(reply: etree._Element) -> bytes:
    return etree.tostring(reply, xml_declaration=True, encoding="UTF-8")


def build_bv03(root: etree._Element, *, now: datetime | None = None) -> bytes:
    """The Bv03 acknowledgement of the Di01 ``root``: zender/ontvanger swapped, crossRefnummer set."""
    reply, _ = _reply(root, "Bv03", now)
    return _serialise(reply)


def build_fo03(root: etree._Element, code: str, plek: str, omschrijving: str, *, now: datetime | None = None) -> bytes:
    """The Fo03 error reply to ``root``; the omschrijving is scrubbed of BSNs and cut to 200 characters."""
    if plek not in ("client", "server"):
        raise ValueError("plek must be 'client' or 'server'")
    reply, _ = _reply(root, "Fo03", now)
    body = etree.SubElement(reply, f"{_S}body")
    etree.SubElement(body, f"{_S}code").text = code[:7]
    etree.SubElement(body, f"{_S}plek").text = plek
    etree.SubElement(body, f"{_S}omschrijving").text = scrub(omschrijving)[:200] or "Bericht afgekeurd"
    return _serialise(reply)


def stuf_duplicate_fo03(root: etree._Element, *, now: datetime | None = None) -> bytes:
    """Fo03 StUF016 for a Di01 whose zender + referentienummer was seen before."""
    return build_fo03(root, "StUF016", "client", "Bericht met dit referentienummer is al eerder ontvangen", now=now)


__all__ = ["build_bv03", "build_fo03", "stuf_duplicate_fo03"]
