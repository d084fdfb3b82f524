"""Business rules (iJw bedrijfsregels, technische regels): a registry of small functions.

``run_rules`` is called by :func:`gateway.validation.inspect` for every XSD-valid document.
"""

from __future__ import annotations

from lxml import etree

from gateway.model import Finding, MessageKind
from gateway.rules.context import (
    EerderePrestatie,
    MessageHistory,
    PrestatieSleutel,
    RuleContext,
    ToegewezenProduct,
)


def run_rules(root: etree._Element, kind: MessageKind, context: RuleContext | None = None) -> list[Finding]:
    """All rule violations in one XSD-valid message."""
    return []


__all__ = [
    "EerderePrestatie",
    "MessageHistory",
    "PrestatieSleutel",
    "RuleContext",
    "ToegewezenProduct",
    "run_rules",
]
