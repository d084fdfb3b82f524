"""/metrics adds up the samples of every process when PROMETHEUS_MULTIPROC_DIR is set (several API/worker processes)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = """
import sys
from fastapi.testclient import TestClient
from gateway.api import create_app
from gateway.config import load_settings
client = TestClient(create_app(load_settings()))
for _ in range(int(sys.argv[1])):
    assert client.get("/healthz").status_code == 200
if sys.argv[2] == "render":
    sys.stdout.write(client.get("/metrics").text)
"""


def _run(env: dict[str, str], count: int, mode: str) -> str:
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(count), mode], env=env, capture_output=True, check=True)
    return done.stdout.decode()


@pytest.mark.slow
def test_metrics_sum_over_processes(tmp_path: Path) -> None:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "KETENPOORT_LOG_LEVEL": "WARNING"}
    env.pop("KETENPOORT_SENDERS_FILE", None)
    _run(env, 3, "quiet")
    _run(env, 4, "quiet")
    text = _run(env, 5, "render")
    found = re.search(r'ketenpoort_http_requests_total\{route="/healthz",status="200"\} ([0-9.]+)', text)
    assert found is not None, text[:2000]
    assert float(found.group(1)) == 3 + 4 + 5
    assert "ketenpoort_http_request_seconds_bucket" in text


HOLD = """
import sys, time
from pathlib import Path
from gateway.store.writer_lock import WriterLock
lock = WriterLock(Path(sys.argv[1]))
with lock.held():
    time.sleep(0.1)
"""


@pytest.mark.slow
def test_write_lock_seconds_of_worker_processes_reach_metrics(tmp_path: Path) -> None:
    """Each worker process's time under SQLite's write lock is summed on /metrics: the figure that says
    whether the pipeline is bound by the lock."""
    metrics = tmp_path / "metrics"
    metrics.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(metrics), "KETENPOORT_LOG_LEVEL": "WARNING"}
    env.pop("KETENPOORT_SENDERS_FILE", None)
    for _ in range(2):
        subprocess.run([sys.executable, "-c", HOLD, str(tmp_path / "kp.db")], env=env, check=True)
    text = _run(env, 0, "render")
    found = re.search(r"^ketenpoort_sqlite_write_lock_held_seconds_total ([0-9.e+-]+)$", text, re.MULTILINE)
    assert found is not None, text[:2000]
    assert 0.2 <= float(found.group(1)) < 5.0
