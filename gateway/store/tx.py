"""One write transaction as the store's parts see it: its connection, its time, its audit events, its new jobs."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ClauseElement

from gateway import audit
from gateway.model import Stage
from gateway.store import statements as st
from gateway.store.driver import Driver, DriverResult

if TYPE_CHECKING:
    from gateway.audit import AuditEvent

SYSTEM = "system"
"""The actor of events the pipeline causes by itself (same as :data:`gateway.audit.SYSTEM`)."""


class Tx:
    """One write transaction: its connection, its clock reading, and the audit events it appends before commit."""

    __slots__ = ("conn", "driver", "events", "notify", "now", "wall")

    def __init__(self, conn: sa.Connection, driver: Driver, wall: float) -> None:
        """Bind the connection; ``wall`` (epoch seconds, the store's clock) and ``now`` (aware UTC) are one instant."""
        self.conn = conn
        self.driver = driver
        self.wall = wall
        self.now = datetime.fromtimestamp(wall, UTC)
        self.events: list[audit.AuditEvent] = []
        self.notify: set[str] = set()

    def audit(
        self, event: str, message_id: str | None, *, actor: str = SYSTEM, data: Mapping[str, Any] | None = None
    ) -> None:
        """Record a state change; it joins the chain in this transaction."""
        self.events.append(audit.AuditEvent(event, message_id, actor, dict(data or {})))

    def record(self, event: AuditEvent) -> None:
        """Record a state change whose event was made (and scrubbed, with :func:`gateway.audit.prepare`) before."""
        self.events.append(event)

    def execute(self, statement: ClauseElement, params: Mapping[str, Any] | None = None) -> DriverResult:
        """Run a prebuilt hot-path statement straight on the driver (:mod:`gateway.store.driver`)."""
        return self.driver.execute(self.conn, statement, params)

    def executemany(self, statement: ClauseElement, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run a prebuilt hot-path statement once per row, straight on the driver."""
        self.driver.executemany(self.conn, statement, rows)

    def enqueue(
        self, stage: Stage, message_id: str | None, *, delay_s: float = 0.0, due_at: float | None = None
    ) -> None:
        """Add a job, due after ``delay_s`` (or at ``due_at``, epoch seconds, when given)."""
        run_after = due_at if due_at is not None else self.wall + max(0.0, delay_s)
        self.execute(st.INSERT_JOB, {"message_id": message_id, "stage": str(stage), "run_after": run_after})
        self.notify.add(str(stage))


@contextmanager
def savepoint(conn: sa.Connection) -> Iterator[None]:
    """A savepoint straight on the driver (sqlite3 and psycopg both have ``execute``).

    A batch makes one per job; SQLAlchemy's ``begin_nested`` bookkeeping cost about as much as the
    job's other statements together. Nested savepoints of the same name unwind innermost first.
    """
    raw: Any = conn.connection.driver_connection
    raw.execute("SAVEPOINT ketenpoort_write")
    try:
        yield
    except BaseException:
        with contextlib.suppress(Exception):  # a dead connection: the batch rolls back, the first error says why
            raw.execute("ROLLBACK TO SAVEPOINT ketenpoort_write")
            raw.execute("RELEASE SAVEPOINT ketenpoort_write")
        raise
    raw.execute("RELEASE SAVEPOINT ketenpoort_write")


__all__ = ["SYSTEM", "Tx", "savepoint"]
