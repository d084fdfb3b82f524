"""A small durable log of POSTs answered 2xx, committed in groups within milliseconds of the answer.

A delivery's outcome is committed with the next ones of its worker, a few at a time; a worker
killed before that commit used to leave messages the receiver had accepted looking undelivered,
so their retries posted them again. Each 2xx is therefore written here first, before the relay
thread takes its next job: :meth:`AttemptLog.record` waits until the row is durable, and rows
that arrive while a commit is under way share the next one (group commit: no timer, the commit
itself is the window). A retry asks :meth:`AttemptLog.answered` before it posts and, when the
log has the answer, records the delivery without posting again; a worker asks for the relay jobs
of a claimed batch at once (:meth:`AttemptLog.answered_many`, one statement: on PostgreSQL the
lookup per job was a round trip, ~10 % of a worker's samples). Once the outcome is committed
in the store, :meth:`AttemptLog.forget` drops the row.

On SQLite the log is a file of its own beside the database (``<db>-attempts``), so its commits
never wait for the store's single write lock, nor hold it; on PostgreSQL it is the
``relay_attempts`` table, outside the audit chain's lock.

Durable here means: it survives the worker process being killed, which is what a redelivery
comes from. Its commits do not wait for the disk (SQLite ``synchronous=NORMAL`` in WAL mode,
PostgreSQL ``synchronous_commit = off`` on the log's own connections only): rows lost to a power cut
cost redeliveries carrying the same Idempotency-Key, and every POST a lane thread makes
waits for this commit, so a flush each (150-190 µs on the reference disk, against 21) is what
made it expensive. Worker processes queue for the sidecar's write lock with ``flock``, as for
the store's, rather than in SQLite's busy handler (which sleeps 1 ms and more at the first
collision).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
import structlog
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from gateway.store.backend import BUSY_TIMEOUT_S, WRITE, create_engine
from gateway.store.schema import relay_attempts

log = structlog.get_logger("gateway.store")

_CHUNK = 500
_LOOKUP_MANY = "SELECT message_id, attempt, status_code, latency_ms FROM relay_attempts WHERE message_id IN "
"""Message ids per lookup statement (SQLite's host parameter limit is far above it)."""
_BY_IDS = sa.select(relay_attempts).where(relay_attempts.c.message_id.in_(sa.bindparam("ids", expanding=True)))
_BY_ID = sa.select(relay_attempts).where(relay_attempts.c.message_id == sa.bindparam("id"))


@dataclass(frozen=True, slots=True)
class Answered:
    """A logged 2xx answer."""

    attempt: int
    status_code: int
    latency_ms: float


class _SqliteFile:
    """The sidecar through sqlite3 itself, one connection per thread: a lookup is on every relay job's path,
    and SQLAlchemy's checkout and execution cost ~0.25 ms CPU of it (sqlite3's prepared statement: ~0.01)."""

    UPSERT = (
        "INSERT INTO relay_attempts (message_id, attempt, status_code, latency_ms, at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (message_id) DO UPDATE SET attempt = excluded.attempt, status_code = excluded.status_code, "
        "latency_ms = excluded.latency_ms, at = excluded.at"
    )

    def __init__(self, path: str) -> None:
        self._path = path
        self._local = threading.local()
        self._opened: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._fd: int | None = None

    def close(self) -> None:
        with self._lock:
            for conn in self._opened:
                conn.close()
            self._opened.clear()
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        """This process's writers one at a time, then processes in the kernel's queue (``<file>.lock``)."""
        with self._write_lock:
            if self._fd is None:
                self._fd = os.open(f"{self._path}.lock", os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self._fd, fcntl.LOCK_UN)

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = self._local.__dict__.get("conn")
        if conn is None:
            conn = sqlite3.connect(self._path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA synchronous=NORMAL")  # WAL already (its engine made the table): no flush per commit
            self._local.conn = conn
            with self._lock:
                self._opened.append(conn)
        return conn

    def answered(self, message_id: str) -> Answered | None:
        row = (
            self._conn()
            .execute("SELECT attempt, status_code, latency_ms FROM relay_attempts WHERE message_id = ?", (message_id,))
            .fetchone()
        )
        return Answered(int(row[0]), int(row[1]), float(row[2])) if row is not None else None

    def answered_many(self, message_ids: Sequence[str]) -> dict[str, Answered]:
        found: dict[str, Answered] = {}
        for start in range(0, len(message_ids), _CHUNK):
            chunk = message_ids[start : start + _CHUNK]
            query = _LOOKUP_MANY + "(" + ", ".join("?" * len(chunk)) + ")"  # placeholders only
            rows = self._conn().execute(query, tuple(chunk)).fetchall()
            found.update({r[0]: Answered(int(r[1]), int(r[2]), float(r[3])) for r in rows})
        return found

    def write(self, statement: str, rows: Sequence[Sequence[object]]) -> None:
        conn = self._conn()
        with self._writing():
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.executemany(statement, rows)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")


class AttemptLog:
    """The log over ``engine``; :meth:`for_store` picks the right one for a store."""

    def __init__(self, engine: sa.Engine, *, owned: bool = False) -> None:
        """Write through ``engine`` (disposed by :meth:`close` when ``owned``; a SQLite one is then the sidecar)."""
        self._engine = engine
        sqlite = engine.dialect.name == "sqlite"
        self._file = _SqliteFile(str(engine.url.database)) if owned and sqlite else None
        # PostgreSQL: autocommit (and, on the engine of for_store, synchronous_commit off per connection), so a
        # group is one pipelined executemany and a lookup one SELECT: no BEGIN, SET LOCAL or COMMIT round trips
        self._bare = engine.execution_options(isolation_level="AUTOCOMMIT") if not sqlite else None
        self._writer = engine.execution_options(**{WRITE: True})
        self._owned = owned
        upsert = sqlite_insert if engine.dialect.name == "sqlite" else pg_insert
        statement = upsert(relay_attempts)
        self._upsert = statement.on_conflict_do_update(
            index_elements=[relay_attempts.c.message_id],
            set_={name: statement.excluded[name] for name in ("attempt", "status_code", "latency_ms", "at")},
        )
        self._cond = threading.Condition()
        self._pending: list[tuple[dict[str, object], threading.Event]] = []
        self._flushing = False

    @classmethod
    def for_store(cls, engine: sa.Engine, *, threads: int = 16) -> AttemptLog:
        """The log for the store on ``engine``: a sidecar file for SQLite, the same database for PostgreSQL
        (through an engine of its own, whose connections commit without waiting for the disk)."""
        if engine.dialect.name != "sqlite":
            own = sa.create_engine(
                engine.url,
                # a connection for each relay thread: an overflow connection is closed when given back, and
                # opening one (a server process) cost more than the lookups it served
                pool_size=threads,
                max_overflow=threads,
                connect_args={"options": "-c synchronous_commit=off"},
            )
            return cls(own, owned=True)
        sidecar, _ = create_engine(f"sqlite:///{engine.url.database}-attempts", pool_size=4)
        # in a write transaction (BEGIN IMMEDIATE): workers starting together wait for each other here,
        # where a read-then-write would fail at once with "database is locked"
        with sidecar.execution_options(**{WRITE: True}).begin() as conn:
            relay_attempts.create(conn, checkfirst=True)
        return cls(sidecar, owned=True)

    def record(self, message_id: str, attempt: int, status_code: int, latency_ms: float) -> None:
        """Log a 2xx answer; returns once it is durable (or the write failed: logged, and the store still commits)."""
        row: dict[str, object] = {"message_id": message_id, "attempt": attempt, "status_code": status_code,
                                  "latency_ms": latency_ms, "at": time.time()}  # fmt: skip
        durable = threading.Event()
        with self._cond:
            self._pending.append((row, durable))
            lead = not self._flushing
            self._flushing = True
        if lead:  # this thread commits for everyone waiting, until no one is
            self._flush()
        durable.wait()

    def _flush(self) -> None:
        while True:
            with self._cond:
                group, self._pending = self._pending, []
                if not group:
                    self._flushing = False
                    return
            try:
                if self._file is not None:
                    self._file.write(_SqliteFile.UPSERT, [tuple(row.values()) for row, _ in group])
                elif self._bare is not None:
                    with self._bare.connect() as conn:
                        conn.execute(self._upsert, [row for row, _ in group])
                else:
                    with self._writer.begin() as conn:
                        conn.execute(self._upsert, [row for row, _ in group])
            except Exception:
                log.exception("relay.attempt_log_failed", rows=len(group))
            for _, durable in group:
                durable.set()

    def answered(self, message_id: str) -> Answered | None:
        """The logged 2xx answer for ``message_id``, if any."""
        if self._file is not None:
            return self._file.answered(message_id)
        with (self._bare or self._engine).connect() as conn:
            row = conn.execute(_BY_ID, {"id": message_id}).first()
        return Answered(int(row.attempt), int(row.status_code), float(row.latency_ms)) if row is not None else None

    def answered_many(self, message_ids: Sequence[str]) -> dict[str, Answered]:
        """The logged 2xx answers among ``message_ids``, by message id, in one statement per 500 ids."""
        if not message_ids:
            return {}
        if self._file is not None:
            return self._file.answered_many(message_ids)
        found: dict[str, Answered] = {}
        with (self._bare or self._engine).connect() as conn:
            for start in range(0, len(message_ids), _CHUNK):
                rows = conn.execute(_BY_IDS, {"ids": list(message_ids[start : start + _CHUNK])})
                found.update(
                    {r.message_id: Answered(int(r.attempt), int(r.status_code), float(r.latency_ms)) for r in rows}
                )
        return found

    def forget(self, message_ids: Sequence[str]) -> None:
        """Drop the rows of messages whose outcomes are committed in the store."""
        if not message_ids:
            return
        try:
            if self._file is not None:
                self._file.write("DELETE FROM relay_attempts WHERE message_id = ?", [(mid,) for mid in message_ids])
            else:
                with (self._bare or self._writer).begin() as conn:
                    conn.execute(relay_attempts.delete().where(relay_attempts.c.message_id.in_(list(message_ids))))
        except Exception:  # kept rows only cost a lookup; the next forget may take them
            log.exception("relay.attempt_log_forget_failed", rows=len(message_ids))

    def close(self) -> None:
        """Close the sidecar's connections."""
        if self._file is not None:
            self._file.close()
        if self._owned:
            self._engine.dispose()


__all__ = ["Answered", "AttemptLog"]
