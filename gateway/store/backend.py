"""The backend-specific parts, kept small: engine set-up per dialect, and the claim statement's lock clause.

SQLite: WAL, ``synchronous=FULL``, a busy timeout, and ``BEGIN IMMEDIATE`` for write transactions (so
writers queue for the one write lock up front instead of failing on upgrade).
``sqlite:///file?synchronous=normal`` trades the last commits before a power cut (never consistency,
never anything on a process crash) for a higher write rate. PostgreSQL
(``postgresql+psycopg://``): a connection pool sized per process, claims with ``FOR UPDATE SKIP
LOCKED``. Everything else in the store is the same SQL on both.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

WRITE = "ketenpoort_write"
"""Execution option that marks a connection's next transaction as a write (SQLite: BEGIN IMMEDIATE)."""

LIGHT = "ketenpoort_light"
"""Execution option for a write that need not survive a power cut (a lease): committed without fsync.

Safe in WAL mode: the WAL is one sequential file, so the next ``synchronous=FULL`` commit makes
the earlier frames durable too, and a claim lost to a power cut only means the lease never
happened (the job is due again). PostgreSQL gets ``SET LOCAL synchronous_commit = off``.
"""

BUSY_TIMEOUT_S = 30.0


@dataclass(frozen=True, slots=True)
class Backend:
    """What differs between the databases."""

    name: str
    skip_locked: bool
    """Claims lock their row with ``FOR UPDATE SKIP LOCKED`` (PostgreSQL)."""


def _private_file(path: Path) -> None:
    """Create the database file (and its directory) readable by its owner only: payloads hold BSNs.

    SQLite gives the -wal and -shm files the database file's permissions.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _sqlite_engine(url: sa.URL, pool_size: int, echo: bool) -> sa.Engine:
    durable = str(url.query.get("synchronous", "full")).upper()
    if durable not in ("FULL", "NORMAL"):
        raise ValueError("sqlite ?synchronous= is full (the default) or normal")
    url = url.difference_update_query(["synchronous"])
    engine = sa.create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_S},
        poolclass=sa.pool.QueuePool,
        pool_size=pool_size,
        max_overflow=pool_size * 2,
        echo=echo,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _: Any) -> None:
        dbapi_conn.isolation_level = None  # the driver must not BEGIN behind our back; we do it below
        cursor = dbapi_conn.cursor()
        cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
        _ensure_wal(cursor)
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        options = conn.get_execution_options()
        sync = "NORMAL" if options.get(LIGHT) else durable
        raw = conn.connection.driver_connection  # straight to sqlite3: BEGIN is on every call's path
        assert raw is not None
        if conn.info.get("synchronous") != sync:  # a pragma, so set outside the transaction, only on change
            raw.execute(f"PRAGMA synchronous={sync}")
            conn.info["synchronous"] = sync
        raw.execute("BEGIN IMMEDIATE" if options.get(WRITE) else "BEGIN")

    return engine


def _ensure_wal(cursor: Any) -> None:
    """Switch the file to WAL once (it stays WAL); retry while another connection holds it.

    SQLite answers the switch with "database is locked" at once, without calling the busy handler,
    when another connection is using the file, so processes opening a new database together failed.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        if str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal":
            return
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
        if time.monotonic() > deadline:
            raise sqlite3.OperationalError("database is locked: could not switch it to WAL")
        time.sleep(0.01)


def _postgres_engine(url: sa.URL, pool_size: int, echo: bool) -> sa.Engine:
    return sa.create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=False,  # a round trip per checkout; a dropped connection fails one call, the caller retries
        pool_recycle=1800,
        echo=echo,
    )


def create_engine(url: str | sa.URL, *, pool_size: int = 8, echo: bool = False) -> tuple[sa.Engine, Backend]:
    """The engine for ``url`` and its backend description; only SQLite files and PostgreSQL are supported."""
    parsed = sa.make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise ValueError("the SQLite store needs a file (sqlite:///path/to/ketenpoort.db)")
        _private_file(Path(parsed.database))
        return _sqlite_engine(parsed, pool_size, echo), Backend("sqlite", skip_locked=False)
    if backend == "postgresql":
        if parsed.get_driver_name() != "psycopg":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return _postgres_engine(parsed, pool_size, echo), Backend("postgresql", skip_locked=True)
    raise ValueError(f"unsupported database {backend!r}: use sqlite:/// or postgresql+psycopg://")


__all__ = ["BUSY_TIMEOUT_S", "LIGHT", "WRITE", "Backend", "create_engine"]
