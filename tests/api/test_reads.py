"""Listing, ?wait=true, idempotency, coverage and reconciliation endpoints, and the access log."""

from __future__ import annotations

import io
import json
import re
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from gateway import mapping
from gateway.api import create_app
from gateway.api.operator import coverage_report
from gateway.config import Settings
from gateway.facts import Fact, FactKind
from gateway.generate.ijw import small_jw301
from gateway.model import MessageStatus
from gateway.store import Store
from gateway.store.memory import MemoryStore
from tests.api.conftest import OIN_A, OIN_R, Tokens
from tests.api.support import all_messages, background_worker, drain
from tests.support.receiver import Receiver
from tests.support.stuf_builders import build_di01


def _h(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/xml"}


def _di01(ref: str) -> bytes:
    return build_di01("meldingGeneriekDi01", zender_oin=OIN_A, ontvanger_oin=OIN_R, referentienummer=ref)


@pytest.fixture
def client(settings: Settings, memory_store: MemoryStore, tmp_path: Path) -> TestClient:
    return TestClient(create_app(settings.model_copy(update={"data_dir": tmp_path}), store=memory_store))


def test_list_pages_through_every_own_message_once(
    settings: Settings, store: Store, tokens: Tokens, tmp_path: Path
) -> None:
    """On the real store, the reads router end to end: the keyset cursor of the SQL adapter pages every message."""
    client = TestClient(create_app(settings.model_copy(update={"data_dir": tmp_path}), store=store))
    posted = {
        client.post("/v1/berichten", content=_di01(f"L-{i}"), headers=_h(tokens.a)).json()["id"] for i in range(5)
    }
    seen: list[str] = []
    url: str | None = "/v1/berichten?limit=2"
    while url:
        page = client.get(url, headers=_h(tokens.a)).json()
        assert len(page["items"]) <= 2
        seen += [item["id"] for item in page["items"]]
        url = page["links"].get("next")
    assert sorted(seen) == sorted(posted) and len(seen) == 5
    assert seen == sorted(seen, reverse=True)  # newest first
    assert client.get("/v1/berichten", headers=_h(tokens.b)).json()["items"] == []


def test_list_filters_by_status_and_since(client: TestClient, memory_store: MemoryStore, tokens: Tokens) -> None:
    first = client.post("/v1/berichten", content=_di01("S-1"), headers=_h(tokens.a)).json()["id"]
    with Receiver() as rx:
        drain(memory_store, rx.url)
    second = client.post("/v1/berichten", content=_di01("S-2"), headers=_h(tokens.a)).json()["id"]
    delivered = client.get("/v1/berichten?status=delivered", headers=_h(tokens.a)).json()["items"]
    assert [m["id"] for m in delivered] == [first] and delivered[0]["status"] == "delivered"
    found = memory_store.get_message(second)
    assert found is not None
    since = found.received_at.isoformat()
    later = client.get("/v1/berichten", params={"since": since}, headers=_h(tokens.a)).json()["items"]
    assert [m["id"] for m in later] == [second]
    r = client.get("/v1/berichten?since=yesterday", headers=_h(tokens.a))
    assert r.status_code == 400 and r.json()["error"] == "bad_since"


def test_wait_true_returns_verdict_errors_and_retour(
    client: TestClient, memory_store: MemoryStore, tokens: Tokens
) -> None:
    bad_bsn = re.sub(rb"<jw301:Bsn>\d+<", b"<jw301:Bsn>123456789<", small_jw301(3))
    with Receiver() as rx, background_worker(memory_store, rx.url):
        r = client.post("/v1/berichten?wait=true", content=bad_bsn, headers=_h(tokens.operator))
    body = r.json()
    assert r.status_code == 202 and body["status"] == "rejected" and body["waited"] is True
    assert body["errors"] and all(e["retourcode"] for e in body["errors"] if e["kind"] == "rule")
    assert body["retour"].startswith("<?xml") and "jw302" in body["retour"].lower()
    assert "123456789" not in json.dumps(body["errors"])
    detail = client.get(body["links"]["self"], headers=_h(tokens.operator)).json()
    assert (detail["status"], detail["verdict"]) == ("rejected", "rejected")
    assert detail["errors"] == body["errors"] and detail["deliveries"] == []
    assert [e["event"] for e in detail["audit"]] == ["message.received", "message.rejected"]
    assert "payload" not in detail and "retour" not in detail
    retour = client.get(body["links"]["retour"], headers=_h(tokens.operator))
    assert retour.headers["content-type"].startswith("application/xml") and retour.text == body["retour"]


def test_same_bytes_again_answer_200_with_duplicate_of(
    client: TestClient, memory_store: MemoryStore, tokens: Tokens
) -> None:
    """A resend of the same bytes (same Idempotency-Key or identification) is 200 naming the first; no new row."""
    one = client.post("/v1/berichten", content=_di01("I-1"), headers={**_h(tokens.a), "Idempotency-Key": "k1"})
    two = client.post("/v1/berichten", content=_di01("I-1"), headers={**_h(tokens.a), "Idempotency-Key": "k1"})
    three = client.post("/v1/berichten", content=_di01("I-1"), headers=_h(tokens.a))
    assert one.status_code == 202 and "duplicate_of" not in one.json()
    first = one.json()["id"]
    for again in (two, three):
        assert again.status_code == 200, again.text
        assert (again.json()["id"], again.json()["status"], again.json()["duplicate_of"]) == (first, "duplicate", first)
    assert len(all_messages(memory_store)) == 1
    reused = client.post("/v1/berichten", content=_di01("I-2"), headers={**_h(tokens.a), "Idempotency-Key": "k1"})
    assert reused.status_code == 202 and reused.json()["resend_of"] == first  # other bytes: never a duplicate
    assert len(all_messages(memory_store)) == 2


def _fact(code: str, aanbieder: str, client: str, bedrag: int) -> Fact:
    found = mapping.lookup(code, on=date(2018, 7, 1))
    return Fact(kind=FactKind.PRESTATIE, client=client, aanbieder=aanbieder, gemeente="0034",
                productcategorie=code[:2], productcode=code, cbs_hulpvorm=found.cbs_code if found else None,
                begindatum=date(2018, 7, 1), einddatum=None, volume=3, eenheid="14", bedrag_cent=bedrag)  # fmt: skip


def test_coverage_report_groups_uncoded_codes_per_aanbieder() -> None:
    class Facts:
        def iter_facts(self) -> list[Fact]:
            return [_fact("45A01", "11111111", "p1", 100), _fact("40A00", "11111111", "p1", 500),
                    _fact("40A00", "11111111", "p2", 700), _fact("41A00", "22222222", "p3", 50)]  # fmt: skip

    got = coverage_report(Facts())
    assert got["facts"] == 4 and got["zonder_cbs_codering"] == 3
    first = got["rows"][0]
    assert (first["aanbieder"], first["productcode"], first["facts"], first["clienten"], first["bedrag"]) == (
        "11111111",
        "40A00",
        2,
        2,
        1200,
    )
    assert first["volume"] == {"14": 6} and [r["productcode"] for r in got["rows"]] == ["40A00", "41A00"]


def test_coverage_over_facts_the_pipeline_stored(client: TestClient, memory_store: MemoryStore, tokens: Tokens) -> None:
    for seed in range(40, 46):  # accepted toewijzingen: one fact each (a JW323 would need their history first)
        client.post("/v1/berichten", content=small_jw301(seed), headers=_h(tokens.operator))
    with Receiver() as rx:
        drain(memory_store, rx.url)
    stored = memory_store.facts()
    assert len(stored) == 6, "the map stage keeps one fact per toegewezen product"
    assert client.get("/v1/operator/mapping/coverage", headers=_h(tokens.a)).status_code == 403
    got = client.get("/v1/operator/mapping/coverage", headers=_h(tokens.operator)).json()
    assert got["facts"] == 6
    assert got["zonder_cbs_codering"] == sum(1 for f in stored if f.cbs_hulpvorm is None and f.productcode)
    assert sum(r["facts"] for r in got["rows"]) == got["zonder_cbs_codering"]


def _run(data_dir: Path, name: str, rows: list[dict[str, object]], html: str | None) -> None:
    path = data_dir / "reconcile" / name
    path.mkdir(parents=True)
    (path / "bridge.json").write_text(json.dumps(rows))
    if html is not None:
        (path / "report.html").write_text(html)


BRIDGE = [{"periode": "2018HJ2", "hulpvorm": "totaal", "datahuis_trajecten": 100, "pgb": -10,
           "zonder_cbs_codering": -5, "niet_woonachtig": -3, "nagekomen": 4, "dubbele_trajecten": -6,
           "verwacht_cbs": 80, "cbs_gepubliceerd": 83, "onverklaard": 3}]  # fmt: skip


def test_reconciliation_runs_and_reports(client: TestClient, tokens: Tokens, tmp_path: Path) -> None:
    _run(tmp_path, "almere-2018", BRIDGE, "<html><body><h1>Rapport</h1></body></html>")
    _run(tmp_path, "no-report", BRIDGE, None)
    (tmp_path / "reconcile" / "broken").mkdir()
    (tmp_path / "reconcile" / "broken" / "bridge.json").write_text("{not json")
    ops = _h(tokens.operator)
    runs = client.get("/v1/operator/reconciliation/runs", headers=ops).json()["items"]
    assert sorted(r["id"] for r in runs) == ["almere-2018", "no-report"]
    one = client.get("/v1/operator/reconciliation/runs/almere-2018", headers=ops).json()
    assert one["bridge"] == BRIDGE and one["periods"] == ["2018HJ2"]
    report = client.get(one["links"]["report"], headers=ops)
    assert report.status_code == 200 and "<h1>Rapport</h1>" in report.text
    assert "default-src 'none'" in report.headers["content-security-policy"]
    assert client.get("/v1/operator/reconciliation/runs/no-report/report.html", headers=ops).status_code == 404
    assert client.get("/v1/operator/reconciliation/runs/broken", headers=ops).status_code == 404


def test_access_log_has_no_bsn_no_token_no_raw_path(
    client: TestClient, memory_store: MemoryStore, tokens: Tokens, access_log: io.StringIO
) -> None:
    doc = small_jw301(4)
    bsn = re.search(rb"<jw301:Bsn>(\d+)<", doc).group(1).decode()  # type: ignore[union-attr]
    with Receiver() as rx, background_worker(memory_store, rx.url):
        mid = client.post("/v1/berichten?wait=true", content=doc, headers=_h(tokens.operator)).json()["id"]
    client.get(f"/v1/berichten/{mid}", headers=_h(tokens.operator))
    client.get(f"/v1/berichten/{bsn}", headers=_h(tokens.operator))
    client.get(f"/v1/berichten?since={bsn}", headers=_h(tokens.operator))
    client.get("/v1/berichten", headers={"Authorization": f"Bearer {tokens.a}x"})
    lines = [json.loads(line) for line in access_log.getvalue().splitlines()]
    requests = [e for e in lines if e.get("event") == "request"]
    assert [e["status"] for e in requests] == [202, 200, 404, 400, 401]
    assert {e["route"] for e in requests} == {"/v1/berichten", "/v1/berichten/{mid}"}
    text = access_log.getvalue()
    assert bsn not in text and tokens.operator not in text and tokens.a not in text
    found = memory_store.get_message(mid)
    assert found is not None and found.status is not MessageStatus.RECEIVED


def test_wait_true_without_a_worker_answers_received_after_the_cap(
    client: TestClient, tokens: Tokens, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gateway.api import berichten

    monkeypatch.setattr(berichten, "WAIT_CAP_S", 0.2)
    body = client.post("/v1/berichten?wait=true", content=_di01("W-1"), headers=_h(tokens.a)).json()
    assert (body["status"], body["waited"], body["errors"]) == ("received", False, [])
    assert "retour" not in body and body["links"]["self"] == f"/v1/berichten/{body['id']}"
