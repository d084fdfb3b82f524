"""The shipped Grafana dashboard (deploy/grafana/ketenpoort.json) queries only metrics that Ketenpoort exposes."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.metrics.conftest import DemoRun, samples

DASHBOARD = Path(__file__).resolve().parents[2] / "deploy" / "grafana" / "ketenpoort.json"
METRIC = re.compile(r"\b(ketenpoort_[a-z_]+)\b")
REQUIRED = {
    "ketenpoort_messages_total", "ketenpoort_jobs", "ketenpoort_dead_letters", "ketenpoort_relay_attempts_total",
    "ketenpoort_rule_findings_total", "ketenpoort_stage_seconds_bucket",
}  # fmt: skip


def _exprs(dashboard: dict[str, Any]) -> list[str]:
    return [t["expr"] for p in dashboard["panels"] for t in p.get("targets", []) if t.get("expr")]


def test_dashboard_is_importable_json_with_a_datasource_variable() -> None:
    """The file is an importable dashboard: a uid, panels with grid positions, the data source as a variable."""
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    assert dashboard["uid"] == "ketenpoort" and dashboard["panels"]
    ids = [p["id"] for p in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    assert all({"x", "y", "w", "h"} <= set(p["gridPos"]) for p in dashboard["panels"])
    assert [v["type"] for v in dashboard["templating"]["list"]] == ["datasource"]
    assert all(p["datasource"]["uid"] == "${datasource}" for p in dashboard["panels"])


@pytest.mark.slow
def test_every_metric_the_dashboard_queries_exists_after_a_demo_run(demo_run: DemoRun) -> None:
    """Each ``ketenpoort_*`` name in a panel query is a sample of the scrape after a demo run, and the six
    pipeline metrics of the operator's view are all charted."""
    queried = {m for expr in _exprs(json.loads(DASHBOARD.read_text(encoding="utf-8"))) for m in METRIC.findall(expr)}
    exposed = set(samples(demo_run.text))
    assert queried - exposed == set(), sorted(exposed)
    assert queried >= REQUIRED
