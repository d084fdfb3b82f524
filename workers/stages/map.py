"""Map stage: the countable facts of an accepted message (clients pseudonymised), for the store to keep."""

from __future__ import annotations

from datetime import datetime

from gateway.facts import Fact
from gateway.mapping import extract_facts
from gateway.mapping.referenties import extract_referenties
from gateway.pseudonym import Pseudonymiser
from gateway.validation import Inspection, inspect


def facts_of(
    payload: bytes, *, pseudonymiser: Pseudonymiser, received_at: datetime, inspection: Inspection | None = None
) -> list[Fact]:
    """The facts of one accepted message.

    ``inspection``: the validate stage's, when it maps in the same step, so the payload is not parsed
    and XSD-checked a second time.
    """
    if inspection is None:
        inspection = inspect(payload, rules=False)
    if inspection.root is None or inspection.kind is None:
        return []
    root, kind = inspection.root, inspection.kind
    found = extract_facts(root, kind, pseudonymiser=pseudonymiser, received_at=received_at)
    return found + extract_referenties(root, kind, pseudonymiser=pseudonymiser, received_at=received_at)


__all__ = ["facts_of"]
