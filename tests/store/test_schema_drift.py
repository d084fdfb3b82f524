"""The tables declared in ``gateway/store/schema.py`` and the ones the migrations build are the same.

Both exist (the declarations serve the queries, the migrations create and evolve the database), so
they can drift apart unseen: a column added to one and not the other works on a developer's fresh
database and fails on a migrated one. Alembic's own ``compare_metadata`` finds every difference.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from gateway.store import Store
from gateway.store.schema import metadata


def _differences(db_url: str) -> list[Any]:
    store = Store.open(db_url, migrate=True)
    try:
        with store.db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": False})
            return [d for d in compare_metadata(context, metadata) if not _is_alembic_bookkeeping(d)]
    finally:
        store.close()


def _is_alembic_bookkeeping(diff: Any) -> bool:
    """Alembic's version table is in the database and not in our metadata, by design."""
    return isinstance(diff, tuple) and diff[0] == "remove_table" and diff[1].name == "alembic_version"


def test_the_migrated_database_matches_the_declared_tables(db_url: str) -> None:
    """No table, column, type, index or constraint differs between schema.py and the migrations' head."""
    assert _differences(db_url) == []


def test_the_drift_check_sees_a_column_the_migrations_lack(db_url: str) -> None:
    """A column declared but never migrated is reported, so the test above can fail."""
    extra = sa.MetaData()
    for table in metadata.sorted_tables:
        table.to_metadata(extra)
    sa.Table("messages", extra, sa.Column("undeclared_in_migrations", sa.Text()), extend_existing=True)
    store = Store.open(db_url, migrate=True)
    try:
        with store.db.engine.connect() as conn:
            diffs = compare_metadata(MigrationContext.configure(conn), extra)
    finally:
        store.close()
    added = [d for d in diffs if isinstance(d, tuple) and d[0] == "add_column"]
    assert [(d[2], d[3].name) for d in added] == [("messages", "undeclared_in_migrations")]
