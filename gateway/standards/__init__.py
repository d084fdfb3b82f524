"""One module per standard family: reading headers and building retour / acknowledgement messages."""

from __future__ import annotations

from lxml import etree

from gateway.model import Header, MessageKind, Standard
from gateway.standards import ijw, stuf_jz


def read_header(root: etree._Element, kind: MessageKind) -> Header:
    """The routing facts (sender, receiver, external id) of a detected message."""
    if kind.standard is Standard.IJW:
        return ijw.read_header(root)
    return stuf_jz.read_header(root)


__all__ = ["read_header"]
