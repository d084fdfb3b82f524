"""Validate stage: XSD and business rules (with the store's history), and the retour that answers the sender.

Pure with respect to the store: the caller hands in the payload and a rule context whose
history the store implements, and commits the returned verdict with the next job.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from gateway.config import MAX_MESSAGE_BYTES
from gateway.model import Finding, MessageStatus
from gateway.rules import RuleContext
from gateway.rules.context import MessageHistory
from gateway.validation import Inspection, inspect

RetourBuilder = Callable[[Inspection], "bytes | None"]


def _default_retour(inspection: Inspection) -> bytes | None:
    """The retour helper's builder (iJw retour, StUF Bv03/Fo03); None when it is not in this build."""
    try:
        from gateway.retour import retour_for
    except ImportError:  # pragma: no cover - the retour package ships with the gateway
        return None
    return retour_for(inspection)


@dataclass(frozen=True, slots=True)
class ValidateOutcome:
    """accepted or rejected, the findings, and the retour/acknowledgement for the sender."""

    status: MessageStatus
    findings: tuple[Finding, ...]
    retour: bytes | None
    inspection: Inspection


def validate_payload(
    payload: bytes,
    *,
    history: MessageHistory | None = None,
    message_id: str | None = None,
    today: date | None = None,
    max_bytes: int = MAX_MESSAGE_BYTES,
    retour: RetourBuilder | None = None,
) -> ValidateOutcome:
    """Inspect ``payload`` with rules and history; a message with any finding is rejected."""
    context = RuleContext(today=today or date.today(), history=history, message_id=message_id)
    inspection = inspect(payload, context=context, max_bytes=max_bytes)
    errors = tuple(inspection.result.errors)
    status = MessageStatus.ACCEPTED if inspection.result.valid else MessageStatus.REJECTED
    builder = retour if retour is not None else _default_retour
    return ValidateOutcome(status, errors, builder(inspection), inspection)


__all__ = ["ValidateOutcome", "validate_payload"]
