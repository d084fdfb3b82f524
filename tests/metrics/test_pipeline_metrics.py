"""Pipeline metrics: the store's gauges equal ``ketenpoort status --json``, the workers' counters what they did."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from gateway.api import create_app
from gateway.config import load_settings
from gateway.generate.ijw import small_jw301
from gateway.intake import submit
from gateway.pseudonym import Pseudonymiser
from gateway.store import Store
from tests.api.support import drain
from tests.metrics.conftest import DemoRun, samples, total
from tests.support.receiver import Receiver


@pytest.mark.slow
def test_metrics_after_a_demo_run_equal_status_json(demo_run: DemoRun) -> None:
    """Messages per status, jobs per state (summed over stages) and the DLQ depth are what `status --json` says."""
    status, text = demo_run.status, demo_run.text
    found = samples(text)
    assert status["messages"]["delivered"] > 0
    for name, count in status["messages"].items():
        assert total(found, "ketenpoort_messages_total", status=name) == count, name
    for state, count in status["jobs"].items():
        assert total(found, "ketenpoort_jobs", state=state) == count, state
    assert total(found, "ketenpoort_dead_letters") == status["messages"]["dead"]
    assert total(found, "ketenpoort_store_up") == 1


@pytest.mark.slow
def test_worker_counters_of_a_demo_run_match_the_store(demo_run: DemoRun) -> None:
    """Relay attempts, rule findings and stage timings counted in the demo's worker agree with its stored rows."""
    db, status, text = demo_run.db, demo_run.status, demo_run.text
    found = samples(text)
    with sqlite3.connect(db) as conn:
        deliveries = conn.execute("SELECT count(*) FROM deliveries").fetchone()[0]
        stored = Counter[str]()  # every finding, also those past the cap a flood is kept to (gateway.findings)
        for raw, exact in conn.execute("SELECT findings, finding_counts FROM messages WHERE findings IS NOT NULL"):
            counts = json.loads(exact) if exact else None
            if counts:
                for key, number in counts.items():
                    stored[key.split(":", 1)[0]] += number
            else:
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
    store = Store.open(db_url, migrate=True, pseudonymiser=Pseudonymiser(b"m" * 16))
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
    store = Store.open(f"sqlite:///{tmp_path / 'kp.db'}", migrate=True, pseudonymiser=Pseudonymiser(b"m" * 16))
    store.close()
    (tmp_path / "kp.db").unlink()
    (tmp_path / "kp.db").mkdir()  # the path is now a directory: every read fails
    client = TestClient(create_app(load_settings(data_dir=tmp_path), store=store))
    response = client.get("/metrics")
    assert response.status_code == 200
    assert total(samples(response.text), "ketenpoort_store_up") == 0
