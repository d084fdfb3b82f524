"""`ketenpoort serve` starts a real uvicorn that answers /healthz and /docs, and stops on SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest


@pytest.mark.slow
def test_serve_command_answers_health_and_docs(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    env = {**os.environ, "KETENPOORT_DATABASE_URL": f"sqlite:///{tmp_path / 'kp.db'}",
           "KETENPOORT_SENDERS_FILE": str(tmp_path / "senders.toml"), "KETENPOORT_LOG_FORMAT": "json"}  # fmt: skip
    proc = subprocess.Popen(
        [sys.executable, "-m", "gateway", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        for _ in range(600):
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                time.sleep(0.05)
        assert r.json() == {"status": "ok"}
        assert httpx.get(f"http://127.0.0.1:{port}/docs").status_code == 200
        assert "/v1/berichten" in httpx.get(f"http://127.0.0.1:{port}/openapi.json").json()["paths"]
        # serve opened (and migrated) the real SQLite store named by KETENPOORT_DATABASE_URL
        assert httpx.get(f"http://127.0.0.1:{port}/readyz").json() == {"status": "ready"}
        assert (tmp_path / "kp.db").exists()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    # uvicorn re-raises the captured SIGTERM after a clean shutdown
    assert proc.returncode in (0, -signal.SIGTERM)
    assert b"Traceback" not in (proc.stderr.read() if proc.stderr else b"")
