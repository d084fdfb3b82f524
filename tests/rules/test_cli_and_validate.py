"""Rule findings end to end: gateway.validate, `ketenpoort validate --json` and `ketenpoort rules list`."""

from __future__ import annotations

import json
from pathlib import Path

from lxml import etree
from typer.testing import CliRunner

from gateway.cli import app
from gateway.rules import RULES
from gateway.schemas import SchemaRegistry
from gateway.validation import validate
from tests.rules.cases import clean, recompute_total
from tests.rules.support import set_text
from tests.support.reference import reference_path

runner = CliRunner()
BAD_BSN = "123456789"


def _bad_bsn_jw301() -> bytes:
    root = clean("JW301")
    set_text(root, "Client/Bsn", BAD_BSN)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def test_validate_reports_rule_errors_on_an_xsd_valid_message() -> None:
    result = validate(_bad_bsn_jw301())
    assert result.well_formed and result.message_type == "JW301"
    assert [(e.kind, e.rule, e.retourcode, e.path) for e in result.errors] == [
        ("rule", "CS002", "0001", "/Bericht/Client/Bsn")
    ]
    assert result.valid is False
    assert BAD_BSN not in json.dumps(result.to_dict())


def test_validate_clean_message_is_valid_and_rules_can_be_switched_off() -> None:
    assert validate(etree.tostring(clean("JW301"))).valid
    assert validate(_bad_bsn_jw301(), rules=False).valid


def test_validate_jw323_against_official_schema_reports_total_mismatch() -> None:
    registry = SchemaRegistry([reference_path("ijw-3.2", "xsd")])
    root = clean("JW323")
    set_text(root, "//Prestatie/IngediendBedrag/Bedrag", "6250")
    set_text(root, "//Prestatie/GeleverdVolume", "5")
    data = etree.tostring(root)
    assert [(e.rule, e.retourcode) for e in validate(data, registry=registry).errors] == [("TR358", "0001")]
    recompute_total(root)
    assert validate(etree.tostring(root), registry=registry).valid


def test_cli_validate_json_carries_rule_and_retourcode(tmp_path: Path) -> None:
    path = tmp_path / "jw301.xml"
    path.write_bytes(_bad_bsn_jw301())
    result = runner.invoke(app, ["validate", "--json", str(path)])
    assert result.exit_code == 1, result.output
    assert BAD_BSN not in result.output
    line = json.loads(result.output.strip().splitlines()[-1])
    assert line["valid"] is False
    assert [(e["kind"], e["rule"], e["retourcode"]) for e in line["errors"]] == [("rule", "CS002", "0001")]
    assert line["errors"][0]["line"] > 0


def test_rules_list_json_lists_every_rule() -> None:
    result = runner.invoke(app, ["rules", "list", "--json"])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.output)
    assert [r["id"] for r in listed] == sorted(RULES)
    by_id = {r["id"]: r for r in listed}
    assert by_id["CS002"]["retourcode"] == "0001"
    assert by_id["TR135"]["retourcode"] == "8848"
    assert by_id["TR378"]["retourcode"] == "S300"
    assert by_id["TR056"]["needs_history"] is True
    assert "JW323" in by_id["TR358"]["message_types"]
    assert all(r["description"] and r["message_types"] for r in listed)


def test_rules_list_table_shows_ids_and_codes() -> None:
    result = runner.invoke(app, ["rules", "list"])
    assert result.exit_code == 0, result.output
    for rule in ("CS002", "TR358", "TR389"):
        assert rule in result.output
    assert f"{len(RULES)} rules" in result.output
