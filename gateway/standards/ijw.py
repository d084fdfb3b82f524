"""iJw: reading the Header of any iJw message (2.3 and 3.2)."""

from __future__ import annotations

from lxml import etree

from gateway.model import Header


def _child_text(parent: etree._Element | None, local: str) -> str | None:
    found = _child(parent, local)
    return None if found is None else (found.text or "").strip() or None


def _child(parent: etree._Element | None, local: str) -> etree._Element | None:
    """The first child element named ``local`` in any namespace (matched by lxml, not per child in Python)."""
    if parent is None:
        return None
    return next(parent.iterchildren("{*}" + local), None)


def read_header(root: etree._Element) -> Header:
    """Afzender, Ontvanger and BerichtIdentificatie of an iJw message.

    The 2.3 declaratie/factuur (JW303) has no Afzender/Ontvanger: there the Aanbieder sends to
    the Gemeente and the DeclarantFactuurNummer identifies the message.
    """
    header = _child(root, "Header")
    sender = _child_text(header, "Afzender") or _child_text(header, "Aanbieder")
    receiver = _child_text(header, "Ontvanger") or _child_text(header, "Gemeente")
    ident = _child(header, "BerichtIdentificatie")
    external_id = _child_text(ident, "Identificatie")
    dagtekening = _child_text(ident, "Dagtekening")
    if external_id is None:
        factuur = _child(header, "DeclaratieFactuurIdentificatie")
        external_id = _child_text(factuur, "DeclarantFactuurNummer")
        dagtekening = _child_text(factuur, "FactuurDagtekening")
    return Header(sender=sender, receiver=receiver, external_id=external_id, dagtekening=dagtekening)


__all__ = ["read_header"]
