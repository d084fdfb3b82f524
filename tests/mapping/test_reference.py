"""productcodes.csv and cbs_hulpvorm.csv agree with the official reference material, row by row."""

from __future__ import annotations

import csv
import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.support.reference import PROJECT_ROOT, reference_path

MAPPINGS = PROJECT_ROOT / "mappings"
# Rows whose CBS code we deliberately read differently from the source (see mappings/README.md).
ODD_CATEGORY = {"48B12", "48B13"}  # source names category 48 "Jeugdreclassering"; JZ020 says Jeugdbescherming


def _source() -> list[dict[str, Any]]:
    data = json.loads(reference_path("cbs", "jeugdwet_jz21_productcodes.json").read_text(encoding="utf-8"))
    return list(data["products"])


def _ours() -> dict[str, dict[str, str]]:
    with (MAPPINGS / "productcodes.csv").open(newline="", encoding="utf-8") as handle:
        return {r["productcode"]: r for r in csv.DictReader(handle)}


def _build_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("mappings_build", MAPPINGS / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _clean(value: Any) -> str:
    text = "" if value is None else str(value).strip()
    return "" if text == "-" else text


def test_every_source_code_is_in_our_table_once_and_nothing_else() -> None:
    source = _source()
    ours = _ours()
    assert len(source) == 450
    assert [s["productcode"] for s in source] == list(ours)


def test_each_row_agrees_with_the_source_field_by_field() -> None:
    ours = _ours()
    for src in _source():
        row = ours[src["productcode"]]
        assert row["omschrijving"] == _clean(src["omschrijving"]), src["productcode"]
        assert row["uitvoeringsvariant"] == _clean(src["uitvoeringsvariant"]), src["productcode"]
        assert row["cbs_code"] == _clean(src["dimensie_hulpvorm_code"]), src["productcode"]
        assert row["nza_declaratiecode"] == _clean(src["nza_declaratiecode"]), src["productcode"]
        categorie = _clean(src["productcategorie_code"])
        if categorie:
            assert row["productcategorie"] == categorie
            assert row["rijsoort"] == "product"
        else:  # a category header row: not declarable, categorised by its prefix
            assert row["rijsoort"] == "categoriekop"
            assert row["productcategorie"] == src["productcode"][:2]
            assert row["cbs_code"] == ""


def test_the_hulpvorm_column_is_the_cbs_code_only_for_jeugdhulp_categories() -> None:
    for code, row in _ours().items():
        if row["cbs_code"] and row["productcategorie"] not in ("47", "48", "49"):
            assert (row["cbs_dimensie"], row["cbs_hulpvorm"]) == ("hulpvorm", row["cbs_code"]), code
        else:
            assert row["cbs_hulpvorm"] == "", code


def test_build_script_reproduces_the_committed_csv(tmp_path: Path) -> None:
    build = _build_module()
    out = tmp_path / "productcodes.csv"
    build.write(build.build(reference_path("cbs", "jeugdwet_jz21_productcodes.json")), out)
    assert out.read_bytes() == (MAPPINGS / "productcodes.csv").read_bytes()


def test_odd_rows_are_flagged_on_purpose() -> None:
    ours = _ours()
    flagged = {code for code, row in ours.items() if row["opmerking"] and row["rijsoort"] == "product"}
    assert flagged == {"45A74", "45A75", "47B14", "47B15", "48B12", "48B13"}
    for code in ODD_CATEGORY:
        assert ours[code]["productcategorie_omschrijving"] == "Jeugdbescherming"
        assert "Jeugdreclassering" in ours[code]["opmerking"]
    assert "hoort niet bij CBS-code 02" in ours["45A74"]["opmerking"]
    assert ours["45A75"]["cbs_code"] == ""
    assert "harde kern" in ours["47B14"]["opmerking"]


def test_cbs_code_lists_agree_with_the_protocol() -> None:
    path = reference_path("cbs", "cbs_beleidsinformatie_jeugd_codes_protocol_v2_2015.csv")
    with path.open(newline="", encoding="utf-8") as handle:
        ref = list(csv.DictReader(handle))
    with (MAPPINGS / "cbs_hulpvorm.csv").open(newline="", encoding="utf-8") as handle:
        ours = list(csv.DictReader(handle))
    expected = {("hulpvorm", r["code"]): r["omschrijving"] for r in ref if r["variabele"] == "hulpvorm"}
    for r in ref:
        if r["variabele"] == "type_maatregel":
            code = int(r["code"])
            dim = "jeugdreclassering" if 41 <= code <= 63 else "maatregel"
            expected[(dim, r["code"])] = r["omschrijving"]
    assert {(r["dimensie"], r["code"]): r["omschrijving"] for r in ours} == expected
    assert all(r["kort"] for r in ours)


@pytest.mark.parametrize("code", ["40A01", "43A58", "45A75", "50A01"])
def test_source_rows_without_cbs_coding_have_none_in_ours(code: str) -> None:
    src = {s["productcode"]: s for s in _source()}[code]
    if _clean(src["dimensie_hulpvorm_code"]):
        assert _ours()[code]["cbs_code"] == src["dimensie_hulpvorm_code"]
    else:
        assert _ours()[code]["cbs_code"] == ""
