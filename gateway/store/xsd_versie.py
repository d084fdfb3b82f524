"""The XsdVersie an iJw message's header declares, read from its bytes when the message row is written.

Like the JW323's DeclaratieNummer (:func:`gateway.store.intake.declaratienummer`) it is read
without parsing: only the header, which the XSD puts first, is searched, and there XsdVersie comes
before a JW325's XsdVersieDeclaratie (same child names). Anything unreadable (another encoding, a
header beyond the first few KB, no XsdVersie) is None, which TR371 reads as unknown, never as a
mismatch.
"""

from __future__ import annotations

import re

from gateway.intake import IntakeRecord
from gateway.model import Standard

_HEAD = 16_384
"""An iJw header is well under 2 KB; a message whose header ends later keeps no XsdVersie."""

_P = rb"(?:[A-Za-z_][\w.-]*:)?"
_HEADER_END = re.compile(rb"</" + _P + rb"Header\s*>")
_XSD_VERSIE = re.compile(
    rb"<" + _P + rb"XsdVersie\s*>\s*<" + _P + rb"BasisschemaXsdVersie\s*>\s*([^<\s]{1,16})\s*</[^>]{1,80}>"
    rb"\s*<" + _P + rb"BerichtXsdVersie\s*>\s*([^<\s]{1,16})\s*</"
)


def xsd_versie(record: IntakeRecord) -> tuple[str | None, str | None]:
    """(BasisschemaXsdVersie, BerichtXsdVersie) of the header's XsdVersie; (None, None) when not read."""
    if record.standard != Standard.IJW:
        return None, None
    head = record.payload[:_HEAD]
    end = _HEADER_END.search(head)
    found = _XSD_VERSIE.search(head, 0, end.start()) if end else None
    if found is None:
        return None, None
    basis, bericht = found.groups()
    return basis.decode("ascii", "replace"), bericht.decode("ascii", "replace")


__all__ = ["xsd_versie"]
