"""The driver path runs the hot statements exactly as SQLAlchemy would: same rows, same types, same errors."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from gateway.errors import StoreConflictError
from gateway.model import Stage
from gateway.store import Store
from gateway.store import statements as st
from gateway.store.history import _TOEGEWEZEN
from gateway.store.schema import facts, jobs, messages

AT = datetime(2026, 3, 1, 12, 30, 15, 123456, tzinfo=UTC)


def _message(mid: str, **over: object) -> dict[str, object]:
    row: dict[str, object] = {
        "id": mid, "sender": "AGB1", "receiver": "0034", "standard": "ijw", "type": "JW301", "version": "3.2",
        "external_id": f"E-{mid}", "idempotency_key": None, "source": "test", "status": "received",
        "payload": b"<x/>", "payload_sha256": "0" * 64, "payload_size": 4, "declaratienummer": None,
        "findings": [{"rule": "TR056", "message": "tekst"}], "relay_attempts": 0,
        "received_at": AT, "updated_at": AT,
    }  # fmt: skip
    row.update(over)
    return row


def _fact(mid: str, nummer: str, einddatum: date | None) -> dict[str, object]:
    return {
        "message_id": mid, "kind": "toewijzing", "client": "p-1", "aanbieder": "AGB1", "gemeente": "0034",
        "productcategorie": "45", "productcode": "45A01", "cbs_hulpvorm": None, "begindatum": date(2026, 1, 1),
        "einddatum": einddatum, "volume": 5, "eenheid": "04", "bedrag_cent": None, "toewijzingnummer": nummer,
        "referentienummer": None, "woongemeente": None, "financiering": "gemeente", "declared_at": None,
    }  # fmt: skip


def test_driver_writes_read_back_through_sqlalchemy_with_their_types(store: Store) -> None:
    """A message (JSON, bytes, aware datetimes) and facts (dates, NULLs) written by the driver read back as written."""
    with store.db.write() as tx:
        tx.execute(st.INSERT_MESSAGE, _message("m1"))
        tx.executemany(st.INSERT_FACT, [_fact("m1", "T1", date(2026, 6, 30)), _fact("m1", "T2", None)])
    with store.db.read() as conn:
        row = conn.execute(sa.select(messages).where(messages.c.id == "m1")).one()
        kept = conn.execute(sa.select(facts.c.toewijzingnummer, facts.c.einddatum).order_by(facts.c.id)).all()
    assert row.findings == [{"rule": "TR056", "message": "tekst"}]
    assert row.payload == b"<x/>" and row.received_at == AT and row.status == "received"
    assert [tuple(r) for r in kept] == [("T1", date(2026, 6, 30)), ("T2", None)]


def test_driver_reads_equal_sqlalchemy_reads(store: Store) -> None:
    """READ_MESSAGES and the toewijzingen query: the same rows, values and types on both paths."""
    with store.db.write() as tx:
        for mid in ("m1", "m2", "m3"):
            tx.execute(st.INSERT_MESSAGE, _message(mid))
        tx.executemany(st.INSERT_FACT, [_fact("m1", "T1", date(2026, 6, 30)), _fact("m2", "T2", None)])
    cases = [
        (st.READ_MESSAGES, {"b_ids": ["m1", "m3"]}),
        (st.READ_MESSAGES, {"b_ids": ["m2"]}),
        (_TOEGEWEZEN, {"g": "0034", "a": "AGB1", "v": ["T1", "T2", "T9"]}),
    ]
    with store.db.read() as conn:
        for statement, params in cases:
            expected = [tuple(r) for r in conn.execute(statement, params).all()]
            got = store.db.driver.execute(conn, statement, params).all()
            assert [tuple(r) for r in got] == expected and expected
            assert [type(v) for v in got[0]] == [type(v) for v in expected[0]]
            assert got[0]._fields == tuple(conn.execute(statement, params).keys())


def test_returning_and_rowcount(store: Store) -> None:
    """FINISH_JOB gives its run_after once; the second finish finds the job done and gives nothing."""
    with store.db.write() as tx:
        tx.execute(st.INSERT_MESSAGE, _message("m1"))
        tx.execute(st.INSERT_JOB, {"message_id": "m1", "stage": "relay", "run_after": 12.5})
    with store.db.read() as conn:
        job_id = conn.execute(sa.select(jobs.c.id).where(jobs.c.message_id == "m1")).scalar_one()
    with store.db.write() as tx:
        first = tx.execute(st.FINISH_JOB, {"b_id": job_id})
        again = tx.execute(st.FINISH_JOB, {"b_id": job_id})
        moved = tx.execute(st.UPDATE_MESSAGE, {"b_id": "m1", "status": "accepted", "updated_at": AT})
    assert first.scalar() == 12.5 and first.rowcount == 1
    assert again.first() is None and again.rowcount == 0
    assert moved.rowcount == 1


def test_driver_errors_are_sqlalchemys(store: Store) -> None:
    """A unique violation raises SQLAlchemy's IntegrityError from the driver; the Database, where every store
    transaction runs, turns it into StoreConflictError (intake retries on it); the transaction rolls back."""
    with store.db.write() as tx:
        tx.execute(st.INSERT_MESSAGE, _message("m1"))
    with pytest.raises(StoreConflictError, match=r"(?i)unique") as raised, store.db.write() as tx:
        tx.execute(st.INSERT_MESSAGE, _message("m2"))
        tx.execute(st.INSERT_MESSAGE, _message("m3", external_id="E-m1"))  # same sender + external id as m1
    assert isinstance(raised.value.__cause__, sa.exc.IntegrityError)
    assert "E-m1" not in str(raised.value)  # the statement's parameters never reach the message
    with store.db.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(messages)).scalar_one() == 1


def test_an_empty_in_list_is_refused(store: Store) -> None:
    """An empty expanding list would need SQLAlchemy's empty-set trick; callers skip the query instead."""
    with store.db.read() as conn, pytest.raises(ValueError, match="at least one value"):
        store.db.driver.execute(conn, st.READ_MESSAGES, {"b_ids": []})


def test_constants_the_statement_carries_are_bound_too(store: Store) -> None:
    """RELEASE_JOBS sets leased_by to a constant NULL: the driver binds it without a parameter."""
    with store.db.write() as tx:
        tx.execute(st.INSERT_MESSAGE, _message("m1"))
        tx.execute(st.INSERT_JOB, {"message_id": "m1", "stage": "relay", "run_after": 1.0})
    claimed = store.claim_many([Stage.RELAY], "w-1", 30.0, 5)
    assert [job.message_id for job in claimed] == ["m1"]
    with store.db.write() as tx:
        assert tx.execute(st.RELEASE_JOBS, {"b_ids": [claimed[0].id]}).rowcount == 1
    with store.db.read() as conn:
        row = conn.execute(sa.select(jobs.c.lease_until, jobs.c.leased_by).where(jobs.c.id == claimed[0].id)).one()
    assert tuple(row) == (0.0, None)


def test_a_missing_parameter_is_named(store: Store) -> None:
    """A required parameter left out fails before the database sees the statement, naming it."""
    with store.db.write() as tx, pytest.raises(ValueError, match="b_id"):
        tx.execute(st.FINISH_JOB, {})


@pytest.mark.parametrize("expanding", [False, True], ids=["scalar", "in-list"])
def test_a_parameter_used_twice_is_bound_at_each_place(store: Store, expanding: bool) -> None:
    """SQLite binds by position: a name that appears twice in the SQL needs its value twice, lists included."""
    with store.db.write() as tx:
        for mid in ("m1", "m2", "m3"):
            tx.execute(st.INSERT_MESSAGE, _message(mid))
    value: object = ["m1", "m3"] if expanding else "m2"
    match = messages.c.id.in_(sa.bindparam("b", expanding=True)) if expanding else messages.c.id == sa.bindparam("b")
    twice = sa.select(messages.c.id).where(match, sa.or_(match, messages.c.sender == sa.bindparam("s")))
    with store.db.read() as conn:
        got = sorted(row.id for row in store.db.driver.execute(conn, twice, {"b": value, "s": "nobody"}).all())
        expected = sorted(row.id for row in conn.execute(twice, {"b": value, "s": "nobody"}).all())
    assert got == expected == (["m1", "m3"] if expanding else ["m2"])


def test_a_constant_in_list_is_spelled_out_once_and_reads_as_sqlalchemy_reads(store: Store) -> None:
    """``status NOT IN (...)`` with a constant list: no list to spell out per call, the same rows as SQLAlchemy."""
    with store.db.write() as tx:
        for mid, status in (("m1", "received"), ("m2", "rejected"), ("m3", "delivered"), ("m4", "duplicate")):
            tx.execute(st.INSERT_MESSAGE, _message(mid, status=status))
    query = (
        sa.select(messages.c.id)
        .where(messages.c.status.not_in(["rejected", "duplicate"]), messages.c.sender == sa.bindparam("s"))
        .order_by(messages.c.id)
    )
    compiled = store.db.driver.statement(query, ["s"])
    assert "POSTCOMPILE" not in compiled.sql
    with store.db.read() as conn:
        got = [row.id for row in store.db.driver.execute(conn, query, {"s": "AGB1"}).all()]
        expected = [row.id for row in conn.execute(query, {"s": "AGB1"}).all()]
    assert got == expected == ["m1", "m3"]


def test_a_parameter_named_like_a_constant_replaces_it_as_in_sqlalchemy(store: Store) -> None:
    """RELEASE_JOBS carries leased_by = NULL; called with a leased_by value, both paths write that value."""
    with store.db.write() as tx:
        tx.execute(st.INSERT_MESSAGE, _message("m1"))
        for stage in ("relay", "map"):
            tx.execute(st.INSERT_JOB, {"message_id": "m1", "stage": stage, "run_after": 1.0})
    mine = sa.select(jobs.c.leased_by).where(jobs.c.message_id == "m1").order_by(jobs.c.id)
    with store.db.read() as conn:
        first, second = conn.execute(sa.select(jobs.c.id).where(jobs.c.message_id == "m1")).scalars().all()
    with store.db.write() as tx:
        tx.execute(st.RELEASE_JOBS, {"b_ids": [first], "leased_by": "kept-by-driver"})
        tx.conn.execute(st.RELEASE_JOBS, {"b_ids": [second], "leased_by": "kept-by-sqlalchemy"})
    with store.db.read() as conn:
        assert conn.execute(mine).scalars().all() == ["kept-by-driver", "kept-by-sqlalchemy"]
    with store.db.write() as tx:
        tx.execute(st.RELEASE_JOBS, {"b_ids": [first, second]})  # without it: the constant again
    with store.db.read() as conn:
        assert conn.execute(mine).scalars().all() == [None, None]


def test_an_empty_constant_in_list_is_refused_when_compiled(store: Store) -> None:
    with pytest.raises(ValueError, match="constant IN list"):
        store.db.driver.statement(sa.select(messages.c.id).where(messages.c.status.in_([])))
