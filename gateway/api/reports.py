"""Reconciliation runs as written by ``ketenpoort reconcile --out DIR``: one directory per run.

Runs live under ``<data_dir>/reconcile/<run-id>/`` with ``bridge.json`` (the bridge rows),
``bridge.csv`` and a self-contained ``report.html``. The API only reads them; run ids are
checked against a strict pattern so a request can never name a path outside that directory.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gateway.api.charts import Step
from gateway.run_registry import RUN_ID, read_meta, runs_dir

BRIDGE_STEPS = ("datahuis_trajecten", "pgb", "zonder_cbs_codering", "niet_woonachtig", "nagekomen",
                "dubbele_trajecten", "verwacht_cbs", "cbs_gepubliceerd", "onverklaard")  # fmt: skip


@dataclass(frozen=True)
class Run:
    """One reconciliation run on disk."""

    id: str
    created: datetime
    rows: list[dict[str, Any]]
    has_report: bool
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def source(self) -> str:
        """Where the run came from: ``cli``, ``api``, ``dashboard``, or ``onbekend`` for an older run."""
        return str(self.meta.get("bron") or "onbekend")

    @property
    def periods(self) -> list[str]:
        """The periods the bridge covers, in order of appearance."""
        return list(dict.fromkeys(str(r.get("periode")) for r in self.rows))

    def totals(self, periode: str) -> dict[str, Any] | None:
        """The ``totaal`` row of one period."""
        return next((r for r in self.rows if r.get("periode") == periode and r.get("hulpvorm") == "totaal"), None)


def _read(path: Path) -> Run | None:
    bridge = path / "bridge.json"
    try:
        rows = json.loads(bridge.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(rows, list):
        return None
    created = datetime.fromtimestamp(bridge.stat().st_mtime, UTC)
    has_report = (path / "report.html").is_file()
    return Run(path.name, created, [r for r in rows if isinstance(r, dict)], has_report, read_meta(path))


def list_runs(data_dir: Path) -> list[Run]:
    """Every readable run, newest first."""
    base = runs_dir(data_dir)
    if not base.is_dir():
        return []
    found = [r for p in base.iterdir() if p.is_dir() and RUN_ID.match(p.name) and (r := _read(p)) is not None]
    return sorted(found, key=lambda r: (r.created, r.id), reverse=True)


def get_run(data_dir: Path, run_id: str) -> Run | None:
    """One run by id, or None (also for an id that is not a plain name)."""
    if not RUN_ID.match(run_id):
        return None
    return _read(runs_dir(data_dir) / run_id)


def report_html(data_dir: Path, run_id: str) -> bytes | None:
    """The run's self-contained HTML report, or None."""
    if not RUN_ID.match(run_id):
        return None
    path = runs_dir(data_dir) / run_id / "report.html"
    return path.read_bytes() if path.is_file() else None


STEP_LABELS = {
    "datahuis_trajecten": "datahuis", "pgb": "pgb", "zonder_cbs_codering": "geen CBS-code",
    "niet_woonachtig": "niet woonachtig", "nagekomen": "nagekomen", "dubbele_trajecten": "dubbel",
    "verwacht_cbs": "verwacht CBS", "cbs_gepubliceerd": "CBS", "onverklaard": "onverklaard",
}  # fmt: skip
TOTALS = frozenset({"datahuis_trajecten", "verwacht_cbs", "cbs_gepubliceerd"})


WATERFALL_ORDER = ("datahuis_trajecten", "pgb", "zonder_cbs_codering", "niet_woonachtig", "nagekomen",
                   "dubbele_trajecten", "verwacht_cbs", "onverklaard", "cbs_gepubliceerd")  # fmt: skip
"""The bridge as a waterfall: the unexplained rest sits between the expected and the published count."""


def waterfall(row: dict[str, Any]) -> list[Step]:
    """The bridge steps of one row as waterfall bars (totals on zero, changes floating)."""
    return [
        Step(STEP_LABELS[name], float(row.get(name) or 0), total=name in TOTALS)
        for name in WATERFALL_ORDER
        if name in row
    ]


__all__ = [
    "BRIDGE_STEPS",
    "RUN_ID",
    "STEP_LABELS",
    "Run",
    "get_run",
    "list_runs",
    "report_html",
    "runs_dir",
    "waterfall",
]
