"""The store's foundation: engine, write/read transactions (each write carrying its audit events), migrations."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ClauseElement

from gateway import audit
from gateway.model import Stage
from gateway.pseudonym import Pseudonymiser
from gateway.store import audit_chain, migrate
from gateway.store import statements as st
from gateway.store.backend import LIGHT, WRITE, Backend
from gateway.store.driver import Driver, DriverResult
from gateway.store.writer_lock import WriterLock

if TYPE_CHECKING:  # gateway.audit imports the store's driver: a name import here would be circular
    from gateway.audit import AuditEvent

SYSTEM = "system"
"""The actor of events the pipeline causes by itself (same as :data:`gateway.audit.SYSTEM`)."""

JOBS_CHANNEL = "ketenpoort_jobs"
"""PostgreSQL NOTIFY channel on which new jobs are announced (payload: the stage)."""


class Tx:
    """One write transaction: its connection, its clock, and the audit events it will append before commit."""

    __slots__ = ("conn", "driver", "events", "notify", "now", "wall")

    def __init__(self, conn: sa.Connection, driver: Driver) -> None:
        """Bind the connection; ``wall`` (epoch seconds) and ``now`` (aware UTC) are the same instant."""
        self.conn = conn
        self.driver = driver
        self.wall = time.time()
        self.now = datetime.fromtimestamp(self.wall, UTC)
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
def _savepoint(conn: sa.Connection) -> Iterator[None]:
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


class WriteBatch:
    """One thread's group commit: the writes made inside :meth:`StoreBase.batch` share one transaction."""

    def __init__(self, store: StoreBase) -> None:
        """Nothing is opened until the first write."""
        self._store = store
        self._stack: ExitStack | None = None
        self._trans: sa.RootTransaction | None = None
        self.root: Tx | None = None

    def open(self) -> Tx:
        """The batch's transaction, begun now (writer lock, BEGIN IMMEDIATE) if it is not open yet."""
        if self.root is not None:
            return self.root
        stack = ExitStack()
        try:
            stack.enter_context(self._store._serialised())
            conn = stack.enter_context(self._store.engine.connect())
            conn.execution_options(**{WRITE: True, LIGHT: False})
            self._trans = conn.begin()
        except BaseException:
            stack.close()
            raise
        self._stack = stack
        self.root = Tx(conn, self._store.driver)
        return self.root

    def flush(self) -> None:
        """Commit what the batch wrote so far (one durable commit), then log its audit events."""
        root, trans = self.root, self._trans
        if root is None or trans is None:
            return
        try:
            root.now = datetime.now(UTC)  # the chain's time is the commit's, as for a single write
            chained = self._store._seal(root)
            trans.commit()
        finally:
            self.discard()
        audit.emit(chained)

    def discard(self) -> None:
        """Roll back whatever is not committed and give back the connection and the writer lock."""
        trans, stack = self._trans, self._stack
        self.root, self._trans, self._stack = None, None, None
        try:
            if trans is not None and trans.is_active:
                trans.rollback()
        finally:
            if stack is not None:
                stack.close()


class StoreBase:
    """Engine, transactions and migrations shared by every part of :class:`gateway.store.Store`."""

    def __init__(
        self, engine: sa.Engine, backend: Backend, *, pseudonymiser: Pseudonymiser | None = None, notify: bool = False
    ) -> None:
        """Wrap an engine made by :func:`gateway.store.backend.create_engine`."""
        self.engine = engine
        self.backend = backend
        self.driver = Driver(engine.dialect)
        self._pseudonymiser = pseudonymiser
        self._notify = notify and backend.name == "postgresql"
        self._claim = st.claim_statement(backend.skip_locked)
        # SQLite has one writer at a time; writers queue for it here instead of in SQLite's busy handler
        database = engine.url.database
        self._writer = WriterLock(Path(database)) if backend.name == "sqlite" and database else None
        pg = backend.name == "postgresql"
        # PostgreSQL: multi-statement reads see one snapshot (REPEATABLE READ; READ COMMITTED would give each
        # statement its own), single-statement reads skip BEGIN/COMMIT round trips (autocommit)
        self._snapshot_engine = engine.execution_options(isolation_level="REPEATABLE READ") if pg else engine
        self.reader = engine.execution_options(isolation_level="AUTOCOMMIT") if pg else engine
        self._local = threading.local()  # .batch: this thread's WriteBatch, while one is open

    @property
    def pseudonymiser(self) -> Pseudonymiser:
        """The installation's pseudonymiser (from the settings when none was given)."""
        if self._pseudonymiser is None:
            from gateway.config import load_settings
            from gateway.pseudonym import pseudonymiser_for

            self._pseudonymiser = pseudonymiser_for(load_settings())
        return self._pseudonymiser

    @contextmanager
    def write(self, *, light: bool = False, alone: bool = False) -> Iterator[Tx]:
        """A write transaction (SQLite: BEGIN IMMEDIATE); its audit events are appended last, logged after commit.

        ``light``: the write need not survive a power cut (see :data:`gateway.store.backend.LIGHT`).
        Inside :meth:`batch` on this thread the write joins the batch's transaction under a savepoint
        instead: an error rolls back this write alone, the batch's commit makes it durable. ``alone``:
        commit on its own all the same (after flushing the batch), for long chunked work such as purges.
        """
        scope = self._local.__dict__.get("batch")
        if scope is not None and alone:
            scope.flush()
            scope = None
        if scope is not None:
            root = scope.open()
            with _savepoint(root.conn):
                tx = Tx(root.conn, self.driver)
                yield tx
            root.events.extend(tx.events)
            root.notify |= tx.notify
            return
        with self._serialised(), self.engine.connect() as conn:
            conn.execution_options(**{WRITE: True, LIGHT: light})
            with conn.begin():
                if light and self.backend.name == "postgresql":
                    conn.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
                tx = Tx(conn, self.driver)
                yield tx
                chained = self._seal(tx)
        audit.emit(chained)

    def _seal(self, tx: Tx) -> list[audit.ChainedEvent]:
        """Last statements of a write transaction: append its audit events to the chain, announce its jobs."""
        chained = audit_chain.append(tx.conn, tx.events, now=tx.now, driver=tx.driver) if tx.events else []
        if self._notify:
            for stage in sorted(tx.notify):
                tx.conn.execute(sa.text("SELECT pg_notify(:c, :s)"), {"c": JOBS_CHANNEL, "s": stage})
        return chained

    @contextmanager
    def batch(self) -> Iterator[WriteBatch]:
        """Let this thread's writes share one transaction (group commit) until :meth:`WriteBatch.flush`.

        A worker finishes a batch of jobs with one durable commit instead of one per job. The
        transaction opens at the first write; reads on this thread then go through it, so a job sees
        what the jobs before it in the batch wrote. Leaving the block commits; an exception rolls
        the whole batch back (its jobs are leased, so they run again when the leases expire).
        """
        if self._local.__dict__.get("batch") is not None:  # already batching: join it
            yield self._local.batch
            return
        scope = WriteBatch(self)
        self._local.batch = scope
        try:
            yield scope
            scope.flush()
        finally:
            scope.discard()
            self._local.batch = None

    @contextmanager
    def _serialised(self) -> Iterator[None]:
        if self._writer is None:
            yield
            return
        with self._writer.held():
            yield

    @contextmanager
    def read(self) -> Iterator[sa.Connection]:
        """A read-only transaction: one consistent snapshot on both backends (a batch's own, inside one)."""
        joined = self._batch_connection()
        if joined is not None:
            yield joined
            return
        with self._snapshot_engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def read_one(self) -> Iterator[sa.Connection]:
        """A connection for one read statement (PostgreSQL: autocommit, no BEGIN/COMMIT round trips)."""
        joined = self._batch_connection()
        if joined is not None:
            yield joined
            return
        if self.backend.name == "sqlite":
            with self.read() as conn:
                yield conn
            return
        with self.reader.connect() as conn:
            yield conn

    def _batch_connection(self) -> sa.Connection | None:
        """The connection of this thread's open batch transaction, if there is one (read your own writes)."""
        scope = self._local.__dict__.get("batch")
        return None if scope is None or scope.root is None else scope.root.conn

    def wait_for_jobs(self, timeout_s: float, *, ready: threading.Event | None = None) -> bool:
        """Block until a job is announced (PostgreSQL LISTEN/NOTIFY) or ``timeout_s`` passes; True when woken.

        An idle worker may call this instead of sleeping its poll interval. SQLite has no
        notifications: it sleeps ``timeout_s`` and returns False. ``ready`` is set once listening.
        """
        if not self._notify:
            if ready is not None:
                ready.set()
            time.sleep(max(0.0, timeout_s))
            return False
        import psycopg

        conninfo = self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f"LISTEN {JOBS_CHANNEL}")
            if ready is not None:
                ready.set()
            for _ in conn.notifies(timeout=max(0.0, timeout_s), stop_after=1):
                return True
        return False

    def migrate(self) -> None:
        """Upgrade the schema to the packaged head (``ketenpoort migrate``)."""
        migrate.upgrade(self.engine)

    def migrations_current(self) -> bool:
        """True when the schema is at the packaged head (``/readyz``)."""
        return migrate.is_current(self.engine)

    def verify_audit(self) -> audit.VerifyResult:
        """Verify the whole audit chain (``ketenpoort audit verify``)."""
        with self.read() as conn:
            return audit_chain.verify_chain(conn)

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
        if self._writer is not None:
            self._writer.close()


__all__ = ["JOBS_CHANNEL", "StoreBase", "Tx", "WriteBatch"]
