"""Trajecten in columns (numpy), read from the ``--trajecten`` CSV, from records, or from stored facts.

CSV header: ``client,aanbieder,productcode,begindatum,einddatum,gedeclareerd_op,financiering,woongemeente,gemeente``.
Dates are ISO; an empty ``einddatum`` means ongoing, an empty ``gedeclareerd_op`` not declared.
A ``client`` that is a BSN is replaced by its keyed pseudonym on read, before anything else sees it.
"""

from __future__ import annotations

import csv
import gc
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import numpy.typing as npt

from gateway.bsn import is_valid_bsn
from gateway.errors import InputError
from gateway.mapping.tables import normalise_gemeente
from gateway.reconcile import fastcsv

HEADER = (
    "client",
    "aanbieder",
    "productcode",
    "begindatum",
    "einddatum",
    "gedeclareerd_op",
    "financiering",
    "woongemeente",
    "gemeente",
)
FINANCIERING = ("natura", "pgb")

Ints = npt.NDArray[np.int32]
Days = npt.NDArray[np.datetime64]
Bools = npt.NDArray[np.bool_]


class TrajectenError(InputError):
    """The trajecten file cannot be read (header, date, financiering); the message never names a client."""


@dataclass(frozen=True, slots=True)
class Traject:
    """One traject as a record (for tests, the store and small inputs)."""

    client: str
    aanbieder: str
    productcode: str
    begindatum: date
    einddatum: date | None
    gedeclareerd_op: date | None
    financiering: str
    woongemeente: str
    gemeente: str


@dataclass(frozen=True, slots=True)
class Trajecten:
    """Trajecten in columns: categorical columns as indexes into their value lists."""

    client: Ints
    aanbieder: Ints
    aanbieders: list[str]
    productcode: Ints
    productcodes: list[str]
    begin: Days
    end: Days
    """NaT = ongoing."""
    declared: Days
    """NaT = not declared."""
    pgb: Bools
    woongemeente: Ints
    gemeente: Ints
    gemeenten: list[str]
    """Values of both ``woongemeente`` and ``gemeente`` (normalised to four digits where possible)."""
    clients: int

    def __len__(self) -> int:
        return int(self.client.shape[0])


def _factorize(values: Sequence[str], table: dict[str, int] | None = None) -> tuple[Ints, dict[str, int]]:
    """Codes into the list of distinct values (first-seen order); all loops run in C (dict.fromkeys, map)."""
    index: dict[str, int] = {} if table is None else table
    for value in dict.fromkeys(values):
        if value not in index:
            index[value] = len(index)
    codes = np.fromiter(map(index.__getitem__, values), dtype=np.int32, count=len(values))
    return codes, index


def _gemeente(code: str) -> str:
    try:
        return normalise_gemeente(code)
    except ValueError:
        return code.strip()


def _days(values: Sequence[str], column: str) -> Days:
    try:
        return np.array(values, dtype="datetime64[D]")
    except ValueError as exc:
        raise TrajectenError(f"{column}: not an ISO date in the trajecten") from exc


def _bsn_like(value: str) -> bool:
    return len(value) == 9 and value.isdigit() and is_valid_bsn(value)


def _client_codes(codes: Ints, values: list[str], pseudonymiser: Callable[[str], str] | None) -> tuple[Ints, int]:
    """Client codes after replacing every BSN by its pseudonym (a BSN and its pseudonym are one client)."""
    bsn = [_bsn_like(v) for v in values]
    if not any(bsn):
        return codes, len(values)
    if pseudonymiser is None:
        raise TrajectenError("the trajecten name clients by BSN and no pseudonymiser was given")
    named = [pseudonymiser(v) if b else v for v, b in zip(values, bsn, strict=True)]
    index: dict[str, int] = {}
    remap = np.array([index.setdefault(v, len(index)) for v in named], dtype=np.int32)
    return remap[codes], len(index)


def _remap(values: list[str], normal: Callable[[str], str]) -> tuple[Ints, list[str]]:
    """Normalise distinct values; returns old code → new code and the new distinct values."""
    named = [normal(v) for v in values]
    distinct = list(dict.fromkeys(named))
    position = {v: n for n, v in enumerate(distinct)}
    return np.array([position[v] for v in named] or [0], dtype=np.int32), distinct


def _assemble(
    client: tuple[Ints, int],
    cats: Mapping[str, tuple[Ints, list[str]]],
    begin: Days,
    end: Days,
    declared: Days,
) -> Trajecten:
    """Trajecten from factorised columns; normalises product and gemeente codes on the distinct values only."""
    product_codes, product_values = cats["productcode"]
    product_map, products = _remap(product_values, lambda c: c.strip().upper())
    woon_codes, woon_values = cats["woongemeente"]
    gem_codes, gem_values = cats["gemeente"]
    gem_map, gemeenten = _remap(woon_values + gem_values, _gemeente)
    fin_codes, fin_values = cats["financiering"]
    unknown = {v.strip() for v in fin_values} - set(FINANCIERING)
    if unknown:
        raise TrajectenError(f"financiering must be natura or pgb, found {sorted(unknown)}")
    pgb = np.array([v.strip() == "pgb" for v in fin_values] or [False], dtype=np.bool_)
    aanbieder_codes, aanbieders = cats["aanbieder"]
    return Trajecten(
        client=client[0],
        aanbieder=aanbieder_codes,
        aanbieders=aanbieders,
        productcode=product_map[product_codes],
        productcodes=products,
        begin=begin,
        end=end,
        declared=declared,
        pgb=pgb[fin_codes],
        woongemeente=gem_map[woon_codes],
        gemeente=gem_map[gem_codes + len(woon_values)],
        gemeenten=gemeenten,
        clients=client[1],
    )


CATEGORICAL = ("aanbieder", "productcode", "financiering", "woongemeente", "gemeente")


def build(columns: Mapping[str, Sequence[str]], *, pseudonymiser: Callable[[str], str] | None = None) -> Trajecten:
    """Trajecten from string columns named as in :data:`HEADER`."""
    client_codes, client_index = _factorize(columns["client"])
    cats = {}
    for name in CATEGORICAL:
        codes, index = _factorize(columns[name])
        cats[name] = (codes, list(index))
    return _assemble(
        _client_codes(client_codes, list(client_index), pseudonymiser),
        cats,
        _days(columns["begindatum"], "begindatum"),
        _days(columns["einddatum"], "einddatum"),
        _days(columns["gedeclareerd_op"], "gedeclareerd_op"),
    )


def read_csv(path: Path, *, pseudonymiser: Callable[[str], str] | None = None) -> Trajecten:
    """Read a ``--trajecten`` CSV (UTF-8, header as in :data:`HEADER`, any column order).

    A plain file (no quotes) is parsed in numpy (:mod:`gateway.reconcile.fastcsv`); any other goes
    through the csv module with the cyclic garbage collector paused, because a million rows are
    nine million strings in lists without a single cycle and every collection would walk them all.
    """
    data = path.read_bytes()
    columns = fastcsv.parse(data)
    if columns is not None:
        missing = [h for h in HEADER if h not in columns.header]
        if missing:
            raise TrajectenError(f"{path.name}: missing columns {missing}")
        found = _from_columns(columns, pseudonymiser)
        if found is not None:
            return found
    paused = gc.isenabled()
    gc.disable()
    try:
        return _read_csv(path, pseudonymiser)
    finally:
        if paused:
            gc.enable()


def _from_columns(columns: fastcsv.Columns, pseudonymiser: Callable[[str], str] | None) -> Trajecten | None:
    dates = [columns.days(name) for name in ("begindatum", "einddatum", "gedeclareerd_op")]
    begin, end, declared = dates
    if begin is None or end is None or declared is None:
        return None  # let the csv path say which column is wrong
    client_codes, grid = fastcsv.factorize_codes(columns.fixed("client"))
    digits = (grid >= 48) & (grid <= 57)
    nine = (grid != 0).sum(axis=1) == 9
    bsn_like = nine & digits[:, :9].all(axis=1) if grid.shape[1] >= 9 else np.zeros(len(grid), dtype=np.bool_)
    if np.any(bsn_like):
        values = [bytes(u).rstrip(b"\0").decode("utf-8") for u in grid]
        client = _client_codes(client_codes, values, pseudonymiser)
    else:
        client = (client_codes, len(grid))
    cats = {}
    for name in CATEGORICAL:
        codes, distinct = fastcsv.factorize(columns.fixed(name))
        cats[name] = (codes, [v.decode("utf-8") for v in distinct])
    return _assemble(client, cats, begin, end, declared)


def _read_csv(path: Path, pseudonymiser: Callable[[str], str] | None) -> Trajecten:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = [h.strip() for h in next(reader, [])]
        missing = [h for h in HEADER if h not in header]
        if missing:
            raise TrajectenError(f"{path.name}: missing columns {missing}")
        rows = [r for r in reader if r]  # blank lines carry no traject
    if set(map(len, rows)) - {len(header)}:
        bad = next(i for i, r in enumerate(rows, start=2) if len(r) != len(header))
        raise TrajectenError(f"{path.name}: line {bad} has {len(rows[bad - 2])} fields, expected {len(header)}")
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in header]
    by_name = {name: columns[i] for i, name in enumerate(header)}
    return build(by_name, pseudonymiser=pseudonymiser)


def from_records(records: Iterable[Traject], *, pseudonymiser: Callable[[str], str] | None = None) -> Trajecten:
    """Trajecten from records."""
    items = list(records)
    return build(
        {
            "client": [t.client for t in items],
            "aanbieder": [t.aanbieder for t in items],
            "productcode": [t.productcode for t in items],
            "begindatum": [t.begindatum.isoformat() for t in items],
            "einddatum": [t.einddatum.isoformat() if t.einddatum else "" for t in items],
            "gedeclareerd_op": [t.gedeclareerd_op.isoformat() if t.gedeclareerd_op else "" for t in items],
            "financiering": [t.financiering for t in items],
            "woongemeente": [t.woongemeente for t in items],
            "gemeente": [t.gemeente for t in items],
        },
        pseudonymiser=pseudonymiser,
    )


def write_csv(records: Iterable[Traject], path: Path) -> int:
    """Write records as a ``--trajecten`` CSV; returns the number of rows."""
    count = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        for t in records:
            writer.writerow(
                (
                    t.client,
                    t.aanbieder,
                    t.productcode,
                    t.begindatum.isoformat(),
                    t.einddatum.isoformat() if t.einddatum else "",
                    t.gedeclareerd_op.isoformat() if t.gedeclareerd_op else "",
                    t.financiering,
                    t.woongemeente,
                    t.gemeente,
                )
            )
            count += 1
    return count


__all__ = ["HEADER", "Traject", "Trajecten", "TrajectenError", "build", "from_records", "read_csv", "write_csv"]
