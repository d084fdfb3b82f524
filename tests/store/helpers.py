"""Small builders for store tests: intake records and relay decisions without XML parsing."""

from __future__ import annotations

import hashlib

from gateway.contracts import RelayDecision, Verdict
from gateway.intake import IntakeRecord
from gateway.model import Finding, MessageStatus
from gateway.relay import DeliveryResult, Outcome


def record(
    external_id: str | None = "ID-1",
    *,
    sender: str | None = "0034",
    receiver: str | None = "70329669",
    key: str | None = None,
    payload: bytes | None = None,
    status: MessageStatus = MessageStatus.RECEIVED,
    findings: tuple[Finding, ...] = (),
    duplicate_retour: bytes | None = None,
    message_type: str = "JW301",
    standard: str = "ijw",
) -> IntakeRecord:
    """An intake record as :func:`gateway.intake.prepare` would make it."""
    body = payload if payload is not None else f"<bericht id='{external_id}'/>".encode()
    return IntakeRecord(
        payload=body,
        payload_sha256=hashlib.sha256(body).hexdigest(),
        sender=sender,
        receiver=receiver,
        standard=standard,
        message_type=message_type,
        version="3.2",
        external_id=external_id,
        idempotency_key=key,
        source="test",
        status=status,
        findings=findings,
        duplicate_retour=duplicate_retour,
    )


def decision(verdict: Verdict, *, attempts: int = 1, code: int | None = 200, delay_s: float = 0.0,
             attempted: bool = True) -> RelayDecision:  # fmt: skip
    """A relay decision as the relay stage makes it."""
    outcome = {Verdict.DELIVERED: Outcome.DELIVERED, Verdict.RETRY: Outcome.RETRY, Verdict.DEAD: Outcome.PERMANENT}
    result = DeliveryResult(
        outcome[verdict], status_code=code, latency_ms=3.5, error=None if code == 200 else "HTTP 503"
    )
    return RelayDecision(verdict, result, attempted, attempts, delay_s)
