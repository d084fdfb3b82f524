"""Migrations: an empty database goes to head, twice is harmless, and migrations_current tells the truth."""

from __future__ import annotations

from pathlib import Path

import pytest
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
        with store.db.engine.connect() as conn:
            tables = set(sa.inspect(conn).get_table_names())
            version = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()
        assert {"messages", "jobs", "deliveries", "facts", "audit_events", "audit_head"} <= tables
        assert {version} == head_revisions()
    finally:
        store.close()


def test_a_database_behind_head_is_not_current_and_catches_up(db_url: str) -> None:
    store = Store.open(db_url)
    try:
        with store.db.engine.begin() as conn:
            command.upgrade(alembic_config(conn), "0001")
        assert not store.migrations_current()
        store.migrate()  # 0002 runs in batch mode on SQLite
        assert store.migrations_current()
        with store.db.engine.connect() as conn:
            columns = {c["name"] for c in sa.inspect(conn).get_columns("messages")}
        assert "declaratienummer" in columns
    finally:
        store.close()


def test_downgrade_to_base_and_back(db_url: str) -> None:
    store = Store.open(db_url, migrate=True)
    try:
        with store.db.engine.begin() as conn:
            command.downgrade(alembic_config(conn), "base")
        assert not store.migrations_current()
        store.migrate()
        assert store.migrations_current()
    finally:
        store.close()


def test_concurrent_migrations_on_an_empty_database_all_succeed(db_url: str) -> None:
    import threading

    stores = [Store.open(db_url) for _ in range(3)]
    errors: list[BaseException] = []
    start = threading.Barrier(3)

    def go(store: Store) -> None:
        start.wait()
        try:
            store.migrate()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=go, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert errors == [] and all(s.migrations_current() for s in stores)
    finally:
        for s in stores:
            s.close()


def test_sqlite_file_is_private_and_its_directory_is_made(tmp_path: Path) -> None:
    path = tmp_path / "deeper" / "ketenpoort.db"
    store = Store.open(f"sqlite:///{path}", migrate=True)
    try:
        assert path.stat().st_mode & 0o777 == 0o600
        wal = path.with_name(path.name + "-wal")
        assert not wal.exists() or wal.stat().st_mode & 0o077 == 0
    finally:
        store.close()


def test_sqlite_durability_is_full_unless_the_url_says_normal(tmp_path: Path) -> None:
    import pytest

    from gateway.model import Stage
    from tests.store.helpers import record

    for query, expected in (("", 2), ("?synchronous=normal", 1)):
        store = Store.open(f"sqlite:///{tmp_path}/d{len(query)}.db{query}", migrate=True)
        try:
            with store.db.write() as tx:
                assert tx.conn.exec_driver_sql("PRAGMA synchronous").scalar() == expected
            with store.db.write(light=True) as tx:  # claims never wait for fsync
                assert tx.conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1
            store.intake(record("X"))
            assert store.claim([Stage.VALIDATE], "w", 30) is not None
        finally:
            store.close()
    with pytest.raises(ValueError, match="synchronous"):
        Store.open(f"sqlite:///{tmp_path}/bad.db?synchronous=off")


def test_0004_keeps_the_messages_and_keys_duplicates_on_the_message_type(db_url: str) -> None:
    """A store at 0003 with a JW301 upgrades: the row stays; a JW302 with its identification is then no duplicate."""
    from tests.store.helpers import record

    store = Store.open(db_url)
    try:
        with store.db.engine.begin() as conn:
            command.upgrade(alembic_config(conn), "0003")
            conn.execute(
                sa.text(
                    "INSERT INTO messages (id, sender, type, standard, external_id, source, status, payload_sha256,"
                    " payload_size, relay_attempts, received_at, updated_at) VALUES ('01OLD', '0034', 'JW301', 'ijw',"
                    " 'ID-1', 'cli', 'delivered', :sha, 0, 0, :now, :now)"
                ),
                {"sha": record("ID-1").payload_sha256, "now": "2026-12-01 10:00:00"},
            )
        store.migrate()
        with store.db.engine.connect() as conn:
            indexes = {i["name"] for i in sa.inspect(conn).get_indexes("messages")}
        assert "uq_messages_sender_type_external_id" in indexes and "uq_messages_sender_external_id" not in indexes
        again = store.intake(record("ID-1"))
        assert (again.duplicate_of, again.created) == ("01OLD", False)
        retour = store.intake(record("ID-1", message_type="JW302"))
        assert retour.created and retour.resend_of is None
        changed = store.intake(record("ID-1", payload=b"<changed/>"))
        assert changed.created and changed.resend_of == "01OLD"
        with (
            pytest.raises(RuntimeError, match="cannot downgrade below 0004_h19pkg: 2 messages"),
            store.db.engine.begin() as conn,
        ):
            command.downgrade(alembic_config(conn), "0003")  # 0003 cannot hold them: refused, nothing lost
        with store.db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM messages")).scalar_one() == 3
        assert store.migrations_current()
    finally:
        store.close()
