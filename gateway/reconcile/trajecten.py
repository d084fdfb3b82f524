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


def build(columns: Mapping[str, Sequence[str]], *, pseudonymiser: Callable[[str], str] | None = None) -> Trajecten:
    """Trajecten from string columns named as in :data:`HEADER`."""
    clients, aanbieders, productcodes = columns["client"], columns["aanbieder"], columns["productcode"]
    woongemeenten, gemeenten, financiering = columns["woongemeente"], columns["gemeente"], columns["financiering"]
    client_codes, client_index = _factorize(clients)
    if pseudonymiser is not None:  # pseudonymise each distinct BSN once; identity of clients is unchanged
        bsns = [c for c in client_index if len(c) == 9 and c.isdigit() and is_valid_bsn(c)]
        for bsn in bsns:
            client_index[pseudonymiser(bsn)] = client_index.pop(bsn)
    elif any(len(c) == 9 and c.isdigit() and is_valid_bsn(c) for c in client_index):
        raise TrajectenError("the trajecten name clients by BSN and no pseudonymiser was given")
    del client_index
    aanbieder_codes, aanbieder_index = _factorize(aanbieders)
    raw_codes, raw_index = _factorize(productcodes)  # normalise the distinct codes only
    normal_codes = [code.strip().upper() for code in raw_index]
    product_list = list(dict.fromkeys(normal_codes))
    product_remap = np.array([product_list.index(c) for c in normal_codes] or [0], dtype=np.int32)
    gem_index: dict[str, int] = {}
    woon_codes, gem_index = _factorize(woongemeenten, gem_index)
    gem_codes, gem_index = _factorize(gemeenten, gem_index)
    fin_codes, fin_index = _factorize(financiering)
    unknown = set(fin_index) - set(FINANCIERING)
    if unknown:
        raise TrajectenError(f"financiering must be natura or pgb, found {sorted(unknown)}")
    pgb_code = fin_index.get("pgb", -1)
    # normalise gemeente codes on the distinct values only; two spellings of one code become one
    raw = list(gem_index)
    normal = [_gemeente(g) for g in raw]
    distinct = list(dict.fromkeys(normal))
    remap = np.array([distinct.index(n) for n in normal], dtype=np.int32)
    return Trajecten(
        client=client_codes,
        aanbieder=aanbieder_codes,
        aanbieders=list(aanbieder_index),
        productcode=product_remap[raw_codes] if raw_index else raw_codes,
        productcodes=product_list,
        begin=_days(columns["begindatum"], "begindatum"),
        end=_days(columns["einddatum"], "einddatum"),
        declared=_days(columns["gedeclareerd_op"], "gedeclareerd_op"),
        pgb=fin_codes == pgb_code,
        woongemeente=remap[woon_codes] if raw else woon_codes,
        gemeente=remap[gem_codes] if raw else gem_codes,
        gemeenten=distinct,
        clients=int(client_codes.max()) + 1 if len(client_codes) else 0,
    )


def read_csv(path: Path, *, pseudonymiser: Callable[[str], str] | None = None) -> Trajecten:
    """Read a ``--trajecten`` CSV (UTF-8, header as in :data:`HEADER`, any column order).

    The cyclic garbage collector is paused while the rows are in memory: a million rows are nine
    million strings in lists without a single cycle, and every collection would walk them all.
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        return _read_csv(path, pseudonymiser)
    finally:
        if paused:
            gc.enable()


def _read_csv(path: Path, pseudonymiser: Callable[[str], str] | None) -> Trajecten:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = [h.strip() for h in next(reader, [])]
        missing = [h for h in HEADER if h not in header]
        if missing:
            raise TrajectenError(f"{path.name}: missing columns {missing}")
        rows = list(reader)
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
