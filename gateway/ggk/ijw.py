"""What a GGk envelope needs to know of the iJw message inside: its functie, versions and parties."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from gateway.config import MAX_MESSAGE_BYTES
from gateway.errors import InputError
from gateway.xmlsafe import DocumentRefusedError, parse

_IJW_NAMESPACE = re.compile(r"^http://www\.istandaarden\.nl/ijw/\d+_\d+/(jw\d{3})/schema$")


class NotIjwError(InputError, ValueError):
    """The payload is not an iJw message (its text names no payload content)."""


@dataclass(frozen=True, slots=True)
class IjwHeader:
    """functie (``JW301``), functieVersie/-Subversie (``0003``/``0002``), Afzender and Ontvanger."""

    functie: str
    versie: str
    subversie: str
    afzender: str
    ontvanger: str


def _child(header: etree._Element, name: str) -> str:
    for child in header:
        if isinstance(child.tag, str) and etree.QName(child).localname == name:
            return (child.text or "").strip()
    return ""


def read_ijw_header(payload: bytes, max_bytes: int = MAX_MESSAGE_BYTES) -> IjwHeader:
    """The envelope fields an iJw message gives; NotIjwError for anything else."""
    try:
        root = parse(payload, max_bytes)
    except DocumentRefusedError as exc:
        raise NotIjwError(f"not an acceptable XML document: {exc.finding.message}") from None
    match = _IJW_NAMESPACE.match(etree.QName(root).namespace or "")
    header = next((c for c in root if isinstance(c.tag, str) and etree.QName(c).localname == "Header"), None)
    if match is None or header is None:
        raise NotIjwError("not an iJw message (no iJw namespace or Header)")
    versie, subversie = _child(header, "BerichtVersie"), _child(header, "BerichtSubversie")
    if not (versie.isdigit() and subversie.isdigit()):
        raise NotIjwError("the iJw Header has no numeric BerichtVersie and BerichtSubversie")
    return IjwHeader(
        match.group(1).upper(),
        f"{int(versie):04d}",
        f"{int(subversie):04d}",
        _child(header, "Afzender"),
        _child(header, "Ontvanger"),
    )


__all__ = ["IjwHeader", "NotIjwError", "read_ijw_header"]
