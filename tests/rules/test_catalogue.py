"""The catalogue list equals the official rule folders; ``rules list --coverage`` reports against it."""

from __future__ import annotations

import json
import re

from typer.testing import CliRunner

from gateway.cli import app
from gateway.rules import RULES
from gateway.rules.catalogue import CATALOGUE, CONDITIONS, NOT_APPLICABLE, coverage
from tests.support.reference import reference_path

runner = CliRunner()


def _official() -> dict[str, set[str]]:
    regels = reference_path("ijw-3.2", "docs", "regels")
    out = {
        folder: {p.stem for p in (regels / folder).glob("*.md")}
        for folder in CATALOGUE
        if folder.startswith("technische-regels/")
    }
    text = (regels / "condities-constraints" / "Condities_constraints_per_data-element.md").read_text(encoding="utf-8")
    out["condities-constraints"] = set(re.findall(r"^# Regel ((?:CS|CD)\d{3})\b", text, flags=re.M))
    return out


def test_catalogue_lists_exactly_the_official_rules_per_folder() -> None:
    """Our id list is the official one: every rule file and every CS/CD constraint, nothing else."""
    official = _official()
    assert set(official) == set(CATALOGUE)
    for folder, ids in CATALOGUE.items():
        assert set(ids) == official[folder], folder
        assert len(ids) == len(set(ids))


def test_every_registered_rule_is_in_the_catalogue() -> None:
    """The registry implements no rule id the catalogue does not have."""
    listed = {rule_id for ids in CATALOGUE.values() for rule_id in ids}
    assert set(RULES) <= listed
    assert not set(NOT_APPLICABLE) & set(RULES)


def test_coverage_statuses_follow_the_registry() -> None:
    """Implemented means registered; the rest is missing unless a reason says it does not apply."""
    found = coverage()
    assert len(found) == sum(len(ids) for ids in CATALOGUE.values())
    for c in found:
        expected = "implemented" if c.id in RULES else ("not applicable" if c.id in NOT_APPLICABLE else "missing")
        assert c.status == expected, c
        assert bool(c.why) == (c.status == "not applicable" or c.id in CONDITIONS)
    assert {c.id for c in found if c.status == "implemented"} == set(RULES)


def test_rules_list_coverage_json_and_table() -> None:
    """The CLI shows every catalogue rule with its status, as JSON and as a table with the counts."""
    result = runner.invoke(app, ["rules", "list", "--coverage", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [r["id"] for r in rows] == [c.id for c in coverage()]
    assert {r["id"]: r["status"] for r in rows}["TR063"] == "implemented"
    tr418 = next(r for r in rows if r["id"] == "TR418")
    assert tr418["status"] == "implemented" and "tariff table" in tr418["why"]  # its condition is said, not hidden
    table = runner.invoke(app, ["rules", "list", "--coverage"])
    assert table.exit_code == 0
    assert [r["id"] for r in rows if r["status"] != "implemented"] == []  # TR371 was the last one missing
    assert f"{len(rows)} catalogue rules: {len(rows)} implemented, 0 not applicable, 0 missing" in table.output
    assert len(rows) == len(RULES) == 121
