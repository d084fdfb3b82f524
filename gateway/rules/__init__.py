"""Business rules (iJw bedrijfsregels, technische regels): a registry of small functions.

Placeholder registry: the rules themselves are added per official rule id. ``run_rules`` is
called by :func:`gateway.validation.inspect` for every XSD-valid document.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from lxml import etree

from gateway.model import Finding, MessageKind


@dataclass(frozen=True, slots=True)
class RuleContext:
    """What a rule may know beyond the message itself (today's date, later: the store)."""

    today: date = field(default_factory=date.today)


def run_rules(root: etree._Element, kind: MessageKind, context: RuleContext | None = None) -> list[Finding]:
    """All rule violations in one XSD-valid message."""
    return []


__all__ = ["RuleContext", "run_rules"]
