"""Pipeline metrics: the store's gauges equal ``ketenpoort status --json``, the workers' counters what they did."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from gateway.api import create_app
from gateway.config import load_settings
from gateway.generate.ijw import small_jw301
from gateway.intake import submit
from gateway.store import Store
from tests.api.support import drain
from tests.support.receiver import Receiver

KETENPOORT = Path(sys.executable).with_name("ketenpoort")

SCRAPE = """
import sys
from fastapi.testclient import TestClient
from gateway.api import create_app
from gateway.config import load_settings
from gateway.store import Store
store = Store.open(sys.argv[1])
client = TestClient(create_app(load_settings(), store=store))
open(sys.argv[2], "w", encoding="utf-8").write(client.get("/metrics").text)
store.close()
"""


def samples(text: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    """Every sample of an exposition by sample name: its labels and value."""
    out: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out.setdefault(s.name, []).append((dict(s.labels), float(s.value)))
    return out


def total(found: dict[str, list[tuple[dict[str, str], float]]], name: str, **labels: str) -> float:
    """The sum of the samples of ``name`` whose labels include ``labels``."""
    return sum(v for ls, v in found.get(name, []) if all(ls.get(k) == x for k, x in labels.items()))


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, dict[str, int]], str]:
    """``ketenpoort demo`` with its worker writing to a multiprocess directory; then status and a scrape."""
    work = tmp_path_factory.mktemp("demo")
    multiproc = work / "prometheus"
    multiproc.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(multiproc), "KETENPOORT_LOG_LEVEL": "WARNING"}
    env.pop("KETENPOORT_SENDERS_FILE", None)
    env.pop("KETENPOORT_DATABASE_URL", None)
    subprocess.run([str(KETENPOORT), "demo", "--data-dir", str(work / "data")], env=env, check=True, cwd=work)
    db = work / "data" / "ketenpoort.db"
    env["KETENPOORT_DATABASE_URL"] = f"sqlite:///{db}"
    done = subprocess.run([str(KETENPOORT), "status", "--json"], env=env, check=True, capture_output=True, cwd=work)
    status = json.loads(done.stdout)
    scraped = work / "metrics.txt"
    subprocess.run([sys.executable, "-c", SCRAPE, f"sqlite:///{db}", str(scraped)], env=env, check=True, cwd=work)
    return db, status, scraped.read_text(encoding="utf-8")


@pytest.mark.slow
def test_metrics_after_a_demo_run_equal_status_json(demo_run: tuple[Path, dict[str, dict[str, int]], str]) -> None:
    """Messages per status, jobs per state (summed over stages) and the DLQ depth are what `status --json` says."""
    _, status, text = demo_run
    found = samples(text)
    assert status["messages"]["delivered"] > 0
    for name, count in status["messages"].items():
        assert total(found, "ketenpoort_messages_total", status=name) == count, name
    for state, count in status["jobs"].items():
        assert total(found, "ketenpoort_jobs", state=state) == count, state
    assert total(found, "ketenpoort_dead_letters") == status["messages"]["dead"]
    assert total(found, "ketenpoort_store_up") == 1


@pytest.mark.slow
def test_worker_counters_of_a_demo_run_match_the_store(demo_run: tuple[Path, dict[str, dict[str, int]], str]) -> None:
    """Relay attempts, rule findings and stage timings counted in the demo's worker agree with its stored rows."""
    db, status, text = demo_run
    found = samples(text)
    with sqlite3.connect(db) as conn:
        deliveries = conn.execute("SELECT count(*) FROM deliveries").fetchone()[0]
        stored = Counter[str]()
        for (raw,) in conn.execute("SELECT findings FROM messages WHERE findings IS NOT NULL"):
            for f in json.loads(raw):
                stored[f["rule"] or f["kind"]] += 1
        validated = conn.execute("SELECT count(*) FROM jobs WHERE stage = 'validate' AND done").fetchone()[0]
    attempted = total(found, "ketenpoort_relay_attempts_total") - total(
        found, "ketenpoort_relay_attempts_total", outcome="refused"
    )
    assert attempted == deliveries > 0
    assert total(found, "ketenpoort_relay_attempts_total", outcome="delivered") == status["messages"]["delivered"]
    routes = {ls["route"] for ls, _ in found["ketenpoort_relay_attempts_total"]}
    assert routes and all(r.startswith("127.0.0.1:") for r in routes), routes  # host:port of the loopback receiver
    counted = {ls["rule"]: int(v) for ls, v in found["ketenpoort_rule_findings_total"] if v}
    assert counted == dict(stored) and "CS002" in counted and "xsd" in counted
    assert total(found, "ketenpoort_stage_seconds_count", stage="validate") == validated
    assert total(found, "ketenpoort_stage_seconds_count", stage="relay") >= deliveries
    assert total(found, "ketenpoort_stage_seconds_sum", stage="validate") > 0


def test_store_gauges_follow_the_store_on_both_backends(db_url: str, tmp_path: Path) -> None:
    """The scrape-time gauges equal the store's own counts before and after the pipeline ran, on either backend."""
    store = Store.open(db_url, migrate=True)
    try:
        client = TestClient(create_app(load_settings(data_dir=tmp_path), store=store))
        for i in range(3):
            submit(store, small_jw301(40 + i), sender=None)
        before = samples(client.get("/metrics").text)
        assert total(before, "ketenpoort_messages_total", status="received") == 3
        assert total(before, "ketenpoort_jobs", stage="validate", state="due") == 3
        with Receiver() as rx:
            drain(store, rx.url)
        after = samples(client.get("/metrics").text)
        for name, count in store.status_counts().items():
            assert total(after, "ketenpoort_messages_total", status=name) == count, name
        for state, count in store.job_counts().items():
            assert total(after, "ketenpoort_jobs", state=state) == count, state
        assert total(after, "ketenpoort_messages_total", status="delivered") == 3
        assert total(after, "ketenpoort_jobs", stage="relay", state="done") == 3
        assert total(after, "ketenpoort_dead_letters") == 0
    finally:
        store.close()


def test_an_unreadable_store_still_answers_the_scrape(tmp_path: Path) -> None:
    """When the store cannot be read the scrape answers with ``ketenpoort_store_up 0`` instead of failing."""
    store = Store.open(f"sqlite:///{tmp_path / 'kp.db'}", migrate=True)
    store.close()
    (tmp_path / "kp.db").unlink()
    (tmp_path / "kp.db").mkdir()  # the path is now a directory: every read fails
    client = TestClient(create_app(load_settings(data_dir=tmp_path), store=store))
    response = client.get("/metrics")
    assert response.status_code == 200
    assert total(samples(response.text), "ketenpoort_store_up") == 0
