"""--from-store against the real store: facts kept by the map stage come back as trajecten for the bridge."""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gateway.cli import app
from gateway.generate.cases import make_case
from gateway.generate.messages import jw301, jw323
from gateway.mapping import extract_facts
from gateway.model import MessageStatus, Stage
from gateway.pseudonym import Pseudonymiser
from gateway.store import Store
from gateway.validation import inspect
from tests.store.helpers import record

KEY = "r" * 32


def _keep(store: Store, data: bytes, ident: str) -> int:
    found = inspect(data, rules=False)
    assert found.root is not None and found.kind is not None
    facts = extract_facts(found.root, found.kind, pseudonymiser=Pseudonymiser(KEY.encode()),
                          received_at=datetime(2025, 8, 5, tzinfo=UTC))  # fmt: skip
    store.intake(record(ident, payload=data, message_type=found.kind.message_type))
    job = store.claim([Stage.VALIDATE], "w", 30)
    assert job is not None
    store.finish_validate(job, MessageStatus.ACCEPTED, [], None)
    job = store.claim([Stage.MAP], "w", 30)
    assert job is not None
    store.finish_map(job, facts)
    return len(facts)


def test_reconcile_and_coverage_from_a_real_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'k.db'}"
    rng = random.Random(8)
    almere = [make_case(rng, toewijzingnummer=i, referentie=f"R{i}", gemeente=("0034", "Almere"), aanbieder="12345678")
              for i in range(12)]  # fmt: skip
    other = [make_case(rng, toewijzingnummer=100 + i, referentie=f"Q{i}", gemeente=("0363", "Amsterdam"),
                       aanbieder="12345678") for i in range(4)]  # fmt: skip
    store = Store.open(url, migrate=True)
    try:
        kept = _keep(store, jw323(almere, ident="D1", month=date(2025, 7, 1), dag=date(2025, 8, 4), nummer="N1",
                                  rng=rng, reference="X"), "D1")  # fmt: skip
        kept += _keep(store, jw323(other, ident="D2", month=date(2025, 7, 1), dag=date(2025, 8, 4), nummer="N2",
                                   rng=rng, reference="Y"), "D2")  # fmt: skip
        kept += _keep(store, jw301(almere[0], ident="T1", dag=date(2025, 1, 2)), "T1")
    finally:
        store.close()
    assert kept == 17
    monkeypatch.setenv("KETENPOORT_DATABASE_URL", url)
    monkeypatch.setenv("KETENPOORT_PSEUDONYM_KEY", KEY)
    monkeypatch.setenv("KETENPOORT_DATA_DIR", str(tmp_path))
    runner = CliRunner()
    result = runner.invoke(app, ["mapping", "coverage", "--from-store", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["facts"] == 17
    cbs = tmp_path / "cbs.csv"
    cbs.write_text("gemeente,periode,hulpvorm,jongeren\nGM0034,2025KW3,totaal,9\n", encoding="utf-8")
    out = tmp_path / "run"
    result = runner.invoke(app, ["reconcile", "--gemeente", "0034", "--periode", "2025KW3", "--peildatum",
                                 "2025-09-30", "--from-store", "--cbs", str(cbs), "--out", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    total = json.loads((out / "bridge.json").read_text(encoding="utf-8"))[0]
    uncoded = sum(1 for c in almere if c.product.categorie in ("42", "47"))
    assert total["datahuis_trajecten"] == 12  # Amsterdam's trajecten are not Almere's
    assert total["zonder_cbs_codering"] == -uncoded
    assert total["verwacht_cbs"] == 12 - uncoded and total["onverklaard"] == 9 - (12 - uncoded)
