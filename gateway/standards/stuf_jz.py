"""StUF-Jeugdzorg (CORV): reading the stuurgegevens of a Di01, Bv03 or Fo03 message."""

from __future__ import annotations

from lxml import etree

from gateway.model import Header

STUF_NS = "http://www.egem.nl/StUF/StUF0301"


def _text(parent: etree._Element | None, path: str) -> str | None:
    if parent is None:
        return None
    node = parent.find(path, {"StUF": STUF_NS})
    if node is None or node.text is None:
        return None
    return node.text.strip() or None


def read_header(root: etree._Element) -> Header:
    """Zender, ontvanger (organisatie, the OIN in CORV) and referentienummer."""
    stuur = root.find("{*}stuurgegevens")
    return Header(
        sender=_text(stuur, "StUF:zender/StUF:organisatie"),
        receiver=_text(stuur, "StUF:ontvanger/StUF:organisatie"),
        external_id=_text(stuur, "StUF:referentienummer"),
        dagtekening=_text(stuur, "StUF:tijdstipBericht"),
    )


__all__ = ["STUF_NS", "read_header"]
