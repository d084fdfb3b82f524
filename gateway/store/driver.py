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
    """One Core statement compiled for one dialect and one set of parameter names."""

    def __init__(self, statement: ClauseElement, dialect: Dialect, keys: Iterable[str] | None = None) -> None:
        """Compile ``statement``; ``keys`` are the parameter names an INSERT or UPDATE is called with."""
        compiled = statement.compile(dialect=dialect, column_keys=sorted(keys) if keys is not None else None)
        assert isinstance(compiled, SQLCompiler)
        self.sql = compiled.string
        """The SQL as compiled (expanding lists still to spell out)."""
        self._positional = bool(compiled.positional)
        names = list(compiled.positiontup or []) if self._positional else _names_in(compiled.string)
        binds = compiled.binds
        self._names = names
        self._constants = {name: binds[name].value for name in names if not _required(binds[name])}
        self._processors: dict[str, Processor] = {
            name: binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
        }
        self._pairs = tuple((name, self._processors[name]) for name in names)  # in SQL order, repeats kept
        self._expanding = frozenset(name for name in names if binds[name].expanding)
        self._by_lengths: dict[tuple[int, ...], str] = {}
        self._dialect = dialect
        self._columns = _returned(statement)
        self._row = namedtuple("Row", [c.key for c in self._columns], rename=True) if self._columns else None
        self._results: list[Processor] | None = None  # from the driver's column types, at the first call
        self._plain = False

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
        """The SQL and its parameters, each through its type's bind processor (None too, as SQLAlchemy does)."""
        if self._constants:
            params = {**self._constants, **params}
        try:
            if self._expanding:
                return self._bind_expanding(params)
            # one comprehension: this runs for every statement of the hot path
            values = [params[name] if process is None else process(params[name]) for name, process in self._pairs]
        except KeyError:
            self._require(params)
            raise
        return self.sql, values if self._positional else dict(zip(self._names, values, strict=True))

    def _require(self, params: Mapping[str, Any]) -> None:
        """Name the first parameter without a value (a KeyError raised by a processor passes through)."""
        for name in self._names:
            if name not in params:
                raise ValueError(f"a value is required for parameter {name!r}") from None

    def _bind_expanding(self, params: Mapping[str, Any]) -> tuple[str, Any]:
        """Spell out each expanding list: one placeholder per item (an empty list is an error)."""
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
            for name, process in self._pairs:
                items = lists.get(name)
                if items is None:
                    values.append(params[name] if process is None else process(params[name]))
                else:
                    values.extend(items if process is None else [process(v) for v in items])
            return sql, values
        named: dict[str, Any] = {}
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
            self._plain = all(p is None for p in self._results)
        if self._plain:
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
