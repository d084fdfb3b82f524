"""Look-ups: every JZ21 code resolves, validity dates and a gemeente's overrides apply."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from gateway import mapping
from gateway.mapping import export
from tests.support.reference import PROJECT_ROOT

JULY_2018 = date(2018, 7, 1)


@pytest.fixture
def tables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private copy of mappings/ that a test may edit."""
    target = tmp_path / "mappings"
    shutil.copytree(PROJECT_ROOT / "mappings", target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    monkeypatch.setenv("KETENPOORT_MAPPINGS_DIR", str(target))
    mapping.clear_caches()
    yield target
    mapping.clear_caches()


def test_every_national_code_resolves_on_any_day_since_2015() -> None:
    codes = mapping.all_codes()
    assert len(codes) == 450
    for code in codes:
        for day in (date(2015, 1, 1), JULY_2018, date(2030, 12, 31)):
            found = mapping.lookup(code, on=day)
            assert found is not None and found.productcode == code
    assert mapping.lookup("40A01", on=date(2014, 12, 31)) is None


def test_national_hulpvorm_and_dimensions() -> None:
    assert mapping.lookup("45A03", on=JULY_2018).cbs_hulpvorm == "02"  # type: ignore[union-attr]
    ots = mapping.lookup("48B12", on=JULY_2018)
    assert ots is not None and (ots.cbs_dimensie, ots.cbs_code, ots.cbs_hulpvorm) == ("maatregel", "11", None)
    vervoer = mapping.lookup("42A01", on=JULY_2018)
    assert vervoer is not None and vervoer.cbs_code is None and vervoer.cbs_hulpvorm is None
    assert mapping.lookup("99Z99", on=JULY_2018) is None


def test_almere_overrides_apply_with_their_own_validity() -> None:
    national = mapping.lookup("45A74", on=JULY_2018)
    almere = mapping.lookup("45A74", gemeente="GM0034", on=JULY_2018)
    assert national is not None and almere is not None
    assert (national.cbs_hulpvorm, almere.cbs_hulpvorm, almere.afwijking) == ("02", "04", True)
    assert almere.nationale_cbs_code == "02" and almere.hulpvorm_gemeente == "ambulant"
    # 45A75 has no national coding; Almere expects 02 only from 2018 on
    assert mapping.lookup("45A75", gemeente="34", on=date(2017, 12, 31)).cbs_hulpvorm is None  # type: ignore[union-attr]
    assert mapping.lookup("45A75", gemeente="0034", on=date(2018, 1, 1)).cbs_hulpvorm == "02"  # type: ignore[union-attr]


def test_most_specific_gemeente_rule_wins() -> None:
    pleeg = mapping.lookup("43A01", gemeente="0034", on=JULY_2018)
    assert pleeg is not None
    groups = {
        mapping.lookup(c, gemeente="0034", on=JULY_2018).hulpvorm_gemeente  # type: ignore[union-attr]
        for c in mapping.all_codes()
        if c.startswith("43") and mapping.lookup(c, on=JULY_2018).cbs_code == "11"  # type: ignore[union-attr]
    }
    assert groups == {"pleegzorg"}
    gesloten = [c for c in mapping.all_codes() if c.startswith("44") and mapping.lookup(c).cbs_code == "13"]  # type: ignore[union-attr]
    assert {mapping.lookup(c, gemeente="0034").hulpvorm_gemeente for c in gesloten} == {"gesloten"}  # type: ignore[union-attr]
    every = {m.hulpvorm_gemeente for m in mapping.expectations("0034", JULY_2018)}
    assert every == {"ambulant", "jeugd-ggz", "residentieel", "pleegzorg", "gesloten", "jeugdbescherming",
                     "jeugdreclassering"}  # fmt: skip


def test_a_gemeente_without_a_file_gets_the_national_coding() -> None:
    found = mapping.lookup("45A74", gemeente="0363", on=JULY_2018)
    assert found is not None and found.cbs_hulpvorm == "02" and found.hulpvorm_gemeente is None


def test_validity_dates_pick_the_version_in_force(tables: Path) -> None:
    csv_path = tables / "productcodes.csv"
    lines = csv_path.read_text(encoding="utf-8").splitlines()
    idx = next(i for i, line in enumerate(lines) if line.startswith("45A03,"))
    old = lines[idx].replace(",2015-01-01,,", ",2015-01-01,2018-12-31,")
    new = lines[idx].replace(",02,02,", ",04,04,").replace(",2015-01-01,,", ",2019-01-01,,")
    lines[idx : idx + 1] = [old, new]
    csv_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert mapping.lookup("45A03", on=date(2018, 12, 31)).cbs_hulpvorm == "02"  # type: ignore[union-attr]
    assert mapping.lookup("45A03", on=date(2019, 1, 1)).cbs_hulpvorm == "04"  # type: ignore[union-attr]
    in_2018 = mapping.lookup_in_period("45A03", gemeente=None, begin=date(2018, 7, 1), end=date(2018, 12, 31))
    assert in_2018 is not None and in_2018.cbs_hulpvorm == "02"


def test_a_code_that_ends_inside_a_period_uses_its_last_day(tables: Path) -> None:
    csv_path = tables / "productcodes.csv"
    text = csv_path.read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.startswith("45A04,"))
    csv_path.write_text(text.replace(line, line.replace(",2015-01-01,,", ",2015-01-01,2018-09-30,")), encoding="utf-8")
    assert mapping.lookup("45A04", on=date(2018, 12, 31)) is None
    found = mapping.lookup_in_period("45A04", gemeente=None, begin=date(2018, 7, 1), end=date(2018, 12, 31))
    assert found is not None and found.geldig_tot == date(2018, 9, 30)
    assert mapping.lookup_in_period("45A04", gemeente=None, begin=date(2019, 1, 1), end=date(2019, 6, 30)) is None


def test_equally_specific_rules_are_refused(tables: Path) -> None:
    path = tables / "gemeenten" / "0034.csv"
    path.write_text(path.read_text(encoding="utf-8") + ",45,,jeugd-ggz,,2015-01-01,,dubbel\n", encoding="utf-8")
    with pytest.raises(ValueError, match="equally specific"):
        mapping.lookup("45A03", gemeente="0034", on=JULY_2018)


def test_product_in_category() -> None:
    assert mapping.product_in_category("45A03", "45", JULY_2018)
    assert not mapping.product_in_category("45A03", "43", JULY_2018)
    assert mapping.product_in_category("34X01", "45", JULY_2018)  # a gemeente's own code: cannot be refuted


def test_normalise_gemeente() -> None:
    assert {mapping.normalise_gemeente(x) for x in ("GM0034", "34", "0034", " gm34 ")} == {"0034"}
    with pytest.raises(ValueError):
        mapping.normalise_gemeente("Almere")


def test_export_lists_declarable_codes_and_marks_deviations() -> None:
    rows = export.rows("0034", JULY_2018)
    assert len(rows) == 441  # 450 minus the nine category header rows
    deviating = {r["productcode"]: r["verwachte_cbs_code"] for r in rows if r["afwijking"]}
    assert deviating == {"45A74": "04", "45A75": "02", "47B14": "50", "47B15": "41"}
    text = export.to_csv(rows)
    assert text.splitlines()[0] == ",".join(export.COLUMNS)
    html = export.to_html(rows, "0034", JULY_2018)
    assert "Almere" in html and html.count("<tr") == 442 and "<script" not in html
    assert html.count('class="afwijking"') == 4
