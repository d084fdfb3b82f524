"""The registry agrees with the official rule texts: ids exist, retourcodes are the documented ones."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gateway.rules import RULES
from gateway.rules.gemeenten import cbs_gemeentecodes
from tests.support.reference import PROJECT_ROOT, reference_path

_RETOURCODE = re.compile(r"\|\s*Retourcode\s*\|\s*([0-9A-Z]{4}|n\.v\.t\.)\s*\|")


def _tr_doc(rule_id: str) -> Path | None:
    found = list(reference_path("ijw-3.2", "docs", "regels", "technische-regels").rglob(f"{rule_id}.md"))
    return found[0] if found else None


@pytest.mark.parametrize("rule_id", sorted(r for r in RULES if r.startswith("TR")))
def test_tr_retourcode_is_the_documented_one(rule_id: str) -> None:
    doc = _tr_doc(rule_id)
    assert doc is not None, f"{rule_id} has no rule text"
    match = _RETOURCODE.search(doc.read_text(encoding="utf-8"))
    assert match is not None
    # "n.v.t." (TR337, TR376: a JW325 has no retour of its own): the gateway refuses with the generic 0001
    assert RULES[rule_id].retourcode == (match.group(1) if match.group(1) != "n.v.t." else "0001")


def test_wj001_lists_every_specific_retourcode_with_its_rule() -> None:
    text = reference_path("ijw-3.2", "docs", "codelijsten", "WJ001_Retourcode.md").read_text(encoding="utf-8")
    pairs = set(re.findall(r"^\|\s*([0-9A-Z]{4})\s*\|[^|]*\|\s*(TR\d{3})\s*\|", text, flags=re.M))
    # TR382's own text gives 9069, which WJ001 still files under TR069, a rule the catalogue no longer has
    assert ("9069", "TR069") in pairs and _tr_doc("TR069") is None
    pairs.add(("9069", "TR382"))
    # TR355's own text gives 9355; WJ001 does not list it, the retour XSD's RetourCode enumeration does
    assert not any(code == "9355" for code, _ in pairs)
    pairs.add(("9355", "TR355"))
    for rule in RULES.values():
        if rule.retourcode != "0001":
            assert (rule.retourcode, rule.id) in pairs, rule.id


def test_constraint_ids_exist_in_the_constraints_document() -> None:
    text = reference_path(
        "ijw-3.2", "docs", "regels", "condities-constraints", "Condities_constraints_per_data-element.md"
    ).read_text(encoding="utf-8")
    documented = set(re.findall(r"^# Regel ((?:CS|CD)\d{3})\b", text, flags=re.M))
    mine = {r for r in RULES if r.startswith(("CS", "CD"))}
    assert mine - documented == set()


def test_rule_entries_are_complete() -> None:
    for rule in RULES.values():
        assert re.fullmatch(r"(TR|CS|CD)\d{3}", rule.id)
        assert re.fullmatch(r"[0-9A-Z]{4}", rule.retourcode)
        assert rule.description and rule.check.__doc__
        assert rule.message_types and rule.versions <= {"3.2", "2.3"}


def test_gemeente_list_is_built_from_the_cbs_table() -> None:
    text = reference_path("ijw-3.2", "docs", "codelijsten", "CBS_Gemeentecodes.md").read_text(encoding="utf-8")
    declared = int(re.search(r"Aantal gemeenten\s*\|\s*(\d+)", text).group(1))  # type: ignore[union-attr]
    codes = cbs_gemeentecodes()
    assert len(codes) == declared
    assert {"0034", "0363", "0384", "1916"} <= codes
    assert set(re.findall(r"^\|\s*(\d{4})\s*\|", text, flags=re.M)) == codes


def test_build_gemeenten_parses_rows(tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_gemeenten", PROJECT_ROOT / "mappings" / "build_gemeenten.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rows = module.parse(
        "| Code | Naam |\n| ---- | --- |\n| 0034 | Almere | Flevoland |\n| 0034 | dubbel |\n0363;Amsterdam\n"
    )
    assert rows == [("0034", "Almere"), ("0363", "Amsterdam")]
