"""On generated populations every bridge column equals the injected ground truth exactly, and the columns add up."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gateway.pseudonym import Pseudonymiser
from gateway.reconcile import STEPS, TOTAAL, from_records, read_csv, reconcile
from gateway.reconcile import population as pop_module
from gateway.reconcile.inputs import read_cbs, read_datahuis

CASES = [(0, 60), (1, 400), (2, 1500), (3, 4000), (11, 900)]


def _cbs(pop: pop_module.Population) -> dict[tuple[str, str], int]:
    return {(r["periode"], r["hulpvorm"]): r["jongeren"] for r in pop.cbs}


@pytest.mark.parametrize(("seed", "units"), CASES)
def test_bridge_equals_injected_truth(seed: int, units: int) -> None:
    pop = pop_module.generate("0034", seed=seed, units=units)
    result = reconcile(from_records(pop.trajecten), gemeente="0034", perioden=pop.perioden,
                       peildatum=pop.peildatum, cbs=_cbs(pop))  # fmt: skip
    got = [r.to_dict() for r in result.rows]
    assert got == pop.truth
    for row in got:
        assert sum(row[s] for s in STEPS[:-1]) == row["verwacht_cbs"]
        assert row["verwacht_cbs"] + row["onverklaard"] == row["cbs_gepubliceerd"]
        assert row["pgb"] <= 0 and row["zonder_cbs_codering"] <= 0 and row["niet_woonachtig"] <= 0
        assert row["nagekomen"] >= 0 and row["dubbele_trajecten"] <= 0


def test_every_effect_is_present_in_a_large_population() -> None:
    pop = pop_module.generate("0034", seed=3, units=4000)
    year = next(r for r in pop.truth if r["periode"] == "2018JJ" and r["hulpvorm"] == TOTAAL)
    assert all(year[s] != 0 for s in (*STEPS, "onverklaard"))
    assert pop.injected["afwijking_hercodering"] > 0 and pop.injected["afwijking_weggelaten"] > 0
    four = next(r for r in pop.truth if r["periode"] == "2018JJ" and r["hulpvorm"] == "04")
    two = next(r for r in pop.truth if r["periode"] == "2018JJ" and r["hulpvorm"] == "02")
    assert four["onverklaard"] < 0 < two["onverklaard"]


def test_the_deviating_aanbieder_tops_the_unexplained_rest() -> None:
    pop = pop_module.generate("0034", seed=2, units=3000)
    result = reconcile(from_records(pop.trajecten), gemeente="0034", perioden=pop.perioden,
                       peildatum=pop.peildatum, cbs=_cbs(pop))  # fmt: skip
    for detail in result.details:
        assert detail.aanbieders[0].aanbieder == pop_module.AFWIJKER, detail.periode


def test_written_files_round_trip_and_reproduce_the_datahuis(tmp_path: Path) -> None:
    pop = pop_module.generate("0034", seed=7, units=800)
    paths = pop_module.write(pop, tmp_path)
    truth = json.loads(paths["truth.json"].read_text(encoding="utf-8"))
    assert truth["afwijkende_aanbieder"] == pop_module.AFWIJKER and truth["peildatum"] == "2019-03-01"
    data = read_csv(paths["trajecten.csv"], pseudonymiser=Pseudonymiser(b"x" * 32))
    result = reconcile(data, gemeente="0034", perioden=pop.perioden, peildatum=pop.peildatum,
                       cbs=read_cbs(paths["cbs.csv"], "0034"))  # fmt: skip
    assert [r.to_dict() for r in result.rows] == truth["bridge"]
    published = read_datahuis(paths["datahuis.csv"])
    for detail in result.details:
        mine = {(detail.periode.code, g): n for g, n in detail.datahuis_groepen.items()}
        theirs = {k: v for k, v in published.items() if k[0] == detail.periode.code}
        assert mine == theirs


def test_same_seed_same_population() -> None:
    a = pop_module.generate("0034", seed=9, units=300)
    b = pop_module.generate("0034", seed=9, units=300)
    c = pop_module.generate("0034", seed=10, units=300)
    assert a.trajecten == b.trajecten and a.truth == b.truth
    assert a.trajecten != c.trajecten
