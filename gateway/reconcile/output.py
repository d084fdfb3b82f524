"""Writing a reconciliation run: ``bridge.json``, ``bridge.csv`` and ``report.html`` in one directory."""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from gateway.reconcile.bridge import COLUMNS, Reconciliation
from gateway.reconcile.report import render


def write_run(
    result: Reconciliation, out: Path, *, datahuis: Mapping[tuple[str, str], int] | None = None
) -> list[dict[str, Any]]:
    """Write the three files into ``out`` (created) and return the bridge rows as written to bridge.json."""
    out.mkdir(parents=True, exist_ok=True)
    rows = [r.to_dict() for r in result.rows]
    (out / "bridge.json").write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    with (out / "bridge.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: ("" if v is None else v) for k, v in r.items()} for r in rows)
    (out / "report.html").write_text(render(result, datahuis=datahuis), encoding="utf-8")
    return rows


__all__ = ["write_run"]
