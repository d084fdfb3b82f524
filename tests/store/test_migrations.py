"""Migrations: an empty database goes to head, twice is harmless, and migrations_current tells the truth."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command

from gateway.store import Store
from gateway.store.migrate import alembic_config, head_revisions


def test_empty_database_upgrades_to_head(db_url: str) -> None:
    store = Store.open(db_url)
    try:
        assert not store.migrations_current()
        store.migrate()
        assert store.migrations_current()
        store.migrate()  # a second run finds nothing to do
        with store.engine.connect() as conn:
            tables = set(sa.inspect(conn).get_table_names())
            version = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()
        assert {"messages", "jobs", "deliveries", "facts", "audit_events", "audit_head"} <= tables
        assert {version} == head_revisions()
    finally:
        store.close()


def test_a_database_behind_head_is_not_current_and_catches_up(db_url: str) -> None:
    store = Store.open(db_url)
    try:
        with store.engine.begin() as conn:
            command.upgrade(alembic_config(conn), "0001")
        assert not store.migrations_current()
        store.migrate()  # 0002 runs in batch mode on SQLite
        assert store.migrations_current()
        with store.engine.connect() as conn:
            columns = {c["name"] for c in sa.inspect(conn).get_columns("messages")}
        assert "declaratienummer" in columns
    finally:
        store.close()


def test_downgrade_to_base_and_back(db_url: str) -> None:
    store = Store.open(db_url, migrate=True)
    try:
        with store.engine.begin() as conn:
            command.downgrade(alembic_config(conn), "base")
        assert not store.migrations_current()
        store.migrate()
        assert store.migrations_current()
    finally:
        store.close()
