"""POST /v1/operator/reconciliation/runs: the stored facts of one gemeente against a posted CBS table."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from gateway.api import create_app
from gateway.config import Settings
from gateway.generate.ijw import small_jw301
from gateway.intake import submit
from gateway.store import Store
from gateway.store.memory import MemoryStore
from tests.api.conftest import Tokens
from tests.api.support import drain
from tests.support.receiver import Receiver

STEPS = ("datahuis_trajecten", "pgb", "zonder_cbs_codering", "niet_woonachtig", "nagekomen", "dubbele_trajecten")


def test_run_from_stored_facts_adds_up_and_is_listed(
    settings: Settings, tokens: Tokens, store: Store, tmp_path: Path
) -> None:
    for seed in range(60, 72):
        submit(store, small_jw301(seed), sender=None)
    with Receiver() as rx:
        drain(store, rx.url)
    facts = [f for f in store.facts() if f.gemeente == "0034"]
    assert facts, "some toewijzingen are Almere's"
    jaar = facts[0].begindatum.year
    client = TestClient(create_app(settings.model_copy(update={"data_dir": tmp_path}), store=store))
    ops = {"Authorization": f"Bearer {tokens.operator}"}
    body = {"gemeente": "0034", "perioden": [f"{jaar}JJ"], "peildatum": f"{jaar + 1}-03-31",
            "cbs_csv": f"gemeente,periode,hulpvorm,jongeren\n0034,{jaar}JJ,totaal,5\n"}  # fmt: skip
    assert client.post("/v1/operator/reconciliation/runs", json=body, headers={"Authorization": f"Bearer {tokens.a}"}
                       ).status_code == 403  # fmt: skip
    r = client.post("/v1/operator/reconciliation/runs", json=body, headers=ops)
    assert r.status_code == 201, r.text
    run = r.json()
    total = next(row for row in run["bridge"] if row["hulpvorm"] == "totaal")
    assert total["cbs_gepubliceerd"] == 5
    assert total["verwacht_cbs"] == sum(total[s] for s in STEPS)  # the columns add up
    assert total["onverklaard"] == 5 - total["verwacht_cbs"]
    assert total["nagekomen"] > 0  # toewijzingen without a declaration yet: counted by CBS later
    listed = client.get("/v1/operator/reconciliation/runs", headers=ops).json()["items"]
    assert [item["id"] for item in listed] == [run["id"]]
    report = client.get(run["links"]["report"], headers=ops).text
    assert "<svg" in report and "http://" not in report.replace("http://www.w3.org", "")
    assert client.get(run["links"]["dashboard"], follow_redirects=False).status_code == 303  # needs a session
    again = client.post("/v1/operator/reconciliation/runs", json={**body, "gemeente": "GM0034"}, headers=ops)
    assert again.status_code == 201, again.text  # GM0034 finds the facts stored under 0034
    assert next(row for row in again.json()["bridge"] if row["hulpvorm"] == "totaal") == total


def test_bad_input_is_a_400_or_422_and_writes_no_run(
    settings: Settings, tokens: Tokens, memory_store: MemoryStore, tmp_path: Path
) -> None:
    client = TestClient(create_app(settings.model_copy(update={"data_dir": tmp_path}), store=memory_store))
    ops = {"Authorization": f"Bearer {tokens.operator}"}
    bad_period = {"gemeente": "0034", "perioden": ["2018H2"], "peildatum": "2019-01-01", "cbs_csv": "x"}
    assert client.post("/v1/operator/reconciliation/runs", json=bad_period, headers=ops).status_code == 422
    bad_csv = {"gemeente": "0034", "perioden": ["2018HJ2"], "peildatum": "2019-01-01",
               "cbs_csv": "gemeente,periode\n0034,2018HJ2\n"}  # fmt: skip
    r = client.post("/v1/operator/reconciliation/runs", json=bad_csv, headers=ops)
    assert r.status_code == 400 and r.json()["error"] == "bad_input"
    assert client.get("/v1/operator/reconciliation/runs", headers=ops).json()["items"] == []
    assert list((tmp_path / "reconcile").iterdir()) == []  # the failed run left nothing behind
