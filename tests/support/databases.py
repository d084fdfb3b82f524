"""Database fixtures: ``db_url`` runs a test on SQLite and on PostgreSQL, ``store`` gives it a migrated Store,
``memory_store`` a fresh in-memory one.

SQLite is a real file in ``tmp_path``. PostgreSQL comes from ``KETENPOORT_TEST_POSTGRES_URL``
(CI sets it; locally: ``export KP_PG_STATE=$(mktemp); export KETENPOORT_TEST_POSTGRES_URL=$(.ci/postgres.sh start)``);
every test gets a fresh database of its own, so xdist workers never collide. Without the variable
the PostgreSQL runs skip locally and FAIL in CI.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from gateway.pseudonym import Pseudonymiser
from gateway.store import Store
from gateway.store.memory import MemoryStore
from tests.support.ci import in_ci

PG_ENV = "KETENPOORT_TEST_POSTGRES_URL"
TEST_PSEUDONYM_KEY = b"ketenpoort-test-pseudonym-key-32b"

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


def postgres_base_url() -> str:
    """The server URL from the environment; skip locally, fail in CI when it is missing."""
    url = os.environ.get(PG_ENV)
    if not url:
        if in_ci():
            pytest.fail(f"{PG_ENV} is not set in CI: the PostgreSQL runs must not be skipped")
        pytest.skip(f"{PG_ENV} not set (start one with .ci/postgres.sh start)")
    return url


def _admin(url: sa.URL) -> sa.Engine:
    return sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)


def fresh_postgres_database() -> Iterator[str]:
    """Create a database of its own on the test server, yield its URL, drop it afterwards."""
    base = sa.make_url(postgres_base_url())
    name = f"kp_{uuid.uuid4().hex[:16]}"
    admin = _admin(base)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def url_for(backend: str, tmp_path: os.PathLike[str]) -> Iterator[str]:
    """A fresh, empty database of ``backend``."""
    if backend == "sqlite":
        yield f"sqlite:///{os.fspath(tmp_path)}/ketenpoort.db"
    else:
        yield from fresh_postgres_database()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: os.PathLike[str]) -> Iterator[str]:
    """An empty database: a SQLite file, then a fresh PostgreSQL database."""
    yield from url_for(request.param, tmp_path)


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database only (for tests of PostgreSQL behaviour such as SKIP LOCKED)."""
    yield from fresh_postgres_database()


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """A migrated store on ``db_url`` with a fixed pseudonym key."""
    opened = Store.open(db_url, migrate=True, pseudonymiser=Pseudonymiser(TEST_PSEUDONYM_KEY))
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def memory_store() -> MemoryStore:
    """A fresh :class:`MemoryStore` with the same pseudonym key: the default for tests of no store behaviour.

    API, channel and dashboard tests that only need somewhere to put messages take this one; a test about
    persistence or SQL (transactions, processes sharing a database, migrations, crash safety) takes ``store``.
    The contract suite ``tests/store/contract`` holds the two to the same behaviour.
    """
    return MemoryStore(pseudonymiser=Pseudonymiser(TEST_PSEUDONYM_KEY))


__all__ = [
    "BACKENDS",
    "PG_ENV",
    "TEST_PSEUDONYM_KEY",
    "db_url",
    "fresh_postgres_database",
    "memory_store",
    "pg_url",
    "store",
]
