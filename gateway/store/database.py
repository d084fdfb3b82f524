"""The database under every part of the store: engine, transactions, group commits, the writer lock, the clock.

The parts (:mod:`.intake`, :mod:`.queue`, :mod:`.outcomes`, :mod:`.retours`, :mod:`.remote`,
:mod:`.reads`, :mod:`.retention`) never open a connection themselves: they ask the
:class:`Database` for a write (:meth:`Database.write`, one transaction whose audit events are
appended last), a read (:meth:`Database.read`, one snapshot) or a single-statement read
(:meth:`Database.read_one`).

Errors: every SQLAlchemy or driver error that leaves a transaction is translated here, in
:func:`translated_errors`, into a :class:`gateway.errors.StoreError` subclass, as httpx maps
httpcore's errors: :class:`~gateway.errors.StoreConflictError` for a broken uniqueness rule (a
concurrent writer came first), :class:`~gateway.errors.StoreUnavailableError` for a database that
cannot be reached or a lost connection, :class:`~gateway.errors.StoreError` for the rest. The
text names the driver's error class and its first line, scrubbed of BSNs; never the statement's
parameters, which can hold message content.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from gateway import audit
from gateway.bsn import scrub
from gateway.errors import StoreConflictError, StoreError, StoreUnavailableError
from gateway.ports import Clock
from gateway.store import audit_chain, migrate
from gateway.store import statements as st
from gateway.store.backend import LIGHT, WRITE, Backend
from gateway.store.driver import Driver
from gateway.store.tx import Tx, savepoint
from gateway.store.writer_lock import WriterLock

JOBS_CHANNEL = "ketenpoort_jobs"
"""PostgreSQL NOTIFY channel on which new jobs are announced (payload: the stage)."""

_UNAVAILABLE = (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.DisconnectionError, sa.exc.TimeoutError)


def store_error(exc: BaseException) -> StoreError:
    """The :class:`StoreError` a driver or SQLAlchemy error means (its text without SQL or parameters)."""
    orig = exc.orig if isinstance(exc, sa.exc.DBAPIError) and exc.orig is not None else exc
    lines = str(orig).strip().splitlines()
    text = scrub(f"{type(orig).__name__}: {lines[0] if lines else 'no detail'}")[:300]
    if isinstance(exc, sa.exc.IntegrityError):
        return StoreConflictError(text)
    if isinstance(exc, _UNAVAILABLE) or (isinstance(exc, sa.exc.DBAPIError) and exc.connection_invalidated):
        return StoreUnavailableError(text)
    return StoreError(text)


@contextmanager
def translated_errors() -> Iterator[None]:
    """Let a :class:`StoreError` (or any non-database error) pass; turn SQLAlchemy's errors into one."""
    try:
        yield
    except sa.exc.SQLAlchemyError as exc:
        raise store_error(exc) from exc


class GroupCommit:
    """One thread's group commit: the writes made inside :meth:`Database.batch` share one transaction."""

    def __init__(self, db: Database) -> None:
        """Nothing is opened until the first write."""
        self._db = db
        self._stack: ExitStack | None = None
        self._trans: sa.RootTransaction | None = None
        self.root: Tx | None = None

    def open(self) -> Tx:
        """The batch's transaction, begun now (writer lock, BEGIN IMMEDIATE) if it is not open yet."""
        if self.root is not None:
            return self.root
        stack = ExitStack()
        try:
            stack.enter_context(self._db.serialised())
            conn = stack.enter_context(self._db.engine.connect())
            conn.execution_options(**{WRITE: True, LIGHT: False})
            self._trans = conn.begin()
        except BaseException:
            stack.close()
            raise
        self._stack = stack
        self.root = Tx(conn, self._db.driver, self._db.clock.time())
        return self.root

    def flush(self) -> None:
        """Commit what the batch wrote so far (one durable commit), then log its audit events."""
        root, trans = self.root, self._trans
        if root is None or trans is None:
            return
        try:
            with translated_errors():
                root.now = datetime.fromtimestamp(self._db.clock.time(), UTC)  # the chain's time: the commit's
                chained = self._db.seal(root)
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


class Database:
    """Engine, transactions, group commits, the SQLite writer lock and the statement runner, on one clock."""

    def __init__(self, engine: sa.Engine, backend: Backend, *, clock: Clock = time, notify: bool = False) -> None:
        """Wrap an engine made by :func:`gateway.store.backend.create_engine`; ``clock`` gives every queue time."""
        self.engine = engine
        self.backend = backend
        self.clock = clock
        self.driver = Driver(engine.dialect)
        self.notify = notify and backend.name == "postgresql"
        self.claim_statement = st.claim_statement(backend.skip_locked)
        # SQLite has one writer at a time; writers queue for it here instead of in SQLite's busy handler
        database = engine.url.database
        self._writer = WriterLock(Path(database)) if backend.name == "sqlite" and database else None
        pg = backend.name == "postgresql"
        # PostgreSQL: multi-statement reads see one snapshot (REPEATABLE READ; READ COMMITTED would give each
        # statement its own), single-statement reads skip BEGIN/COMMIT round trips (autocommit)
        self._snapshot_engine = engine.execution_options(isolation_level="REPEATABLE READ") if pg else engine
        self._reader = engine.execution_options(isolation_level="AUTOCOMMIT") if pg else engine
        self._local = threading.local()  # .batch: this thread's GroupCommit, while one is open

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
        with translated_errors():
            if scope is not None:
                root = scope.open()
                with savepoint(root.conn):
                    tx = Tx(root.conn, self.driver, root.wall)
                    yield tx
                root.events.extend(tx.events)
                root.notify |= tx.notify
                return
            with self.serialised(), self.engine.connect() as conn:
                conn.execution_options(**{WRITE: True, LIGHT: light})
                with conn.begin():
                    if light and self.backend.name == "postgresql":
                        conn.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
                    tx = Tx(conn, self.driver, self.clock.time())
                    yield tx
                    chained = self.seal(tx)
        audit.emit(chained)

    def seal(self, tx: Tx) -> list[audit.ChainedEvent]:
        """Last statements of a write transaction: append its audit events to the chain, announce its jobs."""
        chained = audit_chain.append(tx.conn, tx.events, now=tx.now, driver=tx.driver) if tx.events else []
        if self.notify:
            for stage in sorted(tx.notify):
                tx.conn.execute(sa.text("SELECT pg_notify(:c, :s)"), {"c": JOBS_CHANNEL, "s": stage})
        return chained

    @contextmanager
    def batch(self) -> Iterator[GroupCommit]:
        """Let this thread's writes share one transaction (group commit) until :meth:`GroupCommit.flush`.

        A worker finishes a batch of jobs with one durable commit instead of one per job. The
        transaction opens at the first write; reads on this thread then go through it, so a job sees
        what the jobs before it in the batch wrote. Leaving the block commits; an exception rolls
        the whole batch back (its jobs are leased, so they run again when the leases expire).
        """
        if self._local.__dict__.get("batch") is not None:  # already batching: join it
            yield self._local.batch
            return
        scope = GroupCommit(self)
        self._local.batch = scope
        try:
            yield scope
            scope.flush()
        finally:
            scope.discard()
            self._local.batch = None

    @contextmanager
    def serialised(self) -> Iterator[None]:
        """Hold SQLite's writer lock (a no-op on PostgreSQL, whose row locks order writers)."""
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
        with translated_errors(), self._snapshot_engine.connect() as conn, conn.begin():
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
        with translated_errors(), self._reader.connect() as conn:
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
        if not self.notify:
            if ready is not None:
                ready.set()
            time.sleep(max(0.0, timeout_s))
            return False
        import psycopg

        conninfo = self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        try:
            with psycopg.connect(conninfo, autocommit=True) as conn:
                conn.execute(f"LISTEN {JOBS_CHANNEL}")
                if ready is not None:
                    ready.set()
                for _ in conn.notifies(timeout=max(0.0, timeout_s), stop_after=1):
                    return True
        except psycopg.Error as exc:
            raise StoreUnavailableError(scrub(f"{type(exc).__name__}: {exc}".splitlines()[0])[:300]) from exc
        return False

    def migrate(self) -> None:
        """Upgrade the schema to the packaged head (``ketenpoort migrate``)."""
        with translated_errors():
            migrate.upgrade(self.engine)

    def migrations_current(self) -> bool:
        """True when the schema is at the packaged head (``/readyz``)."""
        with translated_errors():
            return migrate.is_current(self.engine)

    def verify_audit(self) -> audit.VerifyResult:
        """Verify the whole audit chain (``ketenpoort audit verify``)."""
        with self.read() as conn:
            return audit_chain.verify_chain(conn)

    def reach(self) -> None:
        """Connect once now, so that a wrong host or password fails here rather than at the first message."""
        with translated_errors(), self.engine.connect():
            pass

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
        if self._writer is not None:
            self._writer.close()


__all__ = ["JOBS_CHANNEL", "Database", "GroupCommit", "store_error", "translated_errors"]
