"""The published tables a reconciliation compares against: the CBS counts and the datahuis counts."""

from __future__ import annotations

import csv
from pathlib import Path

from gateway.errors import InputError
from gateway.mapping.tables import normalise_gemeente
from gateway.reconcile.bridge import TOTAAL

CBS_HEADER = ("gemeente", "periode", "hulpvorm", "jongeren")
DATAHUIS_HEADER = ("periode", "hulpvorm_gemeente", "gebruik")


def _rows(path: Path, header: tuple[str, ...]) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [h for h in header if h not in (reader.fieldnames or [])]
        if missing:
            raise InputError(f"{path.name}: missing columns {missing}")
        return [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]


def _count(text: str, path: Path) -> int:
    try:
        return int(text)
    except ValueError:
        raise InputError(f"{path.name}: not a whole number: {text!r}") from None


def read_cbs(path: Path, gemeente: str) -> dict[tuple[str, str], int]:
    """(periode, hulpvorm|totaal) → unique young people, for ``gemeente`` only."""
    g = normalise_gemeente(gemeente)
    found: dict[tuple[str, str], int] = {}
    for row in _rows(path, CBS_HEADER):
        if normalise_gemeente(row["gemeente"]) != g:
            continue
        hulpvorm = row["hulpvorm"].lower()
        if hulpvorm != TOTAAL:
            hulpvorm = hulpvorm.zfill(2)
        found[(row["periode"].upper(), hulpvorm)] = _count(row["jongeren"], path)
    return found


def read_datahuis(path: Path) -> dict[tuple[str, str], int]:
    """(periode, hulpvorm_gemeente) → published use (trajecten)."""
    return {
        (row["periode"].upper(), row["hulpvorm_gemeente"]): _count(row["gebruik"], path)
        for row in _rows(path, DATAHUIS_HEADER)
    }


__all__ = ["CBS_HEADER", "DATAHUIS_HEADER", "read_cbs", "read_datahuis"]
