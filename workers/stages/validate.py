"""Validate stage: XSD and business rules (with the store's history), and the retour that answers the sender.

Pure with respect to the store: the caller hands in the payload and a rule context whose
history the store implements, and commits the returned verdict with the next job.

A worker validates in two steps. :func:`prepare` does what depends on the payload alone (parse,
XSD, the rules that need no history, the retour for what they found) before the worker takes the
store's write lock; :func:`conclude` runs the history rules under it, where the earlier messages
of the conversation are committed, and rebuilds the retour only when they found something.
:func:`validate_payload` is both in one, and gives the same verdict.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

from gateway.bounds import DEFAULT_BOUNDS, Bounds
from gateway.config import MAX_MESSAGE_BYTES
from gateway.findings import FindingTally
from gateway.model import Finding, MessageStatus
from gateway.ports import MessageHistory
from gateway.rules import RuleContext, in_rule_order, run_rules
from gateway.validation import Inspection, inspect

RetourBuilder = Callable[[Inspection], "bytes | None"]


def _default_retour(inspection: Inspection) -> bytes | None:
    """The retour helper's builder (iJw retour, StUF Bv03/Fo03); None when it is not in this build."""
    try:
        from gateway.retour import retour_for
    except ImportError:  # pragma: no cover - the retour package ships with the gateway
        return None
    return retour_for(inspection)


def _builder(retour: RetourBuilder | None) -> RetourBuilder:
    return retour if retour is not None else _default_retour


@dataclass(frozen=True, slots=True)
class ValidateOutcome:
    """accepted or rejected, the findings, and the retour/acknowledgement for the sender."""

    status: MessageStatus
    findings: tuple[Finding, ...]
    retour: bytes | None
    inspection: Inspection

    @property
    def counts(self) -> dict[str, int]:
        """Every finding per rule or XSD error type, also those beyond the kept ``findings``."""
        return self.inspection.result.counts


@dataclass(frozen=True, slots=True)
class Prepared:
    """The part of a verdict that depends on the payload alone."""

    inspection: Inspection
    retour: bytes | None
    today: date
    message_id: str | None
    bounds: Bounds = DEFAULT_BOUNDS

    @property
    def rules_ran(self) -> bool:
        """The document passed XSD, so the rules ran (and the history rules are still to run)."""
        result = self.inspection.result
        return self.inspection.kind is not None and all(f.kind == "rule" for f in result.errors)


def prepare(
    payload: bytes,
    *,
    message_id: str | None = None,
    today: date | None = None,
    max_bytes: int = MAX_MESSAGE_BYTES,
    retour: RetourBuilder | None = None,
    bounds: Bounds | None = None,
) -> Prepared:
    """Parse, XSD-validate, run the rules that need no history, and build the retour for their findings.

    ``bounds``: the limits of one message (default: the defaults with ``max_bytes``).
    """
    day = today or date.today()
    limits = bounds if bounds is not None else Bounds(max_bytes=max_bytes)
    context = RuleContext(today=day, history=None, message_id=message_id)
    inspection = inspect(payload, context=context, rule_part="local", bounds=limits)
    return Prepared(inspection, _builder(retour)(inspection), day, message_id, limits)


def unless_history_objects(prepared: Prepared) -> ValidateOutcome:
    """The verdict :func:`conclude` gives when the history rules find nothing (a worker prepares its commit for it)."""
    inspection = prepared.inspection
    status = MessageStatus.ACCEPTED if inspection.result.valid else MessageStatus.REJECTED
    return ValidateOutcome(status, tuple(inspection.result.errors), prepared.retour, inspection)


def conclude(
    prepared: Prepared, *, history: MessageHistory | None, retour: RetourBuilder | None = None
) -> ValidateOutcome:
    """Run the rules that read the history on a prepared message and give the verdict.

    A message with any finding is rejected. Without a history (``None``) those rules check what they
    can within the message, as a one-step validation without history does.
    """
    inspection, retour_bytes = prepared.inspection, prepared.retour
    if prepared.rules_ran:
        assert inspection.root is not None and inspection.kind is not None
        context = RuleContext(today=prepared.today, history=history, message_id=prepared.message_id)
        limits, before = prepared.bounds, inspection.result
        tally = FindingTally.resume(
            before.errors, before.counts, max_findings=limits.max_findings, per_kind=limits.max_findings_per_kind
        )
        more = run_rules(inspection.root, inspection.kind, context, part="history", tally=tally, schema_checked=True)
        if tally.total > before.total:
            errors = in_rule_order([*before.errors, *more])
            result = replace(before, errors=errors, counts=tally.counts)
            inspection = Inspection(result, inspection.root, inspection.kind)
            retour_bytes = _builder(retour)(inspection)
    status = MessageStatus.ACCEPTED if inspection.result.valid else MessageStatus.REJECTED
    return ValidateOutcome(status, tuple(inspection.result.errors), retour_bytes, inspection)


def validate_payload(
    payload: bytes,
    *,
    history: MessageHistory | None = None,
    message_id: str | None = None,
    today: date | None = None,
    max_bytes: int = MAX_MESSAGE_BYTES,
    retour: RetourBuilder | None = None,
    bounds: Bounds | None = None,
) -> ValidateOutcome:
    """Inspect ``payload`` with rules and history in one step."""
    prepared = prepare(payload, message_id=message_id, today=today, max_bytes=max_bytes, retour=retour, bounds=bounds)
    return conclude(prepared, history=history, retour=retour)


__all__ = ["Prepared", "ValidateOutcome", "conclude", "prepare", "unless_history_objects", "validate_payload"]
