"""What a reliability test asserts afterwards, read straight from the tables rather than through the code under test."""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa

from gateway.model import Stage
from gateway.store.schema import audit_events, deliveries, jobs, messages


def statuses(engine: sa.Engine) -> dict[str, str]:
    """Message id → status."""
    with engine.connect() as conn:
        return {row.id: row.status for row in conn.execute(sa.select(messages.c.id, messages.c.status))}


def open_jobs(engine: sa.Engine) -> int:
    """Pipeline jobs not yet done (the recurring retention job is always open and does not count)."""
    query = sa.select(sa.func.count()).where(sa.not_(jobs.c.done), jobs.c.stage != str(Stage.RETENTION))
    with engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def delivered_rows(engine: sa.Engine) -> Counter[str]:
    """Message id → number of delivery rows with a 2xx answer."""
    query = sa.select(deliveries.c.message_id).where(deliveries.c.verdict == "delivered")
    with engine.connect() as conn:
        return Counter(row.message_id for row in conn.execute(query))


def audit_counts(engine: sa.Engine, event: str) -> Counter[str]:
    """Message id → number of audit events named ``event``."""
    query = sa.select(audit_events.c.message_id).where(audit_events.c.event == event)
    with engine.connect() as conn:
        return Counter(row.message_id for row in conn.execute(query))


__all__ = ["audit_counts", "delivered_rows", "open_jobs", "statuses"]
