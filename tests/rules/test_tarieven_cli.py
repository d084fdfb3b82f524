"""`ketenpoort tarieven load|show` on both backends, and the tariff CSV's checks (bad input loads nothing)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gateway.cli import app
from gateway.mapping import mappings_dir
from gateway.tarieven import TariefError, parse_csv, to_csv

EXAMPLE = mappings_dir() / "gemeenten" / "0363" / "tarieven.csv"
HEADER = "aanbieder,productcategorie,productcode,eenheid,frequentie,tarief_cent,ingangsdatum,einddatum\n"


@pytest.fixture
def cli_env(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("KETENPOORT_DATABASE_URL", db_url)
    monkeypatch.setenv("KETENPOORT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KETENPOORT_LOG_LEVEL", "WARNING")
    return db_url


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_load_then_show_round_trips_the_example(cli_env: str) -> None:
    """The shipped example loads, and `show` prints it back as the same CSV (filters by aanbieder and date)."""
    assert _run("migrate")[0] == 0
    code, out, err = _run("tarieven", "load", str(EXAMPLE), "--gemeente", "GM0363")
    assert code == 0, err
    assert "4 tarieven" in out
    code, out, _ = _run("tarieven", "show", "--gemeente", "0363")
    assert code == 0
    assert sorted(map(repr, parse_csv(out))) == sorted(map(repr, parse_csv(EXAMPLE.read_text(encoding="utf-8"))))
    code, out, _ = _run("tarieven", "show", "--gemeente", "0363", "--aanbieder", "12345678", "--on", "2026-02-01",
                        "--json")  # fmt: skip
    assert code == 0
    assert sorted(t["tarief_cent"] for t in json.loads(out)) == [1300, 7800, 9500]


def test_a_bad_file_is_refused_whole_and_the_old_table_stays(cli_env: str, tmp_path: Path) -> None:
    """A file with one bad line loads nothing: the error names the line, `show` still gives the old table."""
    assert _run("migrate")[0] == 0
    assert _run("tarieven", "load", str(EXAMPLE), "--gemeente", "0363")[0] == 0
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "12345678,45,45A03,04,2,1250,2025-01-01,\n12345678,45,45A04,04,2,12.50,2025-01-01,\n")
    code, _, err = _run("tarieven", "load", str(bad), "--gemeente", "0363")
    assert code == 1
    assert "regel 3" in err and "tarief_cent" in err and "nothing loaded" in err
    assert len(parse_csv(_run("tarieven", "show", "--gemeente", "0363")[1])) == 4


def test_show_says_when_a_gemeente_has_no_table(cli_env: str) -> None:
    """A gemeente without tariffs: exit 1 and the reason TR418 does not apply there."""
    assert _run("migrate")[0] == 0
    code, _, err = _run("tarieven", "show", "--gemeente", "0034")
    assert code == 1 and "niet van toepassing" in err


@pytest.mark.parametrize(
    ("line", "fault"),
    [
        ("1234567,45,45A03,04,2,1250,2025-01-01,", "aanbieder"),
        ("12345678,4,45A03,04,2,1250,2025-01-01,", "productcategorie"),
        ("12345678,45,45A0,04,2,1250,2025-01-01,", "productcode"),
        ("12345678,45,45A03,4,2,1250,2025-01-01,", "eenheid"),
        ("12345678,45,45A03,04,22,1250,2025-01-01,", "frequentie"),
        ("12345678,45,45A03,04,2,-5,2025-01-01,", "tarief_cent"),
        ("12345678,45,45A03,04,2,1250,2025-02-30,", "ingangsdatum"),
        ("12345678,45,45A03,04,2,1250,2025-03-01,2025-02-01", "einddatum"),
    ],
)
def test_each_bad_field_is_named(line: str, fault: str) -> None:
    """Every field is checked, and the error says which one on which line."""
    with pytest.raises(TariefError, match=f"regel 2: {fault}"):
        parse_csv(HEADER + line + "\n")


def test_missing_columns_and_empty_files_are_refused() -> None:
    """A file without the columns, or without rows, is not a tariff table."""
    with pytest.raises(TariefError, match="kolommen ontbreken: einddatum"):
        parse_csv(HEADER.replace(",einddatum", "") + "12345678,45,45A03,04,2,1250,2025-01-01\n")
    with pytest.raises(TariefError, match="geen tarieven"):
        parse_csv(HEADER)


def test_csv_round_trip() -> None:
    """`to_csv` writes what `parse_csv` reads back."""
    entries = parse_csv(EXAMPLE.read_text(encoding="utf-8"))
    assert parse_csv(to_csv(entries)) == entries
