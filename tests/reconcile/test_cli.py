"""The command line end to end: generate-population → reconcile → bridge and report; mapping show/export/coverage."""

from __future__ import annotations

import csv
import json
import random
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gateway.cli import app
from gateway.generate.cases import make_case
from gateway.generate.messages import jw301, jw305, jw323
from gateway.mapping import extract_facts
from gateway.pseudonym import Pseudonymiser
from gateway.reconcile import COLUMNS, STEPS
from gateway.validation import inspect

KEY = "k" * 32


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("KETENPOORT_PSEUDONYM_KEY", KEY)
    monkeypatch.setenv("KETENPOORT_DATA_DIR", str(tmp_path / "data"))
    return CliRunner()


def _ok(runner: CliRunner, args: list[str]) -> str:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return result.output


def test_generate_then_reconcile_matches_the_truth(runner: CliRunner, tmp_path: Path) -> None:
    pop, out = tmp_path / "pop", tmp_path / "run"
    _ok(runner, ["generate-population", "--gemeente", "0034", "--seed", "4", "--units", "700", "--out", str(pop)])
    truth = json.loads((pop / "truth.json").read_text(encoding="utf-8"))
    args = ["reconcile", "--gemeente", "GM0034", "--periode", ",".join(truth["perioden"]),
            "--peildatum", truth["peildatum"], "--trajecten", str(pop / "trajecten.csv"), "--cbs", str(pop / "cbs.csv"),
            "--datahuis", str(pop / "datahuis.csv"), "--out", str(out)]  # fmt: skip
    text = _ok(runner, args)
    assert "2018JJ: datahuis" in text
    assert re.search(r"datahuis: (\d+) of \1 published figures reproduced", text)
    bridge = json.loads((out / "bridge.json").read_text(encoding="utf-8"))
    assert bridge == truth["bridge"]
    assert all(set(row) == set(COLUMNS) for row in bridge)
    with (out / "bridge.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [{k: int(v) if k not in ("periode", "hulpvorm") else v for k, v in r.items()} for r in rows] == bridge
    for row in bridge:
        assert sum(row[s] for s in STEPS[:-1]) == row["verwacht_cbs"]
    html = (out / "report.html").read_text(encoding="utf-8")
    assert html.count("<svg") == 2 * len(truth["perioden"])
    assert "wijkt af" not in html and html.count(">klopt<") > 0  # the datahuis is reproduced
    assert truth["afwijkende_aanbieder"] in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//|<link|@import|<script""", html)  # nothing to fetch


def test_bsn_trajecten_are_pseudonymised_on_read(runner: CliRunner, tmp_path: Path) -> None:
    from gateway.generate.ijw import elfproef_bsn

    bsn = elfproef_bsn(random.Random(1))
    path = tmp_path / "t.csv"
    path.write_text(
        "client,aanbieder,productcode,begindatum,einddatum,gedeclareerd_op,financiering,woongemeente,gemeente\n"
        f"{bsn},11111111,45A03,2018-07-01,,2018-08-10,natura,0034,0034\n"
        f"{bsn},11111111,45A04,2018-07-01,,2018-08-10,natura,0034,0034\n",
        encoding="utf-8",
    )
    cbs = tmp_path / "cbs.csv"
    cbs.write_text("gemeente,periode,hulpvorm,jongeren\nGM0034,2018HJ2,totaal,1\n", encoding="utf-8")
    out = tmp_path / "run"
    text = _ok(runner, ["reconcile", "--gemeente", "0034", "--periode", "2018HJ2", "--peildatum", "2019-01-01",
                        "--trajecten", str(path), "--cbs", str(cbs), "--out", str(out)])  # fmt: skip
    assert bsn not in text
    total = json.loads((out / "bridge.json").read_text())[0]
    assert (total["datahuis_trajecten"], total["dubbele_trajecten"], total["verwacht_cbs"], total["onverklaard"]) == (
        2, -1, 1, 0)  # fmt: skip
    for name in ("bridge.json", "bridge.csv", "report.html"):
        assert bsn not in (out / name).read_text(encoding="utf-8")


def test_reconcile_refuses_bad_input(runner: CliRunner, tmp_path: Path) -> None:
    cbs = tmp_path / "cbs.csv"
    cbs.write_text("gemeente,periode,hulpvorm,jongeren\n", encoding="utf-8")
    bad = runner.invoke(app, ["reconcile", "--gemeente", "0034", "--periode", "2018H2", "--peildatum", "2019-01-01",
                              "--trajecten", str(cbs), "--cbs", str(cbs), "--out", str(tmp_path / "o")])  # fmt: skip
    assert bad.exit_code == 1 and "2018HJ2" in bad.output
    both = runner.invoke(app, ["reconcile", "--gemeente", "0034", "--periode", "2018HJ2", "--peildatum", "2019-01-01",
                               "--cbs", str(cbs), "--out", str(tmp_path / "o")])  # fmt: skip
    assert both.exit_code == 2


def test_mapping_show_and_export(runner: CliRunner, tmp_path: Path) -> None:
    shown = json.loads(_ok(runner, ["mapping", "show", "45A74", "--gemeente", "0034", "--on", "2018-07-01", "--json"]))
    assert (shown["cbs_hulpvorm"], shown["nationale_cbs_code"], shown["afwijking"]) == ("04", "02", True)
    national = json.loads(_ok(runner, ["mapping", "show", "45A74", "--on", "2018-07-01", "--json"]))
    assert national["cbs_hulpvorm"] == "02"
    assert runner.invoke(app, ["mapping", "show", "99Z99"]).exit_code == 1
    text = _ok(runner, ["mapping", "export", "--gemeente", "0034", "--format", "csv", "--on", "2018-07-01"])
    assert len(text.strip().splitlines()) == 442
    page = tmp_path / "e.html"
    _ok(runner, ["mapping", "export", "--gemeente", "0034", "--format", "html", "--out", str(page)])
    assert "Almere" in page.read_text(encoding="utf-8")


def _messages(tmp_path: Path) -> tuple[Path, list[str]]:
    rng = random.Random(3)
    folder = tmp_path / "msgs"
    folder.mkdir()
    cases = [make_case(rng, toewijzingnummer=i, referentie=f"R{i}", gemeente=("0034", "Almere"), aanbieder="12345678")
             for i in range(10)]  # fmt: skip
    (folder / "d.xml").write_bytes(
        jw323(cases, ident="D", month=date(2025, 7, 1), dag=date(2025, 8, 4), nummer="N", rng=rng, reference="X")
    )
    for i, case in enumerate(cases[:3]):
        (folder / f"t{i}.xml").write_bytes(jw301(case, ident=f"T{i}", dag=date(2025, 1, 2)))
        (folder / f"s{i}.xml").write_bytes(jw305(case, ident=f"S{i}", dag=date(2025, 8, 1), begin=case.ingang))
    uncoded = [c.product.code for c in cases if c.product.categorie in ("42", "47")]
    return folder, uncoded


def test_coverage_over_message_files(runner: CliRunner, tmp_path: Path) -> None:
    folder, uncoded = _messages(tmp_path)
    data = json.loads(_ok(runner, ["mapping", "coverage", str(folder), "--json"]))
    assert data["facts"] == 10 + 3 + 3
    assert {r["productcode"] for r in data["rows"]} == set(uncoded)
    assert sum(r["facts"] for r in data["rows"] if True) == data["zonder_cbs_codering"]
    assert runner.invoke(app, ["mapping", "coverage"]).exit_code == 2


def test_from_store_reads_the_stores_facts(runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--from-store reads the facts that the map stage's outcome wrote into a real SQLite store."""
    from gateway.config import load_settings
    from gateway.intake import submit
    from gateway.model import MessageStatus, Stage
    from gateway.store import open_store

    folder, uncoded = _messages(tmp_path)
    pseudo = Pseudonymiser(KEY.encode())
    monkeypatch.setenv("KETENPOORT_DATABASE_URL", f"sqlite:///{tmp_path / 'ketenpoort.db'}")
    store = open_store(load_settings(), migrate=True)
    facts = []
    try:
        for file in sorted(folder.glob("*.xml")):
            found = inspect(file.read_bytes(), rules=False)
            assert found.root is not None and found.kind is not None
            these = extract_facts(
                found.root, found.kind, pseudonymiser=pseudo, received_at=datetime(2025, 8, 5, tzinfo=UTC)
            )
            submit(store, file.read_bytes(), sender=None)  # the stages' outcomes as the worker commits them:
            job = store.claim([Stage.VALIDATE], "test", 30)  # accepted (the cross-message rules are not this
            assert job is not None  # test's subject), then mapped to these facts
            store.finish_validate(job, MessageStatus.ACCEPTED, [], None)
            job = store.claim([Stage.MAP], "test", 30)
            assert job is not None
            store.finish_map(job, these)
            facts += these
    finally:
        store.close()
    data = json.loads(_ok(runner, ["mapping", "coverage", "--from-store", "--json"]))
    assert data["facts"] == len(facts) and {r["productcode"] for r in data["rows"]} == set(uncoded)
    cbs = tmp_path / "cbs.csv"
    cbs.write_text("gemeente,periode,hulpvorm,jongeren\n0034,2025KW3,totaal,7\n", encoding="utf-8")
    out = tmp_path / "run"
    _ok(runner, ["reconcile", "--gemeente", "0034", "--periode", "2025KW3", "--peildatum", "2025-09-01",
                 "--from-store", "--cbs", str(cbs), "--out", str(out)])  # fmt: skip
    total = json.loads((out / "bridge.json").read_text())[0]
    assert total["datahuis_trajecten"] == 10  # one traject per declared client and product
    assert total["zonder_cbs_codering"] == -len(uncoded)
    assert total["verwacht_cbs"] == 10 - len(uncoded)


def test_from_store_without_a_store(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KETENPOORT_DATABASE_URL", "postgresql+psycopg://kp:geheim@127.0.0.1:1/nergens")
    result = runner.invoke(app, ["mapping", "coverage", "--from-store"])
    assert result.exit_code == 2  # said plainly, not a traceback
    assert "cannot open the store at postgresql+psycopg://kp:***@127.0.0.1:1/nergens" in result.output
    assert "geheim" not in result.output
