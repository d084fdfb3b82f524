"""Findings through the API: paged, counted exactly, and never a BSN on any error path.

Over a MemoryStore, but for the 1,500 findings paged and counted, which go through the real store.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from gateway.api import create_app
from gateway.config import Settings
from gateway.generate import large_jw323, small_jw301
from gateway.store import Store
from gateway.store.memory import MemoryStore
from tests.api.conftest import Tokens
from tests.api.support import drain
from tests.support.receiver import Receiver

BSN = "999969079"  # passes the elfproef
IDENTIFICATIE = "123456782"  # passes it too, and is a BerichtIdentificatie here: it must survive


def _h(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/xml"}


@pytest.fixture
def client(settings: Settings, memory_store: MemoryStore, tmp_path: Path) -> TestClient:
    return TestClient(create_app(settings.model_copy(update={"data_dir": tmp_path}), store=memory_store))


def _faulty_jw323(prestaties: int) -> bytes:
    """Every Prestatie claims one cent more than volume x tarief: one TR346 finding each."""
    text = large_jw323(prestaties, seed=4).decode()
    more = lambda m: f"<ijw:Bedrag>{int(m.group(1)) + 1}</ijw:Bedrag>"  # noqa: E731
    return re.sub(r"<ijw:Bedrag>(\d+)</ijw:Bedrag>", more, text).encode()


NOT_WELL_FORMED = {
    "undefined prefix": f"<q{BSN}:Bsn>1</q{BSN}:Bsn>".encode(),
    "repeated attribute": f'<Bericht a{BSN}="1" a{BSN}="2"/>'.encode(),
    "tag mismatch": f"<Bericht><Bsn{BSN}></Bericht>".encode(),
    "bsn element name": f"<{BSN}/>".encode(),
}


@pytest.mark.parametrize("name", sorted(NOT_WELL_FORMED))
def test_the_http_400_of_a_parse_error_never_echoes_a_bsn(client: TestClient, tokens: Tokens, name: str) -> None:
    """libxml2 quotes names and prefixes; the 400 says what is wrong without the BSN inside them."""
    r = client.post("/v1/berichten", content=NOT_WELL_FORMED[name], headers=_h(tokens.operator))
    assert r.status_code == 400
    assert r.json()["error"] == "not_well_formed" and r.json()["message"]
    assert BSN not in r.text


def test_a_422_does_not_echo_a_bsn_from_the_query(client: TestClient, tokens: Tokens) -> None:
    """FastAPI's validation errors quote the input; the handler scrubs it like every error body."""
    r = client.get(f"/v1/berichten?limit={BSN}x", headers=_h(tokens.operator))
    assert r.status_code == 422
    assert BSN not in r.text and "[bsn]" in r.text


def test_stored_xsd_findings_and_their_paths_carry_no_bsn_but_the_identificatie_survives(
    client: TestClient, memory_store: MemoryStore, tokens: Tokens, access_log: io.StringIO
) -> None:
    """A BSN in an attribute name and a prefix is masked in findings, API and audit; the 9-digit id is kept."""
    doc = small_jw301(seed=1).replace(b"<ijw:Identificatie>607069464", f"<ijw:Identificatie>{IDENTIFICATIE}".encode())
    doc = doc.replace(b"xmlns:jw301=", f"xmlns:q{BSN}=".encode(), 1).replace(b"jw301:", f"q{BSN}:".encode())
    doc = doc.replace(f"<q{BSN}:Client>".encode(), f'<q{BSN}:Client a{BSN}="1">'.encode(), 1)
    mid = client.post("/v1/berichten", content=doc, headers=_h(tokens.operator)).json()["id"]
    with Receiver() as rx:
        drain(memory_store, rx.url)
    detail = client.get(f"/v1/berichten/{mid}", headers=_h(tokens.operator))
    assert detail.json()["status"] == "rejected"
    assert detail.json()["errors"][0]["path"] == "/Bericht/Client"
    assert BSN not in detail.text
    events = [e for e in detail.json()["audit"] if e["event"] == "message.received"]
    assert events[0]["data"]["external_id"] == IDENTIFICATIE  # a BerichtIdentificatie is no BSN
    assert BSN not in access_log.getvalue()


def test_findings_are_paged_and_counted_exactly(
    settings: Settings, store: Store, tokens: Tokens, tmp_path: Path
) -> None:
    """1,500 faults: the message shows the first page, the counts say 1,500, and the pages hold every kept finding.

    On the real store (SQLite, PostgreSQL): the kept findings and their exact counts go through the SQL adapter.
    """
    client = TestClient(create_app(settings.model_copy(update={"data_dir": tmp_path}), store=store))
    mid = client.post("/v1/berichten", content=_faulty_jw323(1500), headers=_h(tokens.operator)).json()["id"]
    with Receiver() as rx:
        drain(store, rx.url)
    body = client.get(f"/v1/berichten/{mid}", headers=_h(tokens.operator)).json()
    assert body["status"] == "rejected"
    assert body["error_counts"]["TR346"] == 1500
    assert body["errors_total"] == sum(body["error_counts"].values()) >= 1500
    assert len(body["errors"]) == 100
    assert body["errors_kept"] == sum(min(100, n) for n in body["error_counts"].values())  # the first 100 of each
    seen: list[dict[str, object]] = []
    url: str | None = body["links"]["errors"] + "?limit=60"
    while url:
        page = client.get(url, headers=_h(tokens.operator)).json()
        assert len(page["items"]) <= 60 and page["total"] == body["errors_total"]
        seen += page["items"]
        url = page["links"].get("next")
    assert len(seen) == body["errors_kept"] and seen[:100] == body["errors"]
    other = client.get(f"/v1/berichten/{mid}/errors", headers=_h(tokens.a))
    assert other.status_code == 404  # paging sees only what the message view may see
    client.post("/dashboard/login", data={"token": tokens.operator})
    html = client.get(f"/dashboard/berichten/{mid}").text
    assert 'id="findings-paging"' in html and f"/dashboard/berichten/{mid}?offset=100" in html
    assert "1500" in html or "1,500" in html or str(body["errors_total"]) in html
    second = client.get(f"/dashboard/berichten/{mid}?offset=100").text
    assert seen[100]["message"] in second  # type: ignore[operator]


def test_ketenpoort_validate_never_prints_a_bsn(tmp_path: Path) -> None:
    """The CLI's table and JSON output, for parse errors with BSNs in prefixes and names, carry none of them."""
    for name, data in NOT_WELL_FORMED.items():
        (tmp_path / f"{name.replace(' ', '_')}.xml").write_bytes(data)
    doc = small_jw301(seed=1).replace(b"<jw301:Client>", f'<jw301:Client a{BSN}="1">'.encode(), 1)
    (tmp_path / "attribute.xml").write_bytes(doc)
    env = {**os.environ, "KETENPOORT_LOG_FORMAT": "json", "COLUMNS": "200"}
    for extra in ([], ["--json"]):
        proc = subprocess.run(
            [sys.executable, "-m", "gateway", "validate", *extra, str(tmp_path)],
            capture_output=True,
            env=env,
            check=False,
            timeout=300,
        )
        assert proc.returncode == 1
        out = proc.stdout.decode() + proc.stderr.decode()
        assert BSN not in out and "[bsn]" in out
        if extra:
            assert all(json.loads(line)["valid"] is False for line in proc.stdout.decode().splitlines())
