"""Every statement the store sends through the Driver does what SQLAlchemy's own ``Connection.execute`` does.

On SQLite (a file) and PostgreSQL, each statement runs twice on the same seeded database, each time in a
transaction of its own that is rolled back after: once through :class:`gateway.store.driver.Driver`, once
through ``Connection.execute``. Compared: the SQL and the parameter values that reach the DB-API cursor, the
rows (values, their types, the column names), the rowcount, the tables afterwards as the database stores them
(read raw, so a JSON text or a timestamp's text form counts), and for a failing statement the error's class.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

import pytest
import sqlalchemy as sa

from gateway.pseudonym import Pseudonymiser
from gateway.store import Store, audit_chain, history
from gateway.store import statements as st
from gateway.store.schema import audit_events, audit_head, deliveries, facts, jobs, messages
from tests.support.databases import BACKENDS, TEST_PSEUDONYM_KEY, url_for

AT = datetime(2026, 3, 1, 12, 30, 15, 123456, tzinfo=UTC)
LATER = AT + timedelta(hours=5)
TABLES = (messages, jobs, facts, deliveries, audit_events, audit_head)
"""The tables the driver's statements write."""


def _message(mid: str, **over: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": mid, "sender": "AGB1", "receiver": "0034", "standard": "ijw", "type": "JW301", "version": "3.2",
        "external_id": f"E-{mid}", "idempotency_key": None, "source": "test", "status": "accepted",
        "payload": f"<{mid}/>".encode(), "payload_sha256": mid * 16, "payload_size": len(mid) + 3,
        "declaratienummer": None, "resend_of": None, "basisschema_xsd": None, "bericht_xsd": None,
        "findings": [{"rule": "TR056", "message": "tekst é"}], "relay_attempts": 0, "received_at": AT,
        "updated_at": AT,
    }  # fmt: skip
    row.update(over)
    return row


def _fact(mid: str, kind: str, **over: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "message_id": mid, "kind": kind, "client": "p-1", "aanbieder": "AGB1", "gemeente": "0034",
        "productcategorie": "45", "productcode": "45A01", "cbs_hulpvorm": None, "begindatum": date(2026, 1, 1),
        "einddatum": date(2026, 6, 30), "volume": 5, "eenheid": "04", "bedrag_cent": None, "toewijzingnummer": "T1",
        "referentienummer": None, "woongemeente": None, "financiering": "gemeente", "declared_at": None,
        "status_aanlevering": None, "reden": None,
    }  # fmt: skip
    row.update(over)
    return row


def _job(job_id: int, mid: str, stage: str, run_after: float, **over: Any) -> dict[str, Any]:
    row: dict[str, Any] = {"id": job_id, "message_id": mid, "stage": stage, "run_after": run_after, "attempts": 0,
                           "lease_until": 0.0, "leased_by": None, "last_error": None, "done": False}  # fmt: skip
    row.update(over)
    return row


def _seed(store: Store) -> None:
    """Through SQLAlchemy only: what the driver is compared with must not have written the data. (The first
    migration leaves a retention job, id 1: the seeded jobs are 101 on.)"""
    unset = {"finding_counts": None, "first_attempt_at": None}
    with store.db.engine.begin() as conn:
        conn.execute(messages.insert(), [{**unset, **row} for row in [
            _message("m1", idempotency_key="K-1", finding_counts={"TR056": 3}, external_id="E-1"),
            _message("m2", type="JW323", external_id="E-2", declaratienummer="D-2", basisschema_xsd="1.0",
                     bericht_xsd="1.1", received_at=AT + timedelta(hours=1)),
            _message("m3", sender="0034", receiver="AGB1", standard="stuf-jz", type="JZ301", external_id="R-3",
                     status="received", findings=[]),
            _message("m4", external_id="E-1", resend_of="m1", status="rejected", payload=None),
            _message("m5", status="relaying", relay_attempts=2, first_attempt_at=100.5, receiver=None),
        ]])  # fmt: skip
        conn.execute(jobs.insert(), [
            _job(101, "m1", "validate", 10.0),
            _job(102, "m2", "map", 20.0),
            _job(103, "m3", "relay", 5.0, lease_until=1.0e12, leased_by="w-9"),
            _job(104, "m5", "relay", 1.0, done=True),
            _job(105, "m3", "validate", 30.0),
            _job(106, "m4", "map", 15.0, lease_until=50.0, leased_by="w-2"),
        ])  # fmt: skip
        conn.execute(facts.insert(), [
            _fact("m1", "toewijzing"),
            _fact("m1", "toewijzing", toewijzingnummer="T2", einddatum=None, reden="01"),
            _fact("m1", "start", status_aanlevering="1"),
            _fact("m1", "stop", begindatum=date(2026, 2, 1), status_aanlevering="1"),
            _fact("m1", "verzoek", referentienummer="R1", toewijzingnummer=None),
            _fact("m3", "antwoord", referentienummer="R1", client="p-2", toewijzingnummer=None),
            _fact("m2", "prestatie", referentienummer="P1", bedrag_cent=1000, declared_at=AT),
            _fact("m2", "prestatie", referentienummer="P2", bedrag_cent=-250, begindatum=date(2026, 3, 1),
                  einddatum=None, declared_at=AT),
        ])  # fmt: skip
        conn.execute(deliveries.insert(), {"message_id": "m5", "attempt": 1, "status_code": 503, "latency_ms": 12.5,
                                           "verdict": "retry", "error": "unavailable", "at": AT})  # fmt: skip


@pytest.fixture(scope="module", params=BACKENDS)
def seeded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """One migrated, seeded store per backend: every statement runs in a transaction that is rolled back."""
    urls = url_for(request.param, tmp_path_factory.mktemp("driver-equivalence"))
    store = Store.open(next(urls), migrate=True, pseudonymiser=Pseudonymiser(TEST_PSEUDONYM_KEY))
    try:
        _seed(store)
        yield store
    finally:
        store.close()
        urls.close()  # drops the PostgreSQL database


@dataclass(frozen=True)
class Case:
    """A statement the store runs through the driver, with parameters as the store passes them."""

    name: str
    statement: Callable[[Store], Any]
    params: Mapping[str, Any] | Sequence[Mapping[str, Any]] = field(default_factory=dict)
    many: bool = False
    empty: bool = False
    """It is meant to find or change nothing here (the comparison alone would pass on two empty results)."""
    fails: bool = False
    """It is meant to fail: both paths must raise the same SQLAlchemy error."""


def _at(statement: Any) -> Callable[[Store], Any]:
    return lambda _store: statement


def _finish_then(store: Store) -> Any:
    """PostgreSQL folds the finish and the next jobs into one statement; SQLite runs FINISH_JOB, then INSERT_JOB."""
    return st.FINISH_JOB if store.db.driver.dialect_name == "sqlite" else st.FINISH_JOB_THEN_PG


def _audit_insert(store: Store) -> Any:
    return audit_chain._INSERT_TEXT if store.db.driver.dialect_name == "sqlite" else audit_chain._INSERT


def _audit_rows(store: Store) -> list[dict[str, Any]]:
    as_text = store.db.driver.dialect_name == "sqlite"
    rows = []
    for seq, data in ((1, {"findings": 2, "rules": ["TR056"]}), (2, {"retour": None, "tekst": "é"})):
        value: Any = audit_chain.compact_json(data) if as_text else data
        rows.append(
            {
                "seq": seq,
                "at": AT,
                "message_id": "m1",
                "event": "message.accepted",
                "actor": "system",
                "data_text" if as_text else "data": value,
                "prev_hash": "0" * 64,
                "hash": f"{seq}" * 64,
            }
        )
    return rows


_INTAKE = _message("m6", idempotency_key="K-6", status="received", resend_of="m1", basisschema_xsd="3.2",
                   bericht_xsd="3.2.1", received_at=LATER, updated_at=LATER)  # fmt: skip
_DELIVERY = {"message_id": "m5", "attempt": 3, "status_code": 200, "latency_ms": 8.25, "verdict": "delivered",
             "error": None, "at": LATER}  # fmt: skip
_RELAYED = {"b_id": "m5", "b_first": 200.5, "status": "delivered", "relay_attempts": 3, "updated_at": LATER,
            "delivered_at": LATER}  # fmt: skip
_STAGES = ["validate", "map"]
_CLAIM = {"b_stages": _STAGES, "b_now": 100.0, "b_lease_until": 130.0, "b_worker": "w-1", "b_limit": 2}
_P = history._PRESTATIES
_CONSTANTS = (
    messages.update()
    .where(messages.c.id == sa.bindparam("b_id"), messages.c.received_at.in_([AT, LATER]))
    .values(updated_at=LATER, finding_counts={"TR056": 1}, retour=b"<r/>")
)

CASES = [
    # intake (gateway/store/intake.py)
    Case("BY_EXTERNAL_ID", _at(st.BY_EXTERNAL_ID), {"b_sender": "AGB1", "b_type": "JW301", "b_value": "E-1"}),
    Case("BY_STUF_REFERENTIE", _at(st.BY_STUF_REFERENTIE), {"b_sender": "0034", "b_value": "R-3"}),
    Case("BY_IDEMPOTENCY_KEY", _at(st.BY_IDEMPOTENCY_KEY), {"b_sender": "AGB1", "b_value": "K-1"}),
    Case("BY_IDEMPOTENCY_KEY-none", _at(st.BY_IDEMPOTENCY_KEY), {"b_sender": "AGB1", "b_value": "K-9"}, empty=True),
    Case("INSERT_MESSAGE", _at(st.INSERT_MESSAGE), _INTAKE),
    Case("INSERT_MESSAGE-duplicate-id", _at(st.INSERT_MESSAGE), _message("m1"), fails=True),
    Case("INSERT_MESSAGE-no-status", _at(st.INSERT_MESSAGE), {**_INTAKE, "status": None}, fails=True),
    # the queue (gateway/store/queue.py, tx.py)
    Case("INSERT_JOB", _at(st.INSERT_JOB), {"message_id": "m6", "stage": "validate", "run_after": 1234.5}),
    Case("INSERT_JOB-no-stage", _at(st.INSERT_JOB), {"message_id": "m6", "stage": None, "run_after": 1.0}, fails=True),
    Case("DUE", _at(st.DUE), {"b_stages": _STAGES, "b_now": 100.0}),
    Case("DUE-one-stage", _at(st.DUE), {"b_stages": ["map"], "b_now": 100.0}),
    Case("DUE-nothing", _at(st.DUE), {"b_stages": ["retour"], "b_now": 100.0}, empty=True),
    Case("claim_statement", lambda store: store.db.claim_statement, _CLAIM),
    Case(
        "claim_statement-three", lambda store: store.db.claim_statement, {**_CLAIM, "b_stages": ["map"], "b_limit": 3}
    ),
    Case("FINISH_JOB", _at(st.FINISH_JOB), {"b_id": 101}),
    Case("FINISH_JOB-done", _at(st.FINISH_JOB), {"b_id": 104}, empty=True),
    Case("FINISH_JOB_THEN", _finish_then, {"b_id": 101, "b_wall": 5.0, "b_mid": "m1", "b_stages": ["retour", "map"]}),
    Case(
        "FINISH_JOB_THEN-done",
        _finish_then,
        {"b_id": 104, "b_wall": 5.0, "b_mid": "m5", "b_stages": ["relay"]},
        empty=True,
    ),
    Case("RELEASE_JOBS", _at(st.RELEASE_JOBS), {"b_ids": [103, 106]}),
    Case("RELEASE_JOBS-leased_by", _at(st.RELEASE_JOBS), {"b_ids": [103], "leased_by": "named-like-the-constant"}),
    Case("DEFER_JOBS", _at(st.DEFER_JOBS), {"b_ids": [101, 102, 104], "b_until": 150.05}),
    Case("ORDERED_UP_TO", _at(st.ORDERED_UP_TO), {"b_ids": [102, 105], "b_stages": ["map", "validate"]}),
    Case("ORDERED_UP_TO-one", _at(st.ORDERED_UP_TO), {"b_ids": [101], "b_stages": ["map", "validate"]}),
    Case("READ_MESSAGE", _at(st.READ_MESSAGE), {"b_id": "m5"}),
    Case("READ_MESSAGES", _at(st.READ_MESSAGES), {"b_ids": ["m1", "m3", "m4", "m9"]}),
    Case("PAYLOAD_SIZES", _at(st.PAYLOAD_SIZES), {"b_ids": ["m1", "m2"]}),
    # outcomes (gateway/store/outcomes.py, retours.py)
    Case(
        "UPDATE_MESSAGE-validated",
        _at(st.UPDATE_MESSAGE),
        {
            "b_id": "m3",
            "status": "rejected",
            "findings": [{"rule": "TR301"}],
            "finding_counts": {"TR301": 1},
            "retour": b"<retour/>",
            "updated_at": LATER,
        },
    ),
    Case("UPDATE_MESSAGE-dead", _at(st.UPDATE_MESSAGE), {"b_id": "m5", "status": "dead", "updated_at": LATER}),
    Case(
        "UPDATE_MESSAGE-no-status",
        _at(st.UPDATE_MESSAGE),
        {"b_id": "m5", "status": None, "updated_at": LATER},
        fails=True,
    ),
    Case("UPDATE_RELAYED", _at(st.UPDATE_RELAYED), _RELAYED),
    Case(
        "UPDATE_RELAYED-unattempted",
        _at(st.UPDATE_RELAYED),
        {"b_id": "m1", "b_first": None, "status": "relaying", "relay_attempts": 0, "updated_at": LATER},
    ),
    Case("INSERT_DELIVERY", _at(st.INSERT_DELIVERY), _DELIVERY),
    Case("deliveries.insert (retours)", lambda _store: deliveries.insert(), {**_DELIVERY, "verdict": "retour-ok"}),
    Case(
        "INSERT_FACT (many)",
        _at(st.INSERT_FACT),
        [
            _fact("m2", "prestatie", referentienummer="P3", bedrag_cent=7),
            _fact("m2", "prestatie", client="p-3", einddatum=None, declared_at=LATER),
        ],
        many=True,
    ),
    # the audit chain (gateway/store/audit_chain.py)
    Case("audit _HEAD_FOR_UPDATE", _at(audit_chain._HEAD_FOR_UPDATE)),
    Case("audit _INSERT (many)", _audit_insert, (), many=True),
    Case("audit _HEAD_MOVE", _at(audit_chain._HEAD_MOVE), {"seq": 2, "hash": "2" * 64}),
    # the message history (gateway/store/history.py)
    Case("_SEEN_IDENTIFICATIE", _at(history._SEEN_IDENTIFICATIE), {"s": "AGB1", "v": "E-1", "x": "m9", "t": None}),
    Case(
        "_SEEN_IDENTIFICATIE-type", _at(history._SEEN_IDENTIFICATIE), {"s": "AGB1", "v": "E-1", "x": "m9", "t": "JW301"}
    ),
    Case("_SEEN_DECLARATIE", _at(history._SEEN_DECLARATIE), {"s": "AGB1", "v": "D-2", "x": ""}),
    Case("_DECLARATIE_XSD", _at(history._DECLARATIE_XSD), {"s": "AGB1", "v": "E-2", "x": ""}),
    Case("_TOEGEWEZEN", _at(history._TOEGEWEZEN), {"g": "0034", "a": "AGB1", "v": ["T1", "T2", "T9"]}),
    Case("_VAN_CLIENT", _at(history._VAN_CLIENT), {"g": "0034", "a": "AGB1", "c": "p-1"}),
    Case("_GEDECLAREERD", _at(history._GEDECLAREERD), {"g": "0034", "a": "AGB1", "v": ["T1"], "x": "m9"}),
    Case("_LAATSTE_PERIODE", _at(history._LAATSTE_PERIODE), {"g": "0034", "a": "AGB1", "t": LATER, "x": "m9"}),
    Case("_REGIE", _at(history._REGIE), {"g": "0034", "a": "AGB1", "v": ["T1", "T2"], "x": "m9"}),
    Case("_REFERENTIES", _at(history._REFERENTIES), {"a": "AGB1", "v": ["R1"], "x": "m9"}),
    Case("_VERZOEKEN_VAN", _at(history._VERZOEKEN_VAN), {"a": "AGB1", "v": ["p-1", "p-2"], "x": "m9"}),
    Case("_PRESTATIES-referentienummer", _at(_P[("referentienummer", False)]), {"a": "AGB1", "v": ["P1", "P2"]}),
    Case("_PRESTATIES-referentienummer-x", _at(_P[("referentienummer", True)]), {"a": "AGB1", "v": ["P2"], "x": "m9"}),
    Case("_PRESTATIES-toewijzingnummer", _at(_P[("toewijzingnummer", False)]), {"a": "AGB1", "v": ["T1"]}),
    Case("_PRESTATIES-toewijzingnummer-x", _at(_P[("toewijzingnummer", True)]), {"a": "AGB1", "v": ["T1"], "x": "m9"}),
    # not the store's: constants whose types have bind processors (the store's constants have none today)
    Case("constants through their processors", _at(_CONSTANTS), {"b_id": "m1"}),
]


@dataclass
class Outcome:
    """What one path gave: what reached the cursor, rows, rowcount, the tables after; or the error it raised."""

    # rowcount: compared for an UPDATE without RETURNING, where SQLAlchemy promises it. Elsewhere it differs on
    # purpose: for a SELECT and for an INSERT on PostgreSQL SQLAlchemy reports -1 where psycopg counts the rows;
    # with RETURNING on SQLite it reports 0 (read before the rows are fetched) where the driver, reading it after,
    # has the real count, which is checked against the rows instead.

    sent: list[tuple[str, Any]]
    rows: list[tuple[tuple[Any, type], ...]]
    fields: tuple[str, ...] | None
    rowcount: int | None
    tables: dict[str, list[tuple[Any, ...]]]
    error: tuple[type, type] | None = None


class _RecordingCursor:
    def __init__(self, cursor: Any, sent: list[tuple[str, Any]]) -> None:
        self._cursor, self._sent = cursor, sent

    def execute(self, sql: str, values: Any = None, **options: Any) -> Any:
        self._sent.append((sql, _comparable(values)))
        return self._cursor.execute(sql, values, **options)  # psycopg's prepare=False: a CUSTOM_PLAN statement

    def executemany(self, sql: str, rows: Any) -> Any:
        self._sent.append((sql, [_comparable(values) for values in rows]))
        return self._cursor.executemany(sql, rows)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cursor, name)


class _RecordingRaw:
    """The DB-API connection, its cursors writing down what they are sent."""

    def __init__(self, raw: Any, sent: list[tuple[str, Any]]) -> None:
        self._raw, self._sent = raw, sent

    def cursor(self) -> _RecordingCursor:
        return _RecordingCursor(self._raw.cursor(), self._sent)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)


class _Recorded:
    """A ``Connection`` as the Driver uses it (``.connection.driver_connection``, ``.invalidate``), recording."""

    def __init__(self, conn: sa.Connection, sent: list[tuple[str, Any]]) -> None:
        self._conn = conn
        self.driver_connection = _RecordingRaw(conn.connection.driver_connection, sent)

    @property
    def connection(self) -> _Recorded:
        return self

    def invalidate(self, exc: BaseException | None = None) -> None:
        self._conn.invalidate(exc)


def _comparable(values: Any) -> Any:
    """Parameter values as compared: a sequence as a list, each value with its type, a driver's wrapper (psycopg's
    Json, Binary) as its type and object (it has no equality of its own)."""

    def one(value: Any) -> Any:
        if type(value).__module__.startswith("psycopg") and hasattr(value, "obj"):  # Json, Binary
            return (type(value), value.obj)
        return (type(value), value)  # True is not 1

    if isinstance(values, Mapping):
        return {key: one(value) for key, value in values.items()}
    return [one(value) for value in values or ()]


def _same_start(conn: sa.Connection) -> None:
    """PostgreSQL: the id sequences as the tables stand (a rolled-back insert does not give its id back; the
    seeded rows set theirs), so both paths' inserts get the same ids, as on SQLite."""
    if conn.dialect.name != "postgresql":
        return
    for table in TABLES:
        column = table.autoincrement_column
        if column is not None:
            conn.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'), "
                f"(SELECT coalesce(max({column.name}), 0) + 1 FROM {table.name}), false)"
            )


def _tables(conn: sa.Connection) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the written tables as the driver reads it back, untyped (SQLite: the stored text itself)."""
    out = {}
    for table in TABLES:
        order = ", ".join(c.name for c in table.primary_key.columns)
        out[table.name] = [tuple(r) for r in conn.exec_driver_sql(f"SELECT * FROM {table.name} ORDER BY {order}")]
    return out


def _typed(row: Any) -> tuple[tuple[Any, type], ...]:
    return tuple((value, type(value)) for value in row)


def _run(store: Store, case: Case, through_driver: bool) -> Outcome:
    statement = case.statement(store)
    params: Any = _audit_rows(store) if case.name.startswith("audit _INSERT") else case.params
    sent: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, sql: str, values: Any, _context: Any, many: bool) -> None:
        sent.append((sql, [_comparable(v) for v in values] if many else _comparable(values)))

    with store.db.engine.connect() as conn:
        trans = conn.begin()
        try:
            _same_start(conn)
            sa.event.listen(conn, "before_cursor_execute", record)
            try:
                rows: list[Any] = []
                fields: tuple[str, ...] | None = None
                rowcount: int | None = None
                if through_driver:
                    recorded = cast(sa.Connection, _Recorded(conn, sent))
                    if case.many:
                        store.db.driver.executemany(recorded, statement, params)
                    else:
                        result = store.db.driver.execute(recorded, statement, params)
                        rows, rowcount = result.all(), result.rowcount
                        fields = rows[0]._fields if rows else None
                elif case.many:
                    conn.execute(statement, params)
                else:
                    found = conn.execute(statement, params)
                    rows = found.all() if found.returns_rows else []
                    rowcount = found.rowcount
                    fields = tuple(found.keys()) if rows else None
            except sa.exc.DBAPIError as exc:
                return Outcome([], [], None, None, {}, (type(exc), type(exc.orig)))
            finally:
                sa.event.remove(conn, "before_cursor_execute", record)
            typed = sorted((_typed(row) for row in rows), key=repr)  # an unordered query: the same rows
            return Outcome(sent, typed, fields, rowcount, _tables(conn))
        finally:
            trans.rollback()


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_the_driver_does_what_sqlalchemy_does(seeded: Store, case: Case) -> None:
    """Same SQL and values on the wire, same rows and types and names, same rowcount, same tables, same error."""
    driver = _run(seeded, case, through_driver=True)
    sqlalchemy = _run(seeded, case, through_driver=False)
    if case.fails:
        assert driver.error is not None and driver.error == sqlalchemy.error
        assert issubclass(driver.error[0], sa.exc.IntegrityError)
        return
    assert driver.error is None and sqlalchemy.error is None
    if not case.many:  # SQLAlchemy may batch an executemany into one INSERT (PostgreSQL's insertmanyvalues)
        assert driver.sent == sqlalchemy.sent
        assert len(driver.sent) == 1
    assert driver.rows == sqlalchemy.rows
    assert driver.fields == sqlalchemy.fields
    statement = case.statement(seeded)
    if isinstance(statement, sa.UpdateBase) and statement.exported_columns:
        assert driver.rowcount == len(driver.rows)
    elif isinstance(statement, sa.Update):
        assert driver.rowcount == sqlalchemy.rowcount
    elif isinstance(statement, sa.Insert) and not case.many:
        assert driver.rowcount == 1
    assert driver.tables == sqlalchemy.tables
    with seeded.db.engine.connect() as conn:
        before = _tables(conn)
    changed = driver.tables != before
    assert case.empty == (not driver.rows and not changed), "the case compares nothing: fix its data"


def test_every_statement_the_store_sends_through_the_driver_has_a_case(seeded: Store) -> None:
    """A statement added to the hot path joins the comparison above (the statements module, the history's
    queries, the audit chain's, the claim statement of each backend)."""
    covered = {id(case.statement(seeded)) for case in CASES}
    per_backend = ("_INSERT", "_INSERT_TEXT")  # the audit chain's insert: one of them per backend, below
    modules = [(st, st.__all__), (history, dir(history)), (audit_chain, dir(audit_chain))]
    for module, names in modules:
        for name in names:
            statement = getattr(module, name)
            if module is st and name.endswith("_PG") and seeded.db.driver.dialect_name != "postgresql":
                continue  # PostgreSQL's own statement: its case runs on PostgreSQL
            if isinstance(statement, sa.Executable) and not (module is audit_chain and name in per_backend):
                assert id(statement) in covered, f"{module.__name__}.{name} has no case"
    for statement in history._PRESTATIES.values():
        assert id(statement) in covered
    assert id(seeded.db.claim_statement) in covered
    assert id(_audit_insert(seeded)) in covered
