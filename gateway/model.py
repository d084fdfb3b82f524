"""The message model at the bottom of the gateway: what a verdict looks like.

These are plain slotted dataclasses: they are built on the hot validation path, where
pydantic's validation would cost more than the XSD check itself.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any, Literal

FindingKind = Literal["xml", "schema", "xsd", "rule"]


class Standard(StrEnum):
    """The message standards the gateway understands."""

    IJW = "ijw"
    STUF_JZ = "stuf-jz"


class MessageStatus(StrEnum):
    """Where a message is in the pipeline; every change is an audit event.

    received → accepted | rejected | duplicate; accepted → relaying → delivered | dead;
    dead → relaying again on replay. ``rejected`` and ``duplicate`` messages get their
    retour/acknowledgement but are not relayed.
    """

    RECEIVED = "received"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"
    RELAYING = "relaying"
    DELIVERED = "delivered"
    DEAD = "dead"


class Stage(StrEnum):
    """The pipeline stages a worker can run; each is idempotent."""

    VALIDATE = "validate"
    MAP = "map"
    RELAY = "relay"
    RETENTION = "retention"
    RETOUR = "retour"
    """Deliver a retour back to the sender over the channel it came in on (GGk: a ggk_Du01)."""


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing wrong with a message: malformed XML, unknown schema, XSD or rule violation."""

    kind: FindingKind
    message: str
    rule: str | None = None
    retourcode: str | None = None
    line: int | None = None
    path: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form used by `ketenpoort validate --json` and the API."""
        return {
            "kind": self.kind,
            "rule": self.rule,
            "retourcode": self.retourcode,
            "line": self.line,
            "path": self.path,
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class MessageKind:
    """What a document is: its standard, message type and version, as detected from its root."""

    standard: Standard
    message_type: str
    version: str
    namespace: str
    root: str


@dataclass(slots=True)
class ValidationResult:
    """The verdict on one document; ``valid`` is true only when there are no findings."""

    well_formed: bool
    standard: str | None = None
    message_type: str | None = None
    version: str | None = None
    errors: list[Finding] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    """Every finding counted per rule id or ``xsd:<error type>``, also those beyond the kept ``errors``."""

    @property
    def valid(self) -> bool:
        """A document is valid when it is well-formed, known, and has no findings at all (kept or counted)."""
        return self.well_formed and self.standard is not None and not self.errors and not any(self.counts.values())

    @property
    def total(self) -> int:
        """How many findings there are, including those not kept."""
        return max(sum(self.counts.values()), len(self.errors))

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of the issue's contract (without the ``file`` key), with the exact counts."""
        return {
            "well_formed": self.well_formed,
            "standard": self.standard,
            "message_type": self.message_type,
            "version": self.version,
            "valid": self.valid,
            "errors": [f.to_dict() for f in self.errors],
            "total_errors": self.total,
            "error_counts": dict(self.counts),
        }


@dataclass(frozen=True, slots=True)
class Header:
    """Routing facts read from a message header (iJw Header or StUF stuurgegevens)."""

    sender: str | None
    receiver: str | None
    external_id: str | None
    dagtekening: str | None = None


def finding_from_dict(data: dict[str, Any]) -> Finding:
    """Rebuild a :class:`Finding` from its JSON form (for findings read back from the store)."""
    return Finding(
        kind=data["kind"],
        message=data["message"],
        rule=data.get("rule"),
        retourcode=data.get("retourcode"),
        line=data.get("line"),
        path=data.get("path"),
    )


__all__ = ["Finding", "FindingKind", "Header", "MessageKind", "Standard", "ValidationResult", "asdict"]
