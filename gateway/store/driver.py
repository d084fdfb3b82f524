"""Hot-path statements run straight on the DB-API connection, compiled by SQLAlchemy once per dialect.

A worker runs about a dozen small statements per message. Through ``Connection.execute`` each
cost 15–35 µs of SQLAlchemy bookkeeping (cache key, execution context, result wrapper) against
2–4 µs of SQLite's own work: a third of a worker's time went there. :class:`Driver` keeps
SQLAlchemy for what it is good at, the SQL text and the type conversions, and does the per-call
part itself: the statement is compiled once for the dialect (and for the set of parameter names,
which decides an INSERT's columns or an UPDATE's SET clause), its bind and result processors are
taken from the column types, and each call is one ``cursor.execute`` inside the caller's
transaction.

Still worth its cost, measured 2026-12-07 on SQLite (SQLAlchemy 2.1.9, Python 3.11, a file in WAL
mode, inside an open transaction, per call, median of 7 alternated rounds of 2,000, load 0.4-0.6):
INSERT_JOB 4.2 µs against 19.4 µs through ``Connection.execute``, UPDATE_MESSAGE 6.5 against 21,
READ_MESSAGE 7.9 against 23, READ_MESSAGES of three ids 18 against 44; the same as the runner this one
replaced (which read compiler internals: 4.2, 6.6, 8.0, 18.8 µs in the same runs).
tests/store/test_driver_equivalence.py runs every statement the store sends through here on both
paths, on SQLite and PostgreSQL, and compares rows, types, rowcounts, errors and the tables after.

Only public SQLAlchemy API is used (see the 2.0/2.1 "Core Internals" reference): the statement is
compiled with ``ClauseElement.compile(dialect=..., column_keys=...)``, and
``SQLCompiler.construct_expanded_state`` spells it out once per shape, given a stand-in for each
value a call will pass. The resulting ``ExpandedState`` says where each value goes: its
``statement``, its ``positiontup`` (positional drivers) or its ``parameters``' keys (named ones),
the constants the statement carries among those ``parameters``, the IN lists in
``parameter_expansion`` and their items' ``processors``. A parameter's bind processor comes from
its type (``SQLCompiler.binds``, ``TypeEngine.dialect_impl``, ``TypeEngine.bind_processor``), as
SQLAlchemy's own execution takes it; result processors from ``TypeEngine.result_processor``.

Expanding ``IN`` parameters are spelled out per list length, as SQLAlchemy does. Only the statements
of the pipeline's hot path go through here; everything else keeps ``Connection.execute``.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement

Processor = Callable[[Any], Any] | None
Slot = tuple[str | None, int, Processor, Any]
"""Where one driver parameter's value comes from: (the call's parameter, the item of its list or -1, its bind
processor, None), or (None, -1, None, a constant's value, through its bind processor already)."""
Plan = tuple[str, tuple[str, ...] | None, tuple[Slot, ...]]
"""The SQL of one shape of a statement, its parameter names (None for a positional driver) and their slots."""

CUSTOM_PLAN = "ketenpoort_custom_plan"
"""Execution option: on PostgreSQL plan this statement for each call's values (never a cached generic plan)."""
_MAX_SHAPES = 1024
"""List-length combinations kept per statement (a history query sees up to 500 lengths of one list)."""


class _Given:
    """Stands in for a call's value while SQLAlchemy spells the statement out: where it lands, the value goes."""

    __slots__ = ("index", "name")

    def __init__(self, name: str, index: int = -1) -> None:
        self.name = name
        self.index = index


class DriverResult:
    """What a statement gave back: its rows (named tuples, values as SQLAlchemy would return them) and rowcount."""

    __slots__ = ("rowcount", "rows")

    def __init__(self, rows: list[Any], rowcount: int) -> None:
        """Wrap fetched rows."""
        self.rows = rows
        self.rowcount = rowcount

    def first(self) -> Any | None:
        """The first row, or None."""
        return self.rows[0] if self.rows else None

    def scalar(self) -> Any | None:
        """The first column of the first row, or None."""
        return self.rows[0][0] if self.rows else None

    def all(self) -> list[Any]:
        """Every row."""
        return self.rows


class DriverStatement:
    """One Core statement compiled for one dialect and one set of parameter names.

    What does not change between calls is settled once, here: the SQL, with constant ``IN`` lists
    (``status NOT IN ('rejected', 'duplicate')``) spelled out; the values of the constants the
    statement carries, already through their bind processors; and where each parameter's value goes.
    A call fills in only the parameters it was given.
    """

    def __init__(self, statement: ClauseElement, dialect: Dialect, keys: Iterable[str] | None = None) -> None:
        """Compile ``statement``; ``keys`` are the parameter names it is called with (an INSERT's columns, an
        UPDATE's SET clause). A constant the statement carries is replaced by a parameter of its name in ``keys``.

        A required parameter missing from ``keys``, a literal-execute parameter among them, or an empty constant
        ``IN`` list is refused here (ValueError)."""
        given = frozenset(keys) if keys is not None else frozenset()
        compiled = statement.compile(dialect=dialect, column_keys=sorted(given) if keys is not None else None)
        assert isinstance(compiled, SQLCompiler)
        self._compiled = compiled
        self._dialect = dialect
        self._given = given
        lists = {compiled.bind_names[b] for b in compiled.post_compile_params}
        lists |= {b.key for b in compiled.post_compile_params}
        literal = {compiled.bind_names[b] for b in compiled.literal_execute_params}
        literal |= {b.key for b in compiled.literal_execute_params}
        if given & literal:
            raise ValueError(f"literal-execute parameters {sorted(given & literal)} are rendered per call: use "
                             "Connection.execute")  # fmt: skip
        self._expanding = tuple(sorted(given & lists))
        """The call's lists, in the order of a shape's lengths."""
        self._processors: dict[str, Processor] = {}
        lengths = (1,) * len(self._expanding)
        sql, names, slots = self._plan(lengths)
        self.sql = sql if not self._expanding else compiled.string
        """The SQL as run; with IN-list parameters, as compiled (each call spells its lists out)."""
        self._by_lengths: dict[tuple[int, ...], Plan] = {lengths: (sql, names, slots)} if self._expanding else {}
        self._positional = names is None
        self._names = list(dict.fromkeys(name for name, _, _, _ in slots if name is not None))
        """The parameters a call gives that the statement uses, each once."""
        self._pairs = tuple((name, process) for name, _, process, _ in slots if name is not None)  # SQL order
        self._plain = not self._expanding and len(self._pairs) == len(slots)  # no constants
        # positional: the values in SQL order with the constants in place, and the slots a call fills in
        self._template = [constant for _, _, _, constant in slots]
        self._fill = tuple((i, name, process) for i, (name, _, process, _) in enumerate(slots) if name is not None)
        # named: the parameters' names in the SQL, and the constants under theirs
        named = tuple(zip(names, slots, strict=True)) if names is not None else ()
        self._keys = tuple(key for key, (name, _, _, _) in named if name is not None)
        self._constant_named = {key: constant for key, (name, _, _, constant) in named if name is None}
        self._columns = _returned(statement)
        # psycopg prepares a statement on the server after a few calls, and PostgreSQL then keeps a generic plan
        # it may have made while the table was nearly empty: the identification lookup of the history picked an
        # index on the sender alone that way (1.9 ms a call at 20,000 messages, against 0.02). A statement marked
        # CUSTOM_PLAN is sent unprepared, so each call is planned for its own values.
        custom = (
            bool(statement.get_execution_options().get(CUSTOM_PLAN)) if isinstance(statement, Executable) else False
        )
        self._execute_kw: dict[str, Any] = {"prepare": False} if custom and dialect.name == "postgresql" else {}
        self._returns = bool(self._columns)
        self._row: Callable[..., Any] | None = None  # named as the cursor names the columns, at the first call
        self._results: list[Processor] | None = None  # from the driver's column types, at the first call
        self._plain_rows = False

    def _plan(self, lengths: tuple[int, ...]) -> Plan:
        """The statement spelled out by SQLAlchemy for lists of these lengths, and where each value comes from."""
        probe: dict[str, Any] = {name: _Given(name) for name in self._given}
        for name, length in zip(self._expanding, lengths, strict=True):
            probe[name] = [_Given(name, i) for i in range(length)]
        try:
            state = self._compiled.construct_expanded_state(probe)
        except sa.exc.InvalidRequestError as exc:  # "A value is required for bind parameter 'b_id'"
            raise ValueError(exc.args[0] if exc.args else str(exc)) from exc
        names = state.positiontup
        keys = tuple(names) if names is not None else tuple(state.parameters)
        items = {key: name for name, expanded in state.parameter_expansion.items() for key in expanded}
        if any(not expanded for name, expanded in state.parameter_expansion.items() if name not in probe):
            raise ValueError("a constant IN list needs at least one value")
        slots: list[Slot] = []
        for key in keys:
            value = state.parameters[key]
            process = state.processors.get(key) if key in items else self._processor(key)
            if isinstance(value, _Given):
                slots.append((value.name, value.index, process, None))
            else:
                slots.append((None, -1, None, value if process is None else process(value)))
        return state.statement, (None if names is not None else keys), tuple(slots)

    def _processor(self, key: str) -> Processor:
        """The bind processor of the parameter ``key``, from its type, as SQLAlchemy's execution takes it."""
        if key not in self._processors:
            bind = self._compiled.binds.get(key)
            if bind is None:  # only a name SQLAlchemy escapes (quotes, dots, brackets) differs from its bind's
                raise ValueError(f"parameter {key!r}: a name SQLAlchemy escapes is not supported here")
            self._processors[key] = bind.type.dialect_impl(self._dialect).bind_processor(self._dialect)
        return self._processors[key]

    def execute(self, raw: Any, params: Mapping[str, Any]) -> DriverResult:
        """Run on the driver connection ``raw`` inside its open transaction."""
        sql, values = self._bind(params)
        cursor = raw.cursor()
        try:
            cursor.execute(sql, values, **self._execute_kw)
            rows = self._rows(cursor.fetchall(), cursor.description) if self._returns else []
            return DriverResult(rows, cursor.rowcount)
        finally:
            cursor.close()

    def executemany(self, raw: Any, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run once per parameter set in ``rows`` (no expanding parameters, nothing returned)."""
        if not rows:
            return
        if self._expanding or self._returns:
            raise ValueError("executemany takes no expanding parameters and returns nothing")
        bound = [self._bind(params)[1] for params in rows]
        cursor = raw.cursor()
        try:
            cursor.executemany(self.sql, bound)
        finally:
            cursor.close()

    def _bind(self, params: Mapping[str, Any]) -> tuple[str, Any]:
        """The SQL and its values: each parameter through its type's bind processor (None too, as SQLAlchemy
        does), the constants as settled at compile time."""
        try:
            if self._plain:  # one comprehension: this runs for most statements of the hot path
                values = [params[name] if process is None else process(params[name]) for name, process in self._pairs]
                return self.sql, values if self._positional else dict(zip(self._keys, values, strict=True))
            if self._expanding:
                return self._bind_expanding(params)
            if self._positional:
                filled = self._template.copy()
                for i, name, process in self._fill:
                    value = params[name]
                    filled[i] = value if process is None else process(value)
                return self.sql, filled
            named = dict(self._constant_named)
            for key, (name, process) in zip(self._keys, self._pairs, strict=True):
                value = params[name]
                named[key] = value if process is None else process(value)
            return self.sql, named
        except KeyError:
            self._require(params)
            raise

    def _require(self, params: Mapping[str, Any]) -> None:
        """Name the first parameter without a value (a KeyError raised by a processor passes through)."""
        for name in self._names:
            if name not in params:
                raise ValueError(f"a value is required for parameter {name!r}") from None

    def _bind_expanding(self, params: Mapping[str, Any]) -> tuple[str, Any]:
        """Spell out each list given as a parameter: one placeholder per item (an empty list is an error)."""
        lists = {name: list(params[name] or ()) for name in self._expanding}
        if not all(lists.values()):
            raise ValueError("an expanding IN parameter needs at least one value")
        lengths = tuple(len(items) for items in lists.values())
        plan = self._by_lengths.get(lengths)
        if plan is None:
            if len(self._by_lengths) >= _MAX_SHAPES:
                self._by_lengths.clear()
            plan = self._by_lengths[lengths] = self._plan(lengths)
        sql, keys, slots = plan
        values: list[Any] = []
        for name, index, process, constant in slots:
            if name is None:
                values.append(constant)
                continue
            value = params[name] if index < 0 else lists[name][index]
            values.append(value if process is None else process(value))
        return sql, values if keys is None else dict(zip(keys, values, strict=True))

    def _rows(self, fetched: list[Any], description: Sequence[Any]) -> list[Any]:
        if self._row is None:  # the names SQLAlchemy's rows have: the labels it rendered (``max_1``, ``id__1``)
            self._row = namedtuple("Row", [str(info[0]) for info in description], rename=True)  # type: ignore[misc]
        make = self._row
        if self._results is None:  # PostgreSQL's processors depend on the type the server reports
            self._results = [
                column.type.dialect_impl(self._dialect).result_processor(self._dialect, info[1])
                for column, info in zip(self._columns, description, strict=True)
            ]
            self._plain_rows = all(p is None for p in self._results)
        if self._plain_rows:
            return [make(*row) for row in fetched]
        processors = self._results
        return [make(*(v if p is None else p(v) for p, v in zip(processors, row, strict=True))) for row in fetched]


def _returned(statement: ClauseElement) -> list[Any]:
    """The columns a SELECT or a DML ... RETURNING gives back, in order."""
    if isinstance(statement, sa.Select | sa.TextualSelect):  # a SELECT, or text with its .columns() named
        return list(statement.selected_columns)
    if isinstance(statement, sa.UpdateBase):  # its RETURNING columns, none without
        return list(statement.exported_columns)
    return []


def _wrapped(dialect: Dialect, exc: BaseException, statement: str, invalidated: bool) -> sa.exc.DBAPIError:
    """``exc`` in SQLAlchemy's class of its PEP 249 name (IntegrityError, OperationalError, ...), as SQLAlchemy
    wraps a driver error: the nearest class in the driver's hierarchy that ``sqlalchemy.exc`` names."""
    renamed = dialect.dbapi_exception_translation_map
    for cls in type(exc).__mro__:
        found = getattr(sa.exc, renamed.get(cls.__name__, cls.__name__), None)
        if isinstance(found, type) and issubclass(found, sa.exc.DBAPIError):
            return found(statement, None, exc, connection_invalidated=invalidated)
    return sa.exc.DBAPIError(statement, None, exc, connection_invalidated=invalidated)


class Driver:
    """Runs prebuilt statements on the driver connection behind a SQLAlchemy ``Connection``."""

    def __init__(self, dialect: Dialect) -> None:
        """Statements are compiled on first use, per (statement, parameter names)."""
        self._dialect = dialect
        self._compiled: dict[tuple[int, frozenset[str]], tuple[ClauseElement, DriverStatement]] = {}

    @property
    def dialect_name(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return str(self._dialect.name)

    def statement(self, statement: ClauseElement, keys: Iterable[str] = ()) -> DriverStatement:
        """``statement`` compiled for calls with the parameter names ``keys``."""
        names = frozenset(keys)
        key = (id(statement), names)
        found = self._compiled.get(key)
        if found is None:
            found = (statement, DriverStatement(statement, self._dialect, names))  # keeps ``statement`` alive
            self._compiled[key] = found
        return found[1]

    def execute(
        self, conn: sa.Connection, statement: ClauseElement, params: Mapping[str, Any] | None = None
    ) -> DriverResult:
        """Run ``statement`` once inside ``conn``'s transaction."""
        params = params or {}
        compiled = self.statement(statement, params)
        try:
            return compiled.execute(conn.connection.driver_connection, params)
        except self._dialect.loaded_dbapi.Error as exc:
            raise self._translated(conn, compiled, exc) from exc

    def executemany(self, conn: sa.Connection, statement: ClauseElement, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run ``statement`` once per row (all rows with the same parameter names)."""
        if not rows:
            return
        compiled = self.statement(statement, rows[0])
        try:
            compiled.executemany(conn.connection.driver_connection, rows)
        except self._dialect.loaded_dbapi.Error as exc:
            raise self._translated(conn, compiled, exc) from exc

    def _translated(self, conn: sa.Connection, compiled: DriverStatement, exc: Any) -> sa.exc.DBAPIError:
        """A driver error as SQLAlchemy raises it (IntegrityError, OperationalError, ...); a lost connection
        is invalidated so the pool does not hand it out again."""
        lost = self._dialect.is_disconnect(exc, conn.connection.driver_connection, None)
        if lost:
            conn.invalidate(exc)
        return _wrapped(self._dialect, exc, compiled.sql, lost)


__all__ = ["CUSTOM_PLAN", "Driver", "DriverResult", "DriverStatement"]
