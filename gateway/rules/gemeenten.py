"""The CBS gemeente code list (``mappings/cbs_gemeenten.csv``, built by ``mappings/build_gemeenten.py``)."""

from __future__ import annotations

import csv
from functools import cache

from gateway.mapping import mappings_dir


@cache
def cbs_gemeentecodes() -> frozenset[str]:
    """Every four-digit CBS gemeentecode on the bundled list (empty when the file is missing)."""
    path = mappings_dir() / "cbs_gemeenten.csv"
    if not path.exists():
        return frozenset()
    with path.open(newline="", encoding="utf-8") as fh:
        return frozenset(row["gemeentecode"] for row in csv.DictReader(fh))


__all__ = ["cbs_gemeentecodes"]
