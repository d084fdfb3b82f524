"""PostgreSQL for the pipeline bench: a throwaway cluster (or a given server), a fresh database per run,
and where the statements' time went (``pg_stat_statements``).

``auto`` starts a cluster with ``.ci/postgres.sh`` on a free loopback port, with ``fsync`` on (the
durable figure, as SQLite runs with ``synchronous=FULL``) and ``pg_stat_statements`` loaded, and
stops it afterwards. A given URL must point at a server where the user may create databases; the
statement breakdown is left out when the extension is not there.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa

SCRIPT = Path(__file__).resolve().parent.parent / ".ci" / "postgres.sh"
OPTIONS = "-c fsync=on -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all"


@contextmanager
def postgres_server(url: str) -> Iterator[str]:
    """``url`` itself, or (``auto``) the URL of a cluster started for the bench and stopped on exit."""
    if url != "auto":
        yield url
        return
    state = Path(tempfile.mkdtemp(prefix="kp-bench-pg-")) / "state"
    env = dict(os.environ, KP_PG_STATE=str(state), KP_PG_OPTIONS=OPTIONS)
    started = subprocess.run(["bash", str(SCRIPT), "start"], env=env, capture_output=True, text=True, check=True)
    try:
        yield started.stdout.strip()
    finally:
        subprocess.run(["bash", str(SCRIPT), "stop"], env=env, capture_output=True, check=False)


def fresh_database(server_url: str, name: str) -> str:
    """Create database ``name`` on the server (dropped first if it exists); its URL."""
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    url = sa.make_url(server_url).set(database=name)
    return url.render_as_string(hide_password=False)


def reset_statements(url: str) -> bool:
    """Zero ``pg_stat_statements`` (created in the database if the server loads it); False if it cannot."""
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            conn.exec_driver_sql("SELECT pg_stat_statements_reset()")
        return True
    except sa.exc.DBAPIError:
        return False
    finally:
        engine.dispose()


def statement_breakdown(url: str, messages: int, top: int = 40) -> dict[str, Any]:
    """Statements per message and their server time, since :func:`reset_statements`, biggest first."""
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    query = sa.text(
        "SELECT s.query, s.calls, s.total_exec_time FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid "
        "WHERE d.datname = current_database() AND s.query NOT LIKE '%pg_stat_statements%' ORDER BY s.calls DESC"
    )
    try:
        with engine.connect() as conn:
            rows = conn.execute(query).all()
    finally:
        engine.dispose()
    calls = sum(int(r.calls) for r in rows)
    server_ms = sum(float(r.total_exec_time) for r in rows)
    return {
        "statements_per_msg": calls / messages,
        "server_ms_per_msg": server_ms / messages,
        "top": [
            {"per_msg": r.calls / messages, "ms_per_msg": r.total_exec_time / messages, "sql": _short(r.query)}
            for r in rows[:top]
        ],
    }


def _short(sql: str) -> str:
    one_line = " ".join(sql.split())
    return one_line if len(one_line) <= 90 else one_line[:87] + "..."
