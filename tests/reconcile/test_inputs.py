"""The published tables (CBS, datahuis), periods, and the one-call run() the API and CLI share."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from gateway.errors import InputError
from gateway.reconcile import from_records, parse_periode, parse_periodes, run
from gateway.reconcile import population as pop_module
from gateway.reconcile.inputs import read_cbs, read_datahuis


def test_cbs_table_is_filtered_to_the_gemeente_and_codes_are_padded(tmp_path: Path) -> None:
    path = tmp_path / "cbs.csv"
    path.write_text("gemeente,periode,hulpvorm,jongeren\nGM0034,2018HJ2,totaal,10\n34,2018hj2,2,4\n"
                    "GM0363,2018HJ2,totaal,99\n", encoding="utf-8")  # fmt: skip
    assert read_cbs(path, "0034") == {("2018HJ2", "totaal"): 10, ("2018HJ2", "02"): 4}
    path.write_text("gemeente,periode,hulpvorm,jongeren\nGM0034,2018HJ2,totaal,veel\n", encoding="utf-8")
    with pytest.raises(InputError, match="whole number"):
        read_cbs(path, "0034")
    path.write_text("gemeente,periode,jongeren\n", encoding="utf-8")
    with pytest.raises(InputError, match="missing columns"):
        read_cbs(path, "0034")


def test_datahuis_table(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("periode,hulpvorm_gemeente,gebruik\n2018HJ2,ambulant,12\n", encoding="utf-8")
    assert read_datahuis(path) == {("2018HJ2", "ambulant"): 12}


def test_periods() -> None:
    hj2, kw3, jj = (parse_periode(c) for c in ("2018HJ2", "2018kw3", "2018JJ"))
    assert (hj2.begin, hj2.end) == (date(2018, 7, 1), date(2018, 12, 31))
    assert (kw3.begin, kw3.end) == (date(2018, 7, 1), date(2018, 9, 30))
    assert (jj.begin, jj.end, jj.label) == (date(2018, 1, 1), date(2018, 12, 31), "jaar 2018")
    assert parse_periode("2020KW1").end == date(2020, 3, 31)
    assert [p.code for p in parse_periodes(["2018JJ,2018HJ2", "2018JJ"])] == ["2018JJ", "2018HJ2"]
    for bad in ("2018HJ3", "2018", "18HJ1", "2018KW5"):
        with pytest.raises(ValueError):
            parse_periode(bad)


def test_run_writes_the_three_files_and_returns_the_bridge(tmp_path: Path) -> None:
    pop = pop_module.generate("0034", seed=13, units=500)
    cbs = {(r["periode"], r["hulpvorm"]): r["jongeren"] for r in pop.cbs}
    rows = run(from_records(pop.trajecten), gemeente="0034", perioden=pop.perioden, peildatum=pop.peildatum,
               cbs=cbs, out=tmp_path / "r")  # fmt: skip
    assert rows == pop.truth
    assert json.loads((tmp_path / "r" / "bridge.json").read_text(encoding="utf-8")) == rows
    assert (tmp_path / "r" / "bridge.csv").read_text(encoding="utf-8").count("\n") == len(rows) + 1
    assert (tmp_path / "r" / "report.html").read_text(encoding="utf-8").startswith("<!doctype html>")
