"""The dead-letter queue as an operator reads it: each dead message with its attempts and its last error.

One statement for the whole page: the last delivery attempt and the last failed job of each dead
message come from correlated subqueries, not from a query per row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from gateway.model import MessageStatus
from gateway.store.front import Store
from gateway.store.schema import deliveries, jobs, messages


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """One dead message: who, what, how often it was tried, and what went wrong last."""

    id: str
    sender: str | None
    receiver: str | None
    message_type: str | None
    relay_attempts: int
    updated_at: datetime
    last_status_code: int | None
    last_error: str | None
    job_error: str | None
    stage: str | None

    @property
    def reason(self) -> str:
        """The last error in words: the receiver's answer, the delivery error, or the stage that failed."""
        if self.last_status_code is not None:
            code = f"HTTP {self.last_status_code}"
            if not self.last_error or self.last_error == code:
                return code
            return self.last_error if self.last_error.startswith(code) else f"{code}: {self.last_error}"
        if self.last_error:
            return self.last_error
        if self.job_error:
            return f"{self.job_error} (stap {self.stage})" if self.stage else self.job_error
        return "onbekend"


def dead_letters(store: Store, limit: int = 500) -> list[DeadLetter]:
    """The dead messages, oldest first, each with its last delivery attempt and its last job error."""
    d, j, m = deliveries.c, jobs.c, messages.c
    last_delivery = sa.select(sa.func.max(d.id)).where(d.message_id == m.id).scalar_subquery()
    last_job = sa.select(sa.func.max(j.id)).where(j.message_id == m.id).scalar_subquery()
    delivery = deliveries.alias("last_delivery")
    job = jobs.alias("last_job")
    columns = (m.id, m.sender, m.receiver, m.type, m.relay_attempts, m.updated_at)
    last = (delivery.c.status_code, delivery.c.error, job.c.last_error, job.c.stage)
    query = (
        sa.select(*columns, *last)
        .select_from(messages)
        .outerjoin(delivery, delivery.c.id == last_delivery)
        .outerjoin(job, job.c.id == last_job)
        .where(m.status == str(MessageStatus.DEAD))
        .order_by(m.id)
        .limit(limit)
    )
    with store.db.read() as conn:
        rows = conn.execute(query).all()
    return [DeadLetter(*tuple(row)) for row in rows]  # the columns are the fields, in order


__all__ = ["DeadLetter", "dead_letters"]
