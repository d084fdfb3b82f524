"""The schema registry picks the right schema per root, and `ketenpoort validate` keeps its contract."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gateway.cli import app
from gateway.schemas import BUNDLED_SCHEMAS, SchemaRegistry, classify_root
from gateway.validation import validate
from tests.support.reference import reference_path

runner = CliRunner()


def _json_lines(output: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def test_classify_ijw_and_stuf_roots() -> None:
    """Namespace + root name tell standard, message type and version."""
    ijw = classify_root("http://www.istandaarden.nl/ijw/3_2/jw323/schema", "Bericht", None)
    assert ijw is not None
    assert (ijw.standard, ijw.message_type, ijw.version) == ("ijw", "JW323", "3.2")
    old = classify_root("http://www.istandaarden.nl/ijw/2_3/jw303/schema", "Bericht", None)
    assert old is not None
    assert (old.message_type, old.version) == ("JW303", "2.3")
    stuf = classify_root("http://www.stufstandaarden.nl/koppelvlak/jz0100", "vtoDi01", "1.0.9")
    assert stuf is not None
    assert (stuf.standard, stuf.message_type, stuf.version) == ("stuf-jz", "vtoDi01", "1.0.9")
    ack = classify_root("http://www.egem.nl/StUF/StUF0301", "Bv03Bericht", "1.0.9")
    assert ack is not None
    assert ack.message_type == "Bv03"
    assert classify_root("urn:other", "Bericht", None) is None


def test_official_package_wins_over_bundled() -> None:
    """An extra schema directory is searched before the bundled schemas/ folder."""
    official = reference_path("ijw-3.2", "xsd")
    registry = SchemaRegistry([official])
    entry = registry.lookup("http://www.istandaarden.nl/ijw/3_2/jw323/schema", "Bericht")
    assert entry is not None
    assert entry.package == official


def test_official_stuf_package_detects_every_group() -> None:
    """With the official StUF-JZ package loaded, Di01 roots of all four groups are known, version 1.0.9."""
    registry = SchemaRegistry([reference_path("stuf-jeugdzorg-1.0.9", "xsd")], bundled=None)
    ns = "http://www.stufstandaarden.nl/koppelvlak/jz0100"
    for root in ("vtoDi01", "notificatiejrDi01", "vtMeldingDi01", "vcobDi01", "meldingGeneriekDi01"):
        entry = registry.lookup(ns, root)
        assert entry is not None, root
        assert entry.kind.version == "1.0.9"
    assert registry.lookup("http://www.egem.nl/StUF/StUF0301", "Fo03Bericht") is not None


def test_schema_is_compiled_once_per_thread() -> None:
    """Validating twice reuses the compiled schema instead of compiling again."""
    registry = SchemaRegistry([reference_path("ijw-3.2", "xsd")])
    entry = registry.lookup("http://www.istandaarden.nl/ijw/3_2/jw301/schema", "Bericht")
    assert entry is not None
    assert registry.schema_for(entry) is registry.schema_for(entry)


def test_examples_detected_with_official_schemas() -> None:
    """Every official 3.2 example is detected as its own message type; JW315/JW318 are invalid."""
    registry = SchemaRegistry([reference_path("ijw-3.2", "xsd")])
    for path in sorted(reference_path("ijw-3.2", "berichten").glob("*.xml")):
        result = validate(path.read_bytes(), registry=registry, rules=False)
        assert result.message_type == path.stem
        assert result.version == "3.2"
        assert result.valid == (path.stem not in {"JW315", "JW318"}), path.name
        if not result.valid:
            assert all(e.kind == "xsd" and e.line for e in result.errors)


def test_cli_exit_codes_and_json_contract(tmp_path: Path) -> None:
    """Exit 0 when all valid, 1 when any is invalid, 2 for a missing path or schema dir."""
    official = reference_path("ijw-3.2", "xsd")
    examples = reference_path("ijw-3.2", "berichten")
    valid_one = examples / "JW301.xml"
    ok = runner.invoke(app, ["validate", "--json", "--schema-dir", str(official), str(valid_one)])
    assert ok.exit_code == 0, ok.output
    [obj] = _json_lines(ok.output)
    assert obj["file"] == str(valid_one)
    assert obj["valid"] is True
    bad = runner.invoke(app, ["validate", "--json", "--schema-dir", str(official), str(examples)])
    assert bad.exit_code == 1
    objects = _json_lines(bad.output)
    assert len(objects) == 14
    invalid = {Path(str(o["file"])).stem for o in objects if not o["valid"]}
    assert {"JW315", "JW318"} <= invalid
    missing = runner.invoke(app, ["validate", str(tmp_path / "nope.xml")])
    assert missing.exit_code == 2
    bad_dir = runner.invoke(app, ["validate", "--schema-dir", str(tmp_path / "nodir"), str(valid_one)])
    assert bad_dir.exit_code == 2


def test_cli_table_output_names_the_error(tmp_path: Path) -> None:
    """The human-readable table shows the verdict and the error line of an invalid file."""
    broken = tmp_path / "broken.xml"
    broken.write_bytes(b"<a><b></a>")
    result = runner.invoke(app, ["validate", str(broken)], env={"COLUMNS": "200"})
    assert result.exit_code == 1
    assert "invalid" in result.output
    assert "not well-formed" in result.output


def test_schema_dirs_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """KETENPOORT_SCHEMA_DIRS takes several directories separated by os.pathsep."""
    from gateway.config import load_settings

    first, second = reference_path("ijw-3.2", "xsd"), reference_path("ijw-2.3", "xsd")
    monkeypatch.setenv("KETENPOORT_SCHEMA_DIRS", f"{first}{os.pathsep}{second}")
    assert load_settings().schema_dirs == (first, second)


def test_bundled_schema_folder_exists() -> None:
    """The project ships its own schema packages."""
    assert (BUNDLED_SCHEMAS / "ijw").is_dir()
