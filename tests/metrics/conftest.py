"""A ``ketenpoort demo`` run whose worker wrote to a multiprocess directory, scraped afterwards; exposition helpers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families


@dataclass(frozen=True)
class DemoRun:
    """The demo's database, what ``ketenpoort status --json`` said after it, and a ``/metrics`` scrape."""

    db: Path
    status: dict[str, dict[str, int]]
    text: str


KETENPOORT = Path(sys.executable).with_name("ketenpoort")

SCRAPE = """
import sys
from fastapi.testclient import TestClient
from gateway.api import create_app
from gateway.config import load_settings
from gateway.store import Store
store = Store.open(sys.argv[1])
client = TestClient(create_app(load_settings(), store=store))
client.get("/metrics")  # so this process's own HTTP counters are on the second scrape
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


@pytest.fixture(scope="package")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    """``ketenpoort demo`` with its worker writing to a multiprocess directory; then status and a scrape."""
    work = tmp_path_factory.mktemp("demo")
    multiproc = work / "prometheus"
    multiproc.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(multiproc), "KETENPOORT_LOG_LEVEL": "WARNING"}
    env.pop("KETENPOORT_SENDERS_FILE", None)
    env.pop("KETENPOORT_DATABASE_URL", None)
    # the main batch only: the channel legs relay in stores of their own, which this store's rows do not show
    demo = [str(KETENPOORT), "demo", "--no-channels", "--data-dir", str(work / "data")]
    subprocess.run(demo, env=env, check=True, cwd=work)
    db = work / "data" / "ketenpoort.db"
    env["KETENPOORT_DATABASE_URL"] = f"sqlite:///{db}"
    done = subprocess.run([str(KETENPOORT), "status", "--json"], env=env, check=True, capture_output=True, cwd=work)
    status = json.loads(done.stdout)
    scraped = work / "metrics.txt"
    subprocess.run([sys.executable, "-c", SCRAPE, f"sqlite:///{db}", str(scraped)], env=env, check=True, cwd=work)
    return DemoRun(db, status, scraped.read_text(encoding="utf-8"))
