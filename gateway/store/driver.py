"""Hot-path statements run straight on the DB-API connection, compiled by SQLAlchemy once per dialect.

A worker runs about a dozen small statements per message. Through ``Connection.execute`` each
cost 15–35 µs of SQLAlchemy bookkeeping (cache key, execution context, result wrapper) against
2–4 µs of SQLite's own work: a third of a worker's time went there. :class:`Driver` keeps
SQLAlchemy for what it is good at, the SQL text and the type conversions, and does the per-call
part itself: the statement is compiled once for the dialect (and for the set of parameter names,
which decides an INSERT's columns or an UPDATE's SET clause), its bind and result processors are
taken from the column types, and each call is one ``cursor.execute`` inside the caller's
transaction.

Expanding ``IN`` parameters are spelled out per list length, as SQLAlchemy does. Only the statements
of the pipeline's hot path go through here; everything else keeps ``Connection.execute``.
"""

from __future__ import annotations

import re
from collections import namedtuple
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement

_POSTCOMPILE = re.compile(r"__\[POSTCOMPILE_(\w+)\]")
_PYFORMAT = re.compile(r"%\((\w+)\)s")

Processor = Callable[[Any], Any] | None


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
        UPDATE's SET clause). A constant the statement carries is replaced by a parameter of its name in ``keys``."""
        given = frozenset(keys) if keys is not None else frozenset()
        compiled = statement.compile(dialect=dialect, column_keys=sorted(keys) if keys is not None else None)
        assert isinstance(compiled, SQLCompiler)
        self._positional = bool(compiled.positional)
        names = list(compiled.positiontup or []) if self._positional else _names_in(compiled.string)
        binds = compiled.binds
        process: dict[str, Processor] = {
            name: binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
        }
        constants = {
            name: binds[name].value for name in dict.fromkeys(names) if not _required(binds[name]) and name not in given
        }
        lists = {name: list(value or ()) for name, value in constants.items() if binds[name].expanding}
        if not all(lists.values()):
            raise ValueError("a constant IN list needs at least one value")
        self.sql = _POSTCOMPILE.sub(
            lambda m: self._placeholders(m.group(1), len(lists[m.group(1)])) if m.group(1) in lists else m.group(0),
            compiled.string,
        )
        """The SQL as compiled, constant lists spelled out (a list passed as a parameter is spelled out per call)."""

        def bound(name: str, value: Any) -> Any:
            found = process[name]
            return value if found is None else found(value)

        fixed = {name: [bound(name, v) for v in lists.get(name, [value])] for name, value in constants.items()}
        self._names = [name for name in dict.fromkeys(names) if name not in constants]
        """The parameters a call must give, each once."""
        self._expanding = frozenset(name for name in self._names if binds[name].expanding)
        self._pairs = tuple((name, process[name]) for name in names if name not in constants)  # SQL order, repeats
        self._plain = not constants and not self._expanding
        # positional: the values in SQL order with the constants in place, and the slots a call fills in
        self._template: list[Any] = []
        self._fill: list[tuple[int, str, Processor]] = []
        self._order: list[tuple[str | None, Any]] = []  # (None, constant values) or (parameter, processor)
        for name in names:
            if name in fixed:
                self._template.extend(fixed[name])
                self._order.append((None, fixed[name]))
            else:
                self._fill.append((len(self._template), name, process[name]))
                self._template.append(None)
                self._order.append((name, process[name]))
        # named: the constants under their names, a list's items as name_1, name_2, ... (as SQLAlchemy spells them)
        self._constant_named: dict[str, Any] = {}
        for name, values in fixed.items():
            if name in lists:
                self._constant_named.update((f"{name}_{i}", v) for i, v in enumerate(values, 1))
            else:
                self._constant_named[name] = values[0]
        self._by_lengths: dict[tuple[int, ...], str] = {}
        self._dialect = dialect
        self._columns = _returned(statement)
        self._row = namedtuple("Row", [c.key for c in self._columns], rename=True) if self._columns else None
        self._results: list[Processor] | None = None  # from the driver's column types, at the first call
        self._plain_rows = False

    def execute(self, raw: Any, params: Mapping[str, Any]) -> DriverResult:
        """Run on the driver connection ``raw`` inside its open transaction."""
        sql, values = self._bind(params)
        cursor = raw.cursor()
        try:
            cursor.execute(sql, values)
            rows = self._rows(cursor.fetchall(), cursor.description) if self._row is not None else []
            return DriverResult(rows, cursor.rowcount)
        finally:
            cursor.close()

    def executemany(self, raw: Any, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run once per parameter set in ``rows`` (no expanding parameters, nothing returned)."""
        if not rows:
            return
        if self._expanding or self._row is not None:
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
                return self.sql, values if self._positional else dict(zip(self._names, values, strict=True))
            if self._expanding:
                return self._bind_expanding(params)
            if self._positional:
                filled = self._template.copy()
                for i, name, process in self._fill:
                    value = params[name]
                    filled[i] = value if process is None else process(value)
                return self.sql, filled
            named = dict(self._constant_named)
            for name, process in self._pairs:
                value = params[name]
                named[name] = value if process is None else process(value)
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
        lists: dict[str, list[Any]] = {name: list(params[name] or ()) for name in self._expanding}
        if not all(lists.values()):
            raise ValueError("an expanding IN parameter needs at least one value")
        lengths = tuple(len(lists[name]) for name in sorted(lists))
        sql = self._by_lengths.get(lengths)
        if sql is None:
            sql = _POSTCOMPILE.sub(lambda m: self._placeholders(m.group(1), len(lists[m.group(1)])), self.sql)
            self._by_lengths[lengths] = sql
        if self._positional:  # values in SQL order, each list spelled out where it stands
            values: list[Any] = []
            for name, what in self._order:
                if name is None:
                    values.extend(what)
                elif name in lists:
                    values.extend(lists[name] if what is None else [what(v) for v in lists[name]])
                else:
                    values.append(params[name] if what is None else what(params[name]))
            return sql, values
        named = dict(self._constant_named)
        for name, process in self._pairs:
            items = lists.get(name)
            if items is None:
                named[name] = params[name] if process is None else process(params[name])
            else:
                named.update((f"{name}_{i}", v if process is None else process(v)) for i, v in enumerate(items, 1))
        return sql, named

    def _placeholders(self, name: str, count: int) -> str:
        if self._positional:
            return ", ".join("?" * count)
        return ", ".join(f"%({name}_{i})s" for i in range(1, count + 1))

    def _rows(self, fetched: list[Any], description: Sequence[Any]) -> list[Any]:
        make = self._row
        assert make is not None
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


def _required(bind: Any) -> bool:
    """A bind whose value comes with each call (not a constant the statement carries)."""
    return bool(bind.required) or bind.callable is not None


def _names_in(sql: str) -> list[str]:
    """The distinct parameter names of a pyformat statement, in order (expanding ones included)."""
    seen: dict[str, None] = {}
    for match in re.finditer(rf"{_PYFORMAT.pattern}|{_POSTCOMPILE.pattern}", sql):
        seen.setdefault(match.group(1) or match.group(2), None)
    return list(seen)


def _returned(statement: ClauseElement) -> list[Any]:
    """The columns a SELECT or a DML ... RETURNING gives back, in order."""
    if isinstance(statement, sa.Select):
        return list(statement.selected_columns)
    if isinstance(statement, sa.UpdateBase):  # its RETURNING columns, none without
        return list(statement.exported_columns)
    return []


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

    def _translated(self, conn: sa.Connection, compiled: DriverStatement, exc: Any) -> sa.exc.StatementError:
        """A driver error as SQLAlchemy raises it (IntegrityError, OperationalError, ...); a lost connection
        is invalidated so the pool does not hand it out again."""
        if self._dialect.is_disconnect(exc, conn.connection.driver_connection, None):
            conn.invalidate(exc)
        error: sa.exc.StatementError = sa.exc.DBAPIError.instance(
            compiled.sql, None, exc, self._dialect.loaded_dbapi.Error, dialect=self._dialect
        )
        return error


__all__ = ["Driver", "DriverResult", "DriverStatement"]
