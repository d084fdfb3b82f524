"""``ketenpoort run``: the API and a worker in one process, on the embedded SQLite default; SIGTERM stops both."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from gateway.generate.stuf import stuf_traffic
from gateway.intake import submit
from gateway.pseudonym import Pseudonymiser
from gateway.store import Store
from tests.support.databases import TEST_PSEUDONYM_KEY
from tests.support.receiver import Receiver

HANG_GUARD_S = 60.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_run_serves_the_api_and_relays_in_one_process_until_sigterm(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ketenpoort.db'}"
    store = Store.open(url, migrate=True, pseudonymiser=Pseudonymiser(TEST_PSEUDONYM_KEY))
    port = _free_port()
    with Receiver() as receiver:
        env = {k: v for k, v in os.environ.items() if not k.startswith("KETENPOORT_")}
        if "KETENPOORT_STUF_JZ_PACKAGE" in os.environ:  # the session's installed StUF-JZ package (tests/conftest.py)
            env["KETENPOORT_STUF_JZ_PACKAGE"] = os.environ["KETENPOORT_STUF_JZ_PACKAGE"]
        env.update(
            KETENPOORT_DATABASE_URL=url,
            KETENPOORT_DATA_DIR=str(tmp_path),
            KETENPOORT_PSEUDONYM_KEY=TEST_PSEUDONYM_KEY.decode(),
            KETENPOORT_DEFAULT_ROUTE=receiver.url,
            KETENPOORT_POLL_INTERVAL_S="0.02",
            KETENPOORT_LOG_FORMAT="json",
        )
        proc = subprocess.Popen(
            [sys.executable, "-m", "gateway", "run", "--port", str(port), "--concurrency", "2"],
            env=env, stdout=subprocess.DEVNULL, stderr=(tmp_path / "run.log").open("wb"),
        )  # fmt: skip
        try:
            ids = {
                submit(store, data, sender=None).message_id for _, data in stuf_traffic(8, seed=8, duplicate_ratio=0)
            }
            deadline = time.monotonic() + HANG_GUARD_S
            ready = None
            while time.monotonic() < deadline and (ready != 200 or receiver.delivered_keys() != ids):
                time.sleep(0.1)
                try:
                    ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code
                except httpx.TransportError:
                    ready = None
            assert ready == 200, (tmp_path / "run.log").read_text()[-3000:]
            assert receiver.delivered_keys() == ids
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(HANG_GUARD_S) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert store.status_counts()["delivered"] == len(ids)
    store.close()
    lines = [json.loads(line) for line in (tmp_path / "run.log").read_text(encoding="utf-8").splitlines() if line]
    events = {line["event"] for line in lines}  # every line parsed as JSON: one format, uvicorn's lines too
    assert "senders.none_can_post" in events  # no senders file: `run` says nobody can post
    assert any(line.get("logger", "").startswith("uvicorn") for line in lines), sorted(events)
