"""Errors a partner reports about a message after it took it (a GGk Fo01): recorded on the message.

The partner's Fo01 says the message did not reach its destination after all. So a message that
was delivered (or still relaying) goes to the dead-letter queue, where an operator sees the
partner's code and text and may replay it once the cause is fixed; the refusal is a delivery
row (verdict ``refused``) and an audit event ``message.refused_remotely``. The text is scrubbed of
BSNs and capped; a message in any other state only gets the event.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from gateway.bsn import scrub
from gateway.model import MessageStatus
from gateway.store.database import Database
from gateway.store.schema import deliveries, messages

_DEAD_FROM = frozenset({MessageStatus.DELIVERED, MessageStatus.RELAYING, MessageStatus.ACCEPTED})


class RemoteRefusals:
    """:meth:`record_remote_refusal`."""

    def __init__(self, db: Database) -> None:
        """Over ``db``."""
        self._db = db

    def record_remote_refusal(
        self, candidates: Sequence[str], *, channel: str, code: str, text: str, actor: str = "system"
    ) -> str | None:
        """Record a partner's refusal on the one of ``candidates`` that exists; its id, or None when none does."""
        if not candidates:
            return None
        error = scrub(f"{code}: {text}")[:500]
        with self._db.write() as tx:
            row = tx.conn.execute(
                sa.select(messages.c.id, messages.c.status, messages.c.relay_attempts)
                .where(messages.c.id.in_(list(candidates)))
                .limit(1)
            ).first()
            if row is None:
                return None
            mid, status = str(row.id), MessageStatus(row.status)
            if status in _DEAD_FROM:
                tx.conn.execute(
                    messages.update()
                    .where(messages.c.id == mid)
                    .values(status=str(MessageStatus.DEAD), updated_at=tx.now)
                )
            tx.conn.execute(
                deliveries.insert().values(
                    message_id=mid,
                    attempt=int(row.relay_attempts),
                    status_code=None,
                    latency_ms=None,
                    verdict="refused",
                    error=error,
                    at=tx.now,
                )
            )
            tx.audit(
                "message.refused_remotely",
                mid,
                actor=actor,
                data={"channel": channel, "code": code[:20], "error": error[:200], "from": str(status)},
            )
        return mid


__all__ = ["RemoteRefusals"]
