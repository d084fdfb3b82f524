"""`ketenpoort generate` writes deterministic files."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from gateway.cli import app


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
