"""schemathesis runs the official VSP-Koppeling documents against a running ``ketenpoort run``, with valid credentials.

Every operation of Push 1.0.2, Pull 1.0.0, Berichtstatus v3 (and v2), all of schemathesis's checks:
no 5xx, status codes, content types, bodies and headers as the documents say, schema-breaking
requests refused. The store holds real retours first, so the list, search, payload and status
answers are checked with content in them, not only empty. One adjustment, in the config file:
schema-valid requests may also be answered 404 (an unknown traceerId) and 422 (the Push document's
own "can never be accepted": an afzender the token may not send as, a payload that is not a message).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.api.support import free_port
from tests.support.reference import reference_path
from tests.vsp.support import PULL, Declaraties, auth, metadata, push, senders, wrong_total

pytestmark = pytest.mark.slow

DOCUMENTS = [
    ("VSP-Koppeling_Berichtuitwisseling_REST_Push_V1_-_1.0.2.json", "berichten/rest-push/v1"),
    ("VSP-Koppeling_Berichtuitwisseling_REST_Pull_V1_-_1.0.0.json", "berichten/rest-pull/v1"),
    ("vspkoppeling-berichtstatus-rest-pull-v3.json", "berichtstatus/rest-pull/v3"),
    ("VSP-Koppeling_Berichtstatus_REST_Pull_V2_-_2.1.0.json", "berichtstatus/rest-pull/v2"),
]


def _bin(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory, stream: Declaraties) -> Iterator[tuple[str, str, str]]:
    """``ketenpoort run`` on a SQLite file, with two pushed declaraties validated; (base URL, token, a traceerId)."""
    tmp = tmp_path_factory.mktemp("vsp-st")
    tokens = senders(tmp / "senders.toml", stream.aanbieder, "99999999", stream.gemeente)
    port = free_port()
    env = {
        **os.environ,
        "KETENPOORT_SENDERS_FILE": str(tmp / "senders.toml"),
        "KETENPOORT_DATABASE_URL": f"sqlite:///{tmp / 'kp.db'}",
        "KETENPOORT_DATA_DIR": str(tmp),
        "KETENPOORT_DEFAULT_ROUTE": "http://127.0.0.1:9/",  # nobody listens: relays retry, validation is done
        "KETENPOORT_LOG_LEVEL": "WARNING",
    }
    log = (tmp / "server.log").open("wb")
    proc = subprocess.Popen([_bin("ketenpoort"), "run", "--port", str(port)], env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=url, timeout=10.0) as client:
            while True:
                assert proc.poll() is None, (tmp / "server.log").read_text()
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            first = metadata(stream.aanbieder, stream.gemeente)
            for meta, doc in (
                (first, stream.jw323[0]),
                (metadata(stream.aanbieder, stream.gemeente), wrong_total(stream.jw323[1])),
            ):
                assert push(client, tokens.a, meta, doc).status_code == 204
            while len(client.get(f"{PULL}/berichten", headers=auth(tokens.a)).json()) < 2:
                time.sleep(0.1)
        yield url, tokens.a, first["referentiegegevens"]["traceerId"]
    finally:
        proc.terminate()
        proc.wait(timeout=60)
        log.close()


@pytest.mark.parametrize(("document", "base"), DOCUMENTS, ids=[d[1] for d in DOCUMENTS])
def test_the_official_document_finds_no_failure(
    running: tuple[str, str, str], document: str, base: str, tmp_path: Path
) -> None:
    """schemathesis (every check, positive and negative data) reports no failure for this document's operations."""
    url, token, traceer = running
    (tmp_path / "schemathesis.toml").write_text(
        f'[parameters]\ntraceerId = "{traceer}"\n\n'
        '[checks.positive_data_acceptance]\nexpected-statuses = ["2xx", "404", "422"]\n',
        encoding="utf-8",
    )
    command = [
        _bin("schemathesis"), "run", str(reference_path("vecozo-vsp", document)),
        "--url", f"{url}/vsp/berichtenservice/{base}", "--header", f"Authorization: Bearer {token}",
        "--checks", "all", "--max-examples", "60", "--seed", "18", "--no-color",
    ]  # fmt: skip
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    assert "passed" in done.stdout and " 0 passed" not in done.stdout
