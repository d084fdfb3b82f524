"""Schema migrations with Alembic, configured in code (no alembic.ini): upgrade to head, and is it current?"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from gateway.store.backend import WRITE

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

_PG_MIGRATE_LOCK = 0x6B70_6D67  # "kpmg": serialises concurrent `migrate` runs on one PostgreSQL database


def alembic_config(connection: sa.Connection | None = None) -> Config:
    """An Alembic config pointing at the packaged migrations, bound to ``connection`` if given."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def head_revisions() -> set[str]:
    """The revisions the packaged migrations lead to."""
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def current_revisions(conn: sa.Connection) -> set[str]:
    """The revisions the database is at (empty for a fresh database)."""
    return set(MigrationContext.configure(conn).get_current_heads())


def upgrade(engine: sa.Engine) -> None:
    """Upgrade to head in one transaction; concurrent callers wait for each other and then find nothing to do."""
    with engine.connect() as conn:
        conn.execution_options(**{WRITE: True})  # SQLite: BEGIN IMMEDIATE, so a second migrator waits, then finds head
        with conn.begin():
            _upgrade(conn)


def _upgrade(conn: sa.Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATE_LOCK})
    if current_revisions(conn) == head_revisions():
        return
    command.upgrade(alembic_config(conn), "head")


def is_current(engine: sa.Engine) -> bool:
    """True when the database is at the packaged head revision."""
    with engine.connect() as conn:
        return current_revisions(conn) == head_revisions()


__all__ = ["MIGRATIONS", "alembic_config", "current_revisions", "head_revisions", "is_current", "upgrade"]
