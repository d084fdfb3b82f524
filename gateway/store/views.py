"""What the store's read side returns: frozen dataclasses, never live rows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gateway.model import Finding, MessageStatus


@dataclass(frozen=True, slots=True)
class MessageView:
    """One message's metadata, verdict and retour (the payload is read by the stages only)."""

    id: str
    status: MessageStatus
    sender: str | None
    receiver: str | None
    standard: str | None
    message_type: str | None
    version: str | None
    external_id: str | None
    source: str
    payload_sha256: str
    payload_size: int
    payload_purged: bool
    findings: tuple[Finding, ...]
    retour: bytes | None
    relay_attempts: int
    received_at: datetime
    updated_at: datetime
    delivered_at: datetime | None
    purged_at: datetime | None
    verdict: str | None
    """``accepted`` or ``rejected`` once validated (delivery states count as accepted); None before."""
    finding_counts: dict[str, int] | None = None
    """Every finding per rule or XSD error type when the verdict kept only the first (None: all were kept)."""

    @property
    def findings_total(self) -> int:
        """How many findings the verdict had, also those not kept."""
        return max(sum(self.finding_counts.values()), len(self.findings)) if self.finding_counts else len(self.findings)


def verdict_of(status: MessageStatus) -> str | None:
    """The validation verdict a status implies."""
    if status in (MessageStatus.RECEIVED, MessageStatus.DUPLICATE):
        return None
    return "rejected" if status is MessageStatus.REJECTED else "accepted"


@dataclass(frozen=True, slots=True)
class AuditView:
    """One audit event of a message's timeline."""

    seq: int
    at: datetime
    message_id: str | None
    event: str
    actor: str
    data: Mapping[str, Any]
    hash: str


@dataclass(frozen=True, slots=True)
class DeliveryView:
    """One delivery attempt."""

    message_id: str
    attempt: int
    status_code: int | None
    latency_ms: float | None
    verdict: str
    error: str | None
    at: datetime


@dataclass(frozen=True, slots=True)
class PurgeResult:
    """What one retention run removed."""

    payloads_purged: int
    messages_deleted: int
    audit_events_pruned: int


__all__ = ["AuditView", "DeliveryView", "MessageView", "PurgeResult", "verdict_of"]
