"""UTCDateTime's one-step SQLite bind gives exactly the text SQLAlchemy's composed processors give.

The stored text is compared in SQL (``received_at < :cutoff`` in retention, say), so a different
form (a ``T``, no microseconds, an offset) would silently change which rows match.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.dialects import sqlite

from gateway.store.schema import UTCDateTime

DIALECT = sqlite.dialect()
FAST = UTCDateTime().dialect_impl(DIALECT).bind_processor(DIALECT)


def _composed(value: Any) -> Any:
    """What SQLAlchemy gives without the override: the decorator's step, then SQLite's DATETIME."""
    decorator = UTCDateTime()
    step = decorator.process_bind_param(value, DIALECT)
    impl = decorator.impl_instance.dialect_impl(DIALECT).bind_processor(DIALECT)
    assert impl is not None
    return impl(step)


offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
moments = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.none() | offsets)


@given(moments)
def test_same_text_as_sqlalchemys_composed_processors(value: datetime) -> None:
    assert FAST is not None
    assert FAST(value) == _composed(value)


def test_aware_values_are_stored_as_naive_utc_with_microseconds() -> None:
    assert FAST is not None
    amsterdam = timezone(timedelta(hours=1))
    assert FAST(datetime(2026, 12, 6, 20, 0, tzinfo=amsterdam)) == "2026-12-06 19:00:00.000000"
    assert FAST(datetime(2026, 12, 6, 19, 0, 0, 5, tzinfo=UTC)) == "2026-12-06 19:00:00.000005"
    assert FAST(None) is None


def test_a_subclass_of_datetime_takes_the_composed_path() -> None:
    class Moment(datetime):
        pass

    assert FAST is not None
    value = Moment(2026, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=2)))
    assert FAST(value) == _composed(value) == "2026-01-02 01:04:05.000000"


def test_postgresql_gets_aware_utc_datetimes_not_text() -> None:
    """The override is SQLite's only: timestamptz takes the aware value as it is."""
    from sqlalchemy.dialects import postgresql

    dialect = postgresql.dialect()
    processor = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
    assert processor is not None
    bound = processor(datetime(2026, 12, 6, 20, 0, tzinfo=timezone(timedelta(hours=1))))
    assert bound == datetime(2026, 12, 6, 19, 0, tzinfo=UTC) and bound.tzinfo is UTC


def test_rows_written_by_both_paths_compare_in_sql(tmp_path: Any) -> None:
    """A value bound fast and one bound through Connection.execute are the same row to SQLite."""
    engine = sa.create_engine(f"sqlite:///{tmp_path / 't.db'}")
    table = sa.Table("t", sa.MetaData(), sa.Column("at", UTCDateTime()))
    table.metadata.create_all(engine)
    moment = datetime(2026, 12, 6, 19, 0, 0, 123456, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(table.insert(), {"at": moment})
    raw = sqlite3.connect(tmp_path / "t.db")
    assert FAST is not None
    assert raw.execute("SELECT count(*) FROM t WHERE at = ?", (FAST(moment),)).fetchone() == (1,)
    with engine.connect() as conn:
        assert conn.execute(sa.select(table.c.at)).scalar() == moment
    raw.close()
    engine.dispose()
