"""`ketenpoort generate` writes deterministic files."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from gateway.cli import app
from gateway.validation import validate


def test_generate_writes_same_bytes_for_same_seed(tmp_path: Path) -> None:
    runner = CliRunner()
    for name in ("a", "b"):
        args = ["generate", "--type", "JW323", "--count", "3", "--seed", "4", "--prestaties", "6"]
        result = runner.invoke(app, [*args, "--out", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
    files = sorted(p.name for p in (tmp_path / "a").glob("*.xml"))
    assert len(files) == 3
    assert all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files)
    assert b"<jw323:Prestatie>" in (tmp_path / "a" / files[0]).read_bytes()


def test_unknown_type_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["generate", "--type", "JW999", "--out", str(tmp_path)])
    assert result.exit_code == 2


def test_traffic_manifest_agrees_with_validate(tmp_path: Path) -> None:
    args = ["generate", "--type", "traffic", "--count", "40", "--seed", "9", "--invalid-ratio", "0.5"]
    result = CliRunner().invoke(app, [*args, "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in (tmp_path / "expected.jsonl").read_text().splitlines()]
    assert len(rows) == 40 == len(list(tmp_path.glob("*.xml")))
    assert any(r["valid"] for r in rows) and not all(r["valid"] for r in rows)
    for row in rows:
        verdict = validate((tmp_path / row["file"]).read_bytes())
        assert verdict.valid == row["valid"], row
        if not row["valid"]:
            assert {e.kind for e in verdict.errors} == {row["kind"]}, row


def test_single_type_and_stuf(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["generate", "--type", "jw305", "--count", "4", "--out", str(tmp_path / "i")])
    assert result.exit_code == 0, result.output
    files = sorted((tmp_path / "i").glob("*.xml"))
    assert len(files) == 4 and all("JW305" in f.name for f in files)
    assert all(validate(f.read_bytes()).valid for f in files)
    result = runner.invoke(app, ["generate", "--type", "stuf", "--count", "5", "--out", str(tmp_path / "s")])
    assert result.exit_code == 0, result.output
    stuf = sorted((tmp_path / "s").glob("*.xml"))
    assert len(stuf) == 5
    assert all(validate(f.read_bytes()).standard == "stuf-jz" for f in stuf)


def test_jw303_of_ijw_2_3(tmp_path: Path) -> None:
    args = ["generate", "--type", "JW303", "--count", "2", "--prestaties", "4", "--out", str(tmp_path)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    files = sorted(tmp_path.glob("*.xml"))
    assert len(files) == 2
    verdicts = [validate(f.read_bytes()) for f in files]
    assert all(v.valid and v.version == "2.3" and v.message_type == "JW303" for v in verdicts)
    assert files[0].read_bytes().count(b"<jw303:Prestatie>") == 4
