"""PostgreSQL: the history's identification lookups are planned per call, never from a cached generic plan.

psycopg prepares a statement on the server after five calls, and PostgreSQL may then keep a generic plan
made while the table was nearly empty. For TR056's lookup that plan scanned every message of the sender
(an index on the sender alone), 1.9 ms a call at 20,000 messages.
"""

from __future__ import annotations

import sqlalchemy as sa

from gateway.pseudonym import Pseudonymiser
from gateway.store import Store
from gateway.store.driver import CUSTOM_PLAN
from gateway.store.history import _SEEN_IDENTIFICATIE
from gateway.store.schema import messages
from tests.support.databases import TEST_PSEUDONYM_KEY

_PREPARED = "SELECT statement FROM pg_prepared_statements"


def _prepared_after_calls(store: Store, statement: sa.Select[tuple[str]], calls: int = 12) -> list[str]:
    params = {"s": "0034", "v": "E-1", "x": "m-x", "t": "JW301"}
    with store.db.engine.connect() as conn:
        for _ in range(calls):
            store.db.driver.execute(conn, statement, params).all()
        return [str(row[0]) for row in conn.execute(sa.text(_PREPARED))]


def test_the_identification_lookup_is_never_prepared_on_the_server(pg_url: str) -> None:
    """Twelve calls on one connection leave no server-side prepared statement for it; unmarked, they would."""
    store = Store.open(pg_url, migrate=True, pseudonymiser=Pseudonymiser(TEST_PSEUDONYM_KEY))
    try:
        assert _SEEN_IDENTIFICATIE.get_execution_options().get(CUSTOM_PLAN) is True
        marked = _prepared_after_calls(store, _SEEN_IDENTIFICATIE)
        assert not [sql for sql in marked if "external_id" in sql]
        plain = _SEEN_IDENTIFICATIE.execution_options(**{CUSTOM_PLAN: False})
        unmarked = _prepared_after_calls(store, plain)
        assert [sql for sql in unmarked if "external_id" in sql and str(messages.name) in sql]
    finally:
        store.close()
