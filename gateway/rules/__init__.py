"""Business rules (iJw bedrijfsregels, technische regels): a registry of small functions.

``run_rules`` is called by :func:`gateway.validation.inspect` for every XSD-valid document.
Each theme module registers its rules on import (see :mod:`gateway.rules.registry` for the
path format of findings); ``RULES`` maps rule id to :class:`Rule`.
"""

from __future__ import annotations

from lxml import etree

from gateway.findings import FindingTally
from gateway.model import Finding, MessageKind
from gateway.rules import (
    antwoord,
    client,
    contact,
    dates,
    declaratie,
    header,
    history,
    history_antwoord,
    history_gedeclareerd,
    history_referentie,
    history_regie,
    history_tarief,
    history_toewijzing,
    history_verzoek,
    history_volume,
    periods,
    persons,
    products,
    screen,
    verzoek,
)
from gateway.rules.context import (
    EerderePrestatie,
    PrestatieSleutel,
    Regieregel,
    RuleContext,
    ToegewezenProduct,
)
from gateway.rules.registry import RULES, Rule, RulePart, in_rule_order, run


def run_rules(
    root: etree._Element,
    kind: MessageKind,
    context: RuleContext | None = None,
    *,
    part: RulePart = "all",
    tally: FindingTally | None = None,
    schema_checked: bool = False,
) -> list[Finding]:
    """All rule violations in one XSD-valid message (history rules only when ``context.history`` is set).

    ``tally``: count every violation, keep only what it admits (see :mod:`gateway.findings`).
    ``schema_checked``: the caller has seen the XSD accept ``root`` (rules may then rely on its structure).
    """
    return run(root, kind, context or RuleContext(), part=part, tally=tally, schema_checked=schema_checked)


__all__ = [
    "RULES",
    "EerderePrestatie",
    "PrestatieSleutel",
    "Regieregel",
    "Rule",
    "RuleContext",
    "RulePart",
    "ToegewezenProduct",
    "in_rule_order",
    "run_rules",
]

_THEMES = (
    antwoord,
    client,
    contact,
    dates,
    declaratie,
    header,
    history,
    history_antwoord,
    history_gedeclareerd,
    history_referentie,
    history_regie,
    history_tarief,
    history_toewijzing,
    history_verzoek,
    history_volume,
    periods,
    persons,
    products,
    screen,
    verzoek,
)
