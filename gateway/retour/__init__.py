"""Retourberichten (iJw) and acknowledgements (StUF-Jeugdzorg Bv03/Fo03) for an inspected message."""

from __future__ import annotations

from datetime import date

from lxml import etree

from gateway.model import Finding, Standard
from gateway.retour.declaratie import build_jw325
from gateway.retour.factuur import build_jw304
from gateway.retour.ijw import RETOUR_OF, build_ijw_retour
from gateway.retour.stuf import build_bv03, build_fo03, stuf_duplicate_fo03
from gateway.validation import Inspection


def _stuf_ack(root: etree._Element, message_type: str, errors: list[Finding]) -> bytes | None:
    """Bv03 for an accepted Di01; Fo03 (StUF055 schema error, StUF058 otherwise) for a rejected one."""
    if not message_type.endswith("Di01"):
        return None
    if not errors:
        return build_bv03(root)
    first = errors[0]
    code = "StUF055" if first.kind in ("xsd", "xml") else "StUF058"
    return build_fo03(root, code, "client", f"Bericht afgekeurd: {first.message}")


def retour_for(
    inspection: Inspection,
    *,
    today: date | None = None,
    identificatie: str | None = None,
    parties: tuple[str | None, str | None] = (None, None),
) -> bytes | None:
    """The retour/acknowledgement for an inspected heenbericht; None for a retour, unknown or malformed input.

    ``parties``: the heenbericht's Afzender and Ontvanger as the route or envelope knows them, for an iJw
    retour whose header parties do not fit the retour schema (see :mod:`gateway.retour.header`).
    """
    root, kind = inspection.root, inspection.kind
    if root is None or kind is None:
        return None
    errors = inspection.result.errors
    if kind.standard == Standard.STUF_JZ:
        return _stuf_ack(root, kind.message_type, errors)
    if kind.message_type == "JW323":
        return build_jw325(root, errors, today=today or date.today(), identificatie=identificatie, parties=parties)
    if kind.message_type == "JW303":
        return build_jw304(root, errors, today=today or date.today(), identificatie=identificatie)
    if kind.message_type not in RETOUR_OF:
        return None
    return build_ijw_retour(
        root,
        kind.message_type,
        kind.version,
        errors,
        today=today or date.today(),
        identificatie=identificatie,
        parties=parties,
    )


__all__ = ["build_bv03", "build_fo03", "retour_for", "stuf_duplicate_fo03"]
