"""The read side's ports: what the API, the dashboard and the CLI read of the store."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from datetime import date, datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from gateway.audit import VerifyResult
    from gateway.facts import Fact, FactKind
    from gateway.model import MessageStatus
    from gateway.store.views import AuditView, DeliveryView, MessageView

# -- the read side ------------------------------------------------------------------------------


class ReadStore(Protocol):
    """What the API, the dashboard and the CLI read: messages, their trail, counts and facts."""

    def get_message(self, message_id: str) -> MessageView | None:
        """One message's view, or None."""
        ...

    def list_messages(
        self,
        *,
        parties: Collection[str] | None = None,
        status: MessageStatus | str | None = None,
        since: datetime | None = None,
        cursor: str | None = None,
        limit: int = 50,
    ) -> tuple[list[MessageView], str | None]:
        """One keyset page, newest first, and the next cursor."""
        ...

    def audit_events(self, message_id: str) -> list[AuditView]:
        """The message's audit trail, oldest first."""
        ...

    def deliveries(self, message_id: str) -> list[DeliveryView]:
        """The message's delivery attempts, oldest first."""
        ...

    def dead_letters(self, limit: int = 1000) -> list[MessageView]:
        """The dead-letter queue, newest first."""
        ...

    def status_counts(self) -> dict[str, int]:
        """Messages per status."""
        ...

    def job_counts(self) -> dict[str, int]:
        """Jobs due, waiting and leased."""
        ...

    def throughput(self, bucket: str = "minute", *, periods: int = 60) -> list[tuple[str, int]]:
        """Messages received per ``bucket`` over the last ``periods``."""
        ...

    def iter_facts(
        self,
        *,
        gemeente: str | None = None,
        aanbieder: str | None = None,
        kind: FactKind | None = None,
        since: date | None = None,
        until: date | None = None,
        batch: int = 5000,
    ) -> Iterator[Fact]:
        """The facts kept by the map stage, filtered, streamed."""
        ...

    def facts_of(self, message_id: str) -> list[Fact]:
        """The facts of one message."""
        ...

    def verify_audit(self) -> VerifyResult:
        """Verify the whole audit chain."""
        ...

    def migrations_current(self) -> bool:
        """True when the schema is at the packaged head."""
        ...


class OperatorStore(ReadStore, Protocol):
    """The read side plus what an operator may change: replaying dead letters."""

    def replay(self, message_id: str, *, actor: str) -> None:
        """Run a dead message's failed stage again."""
        ...

    def replay_all(self, *, actor: str) -> list[str]:
        """Replay every dead letter; their ids."""
        ...
