"""Where reconciliation runs are kept, so the dashboard lists a run from the CLI beside one from the API.

Every run lives under ``<data_dir>/reconcile/<run-id>/`` with its ``bridge.json``, ``bridge.csv``
and ``report.html`` and a ``run.json`` saying where it came from (``cli``, ``api``, ``dashboard``),
for which gemeente, periods and peildatum. ``ketenpoort reconcile --out DIR`` writes its run in
``DIR`` as asked and registers a copy of those three outputs here (never its inputs: a trajecten
file holds BSNs).
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

OUTPUTS = ("bridge.json", "bridge.csv", "report.html")
META = "run.json"
RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
SOURCES = ("cli", "api", "dashboard")


def runs_dir(data_dir: Path) -> Path:
    """Where runs are kept."""
    return data_dir / "reconcile"


def new_run_id(gemeente: str, perioden: list[str]) -> str:
    """A fresh, sortable run id: gemeente, periods and the time to the microsecond."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    return f"{gemeente}-{'-'.join(perioden)}-{stamp}"


def write_meta(run: Path, *, source: str, gemeente: str, perioden: list[str], peildatum: date) -> None:
    """Record where a run came from beside its outputs."""
    if source not in SOURCES:
        raise ValueError(f"unknown run source {source!r}")
    meta = {
        "bron": source,
        "gemeente": gemeente,
        "perioden": perioden,
        "peildatum": peildatum.isoformat(),
        "gemaakt": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    (run / META).write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")


def read_meta(run: Path) -> dict[str, Any]:
    """A run's ``run.json``, or an empty dict for a run written before there was one."""
    try:
        data = json.loads((run / META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def register(out: Path, data_dir: Path, *, source: str, gemeente: str, perioden: list[str], peildatum: date) -> str:
    """Make the run written in ``out`` one of ``data_dir``'s runs; its run id.

    A run written inside the runs directory already just gets its ``run.json``; any other is copied
    there (its outputs only) under a fresh id.
    """
    base = runs_dir(data_dir)
    if out.resolve().parent == base.resolve() and RUN_ID.match(out.name):
        write_meta(out, source=source, gemeente=gemeente, perioden=perioden, peildatum=peildatum)
        return out.name
    run_id = new_run_id(gemeente, perioden)
    target = base / run_id
    target.mkdir(parents=True)
    try:
        for name in OUTPUTS:
            if (out / name).is_file():
                shutil.copy2(out / name, target / name)
        write_meta(target, source=source, gemeente=gemeente, perioden=perioden, peildatum=peildatum)
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)  # never a half-copied run for the dashboard to trip over
        raise
    return run_id


__all__ = ["META", "OUTPUTS", "RUN_ID", "SOURCES", "new_run_id", "read_meta", "register", "runs_dir", "write_meta"]
