"""The README is the user's guide: its settings reference is the settings model, its commands and scripts exist."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.main import get_command

from gateway import settings_doc
from gateway.cli import app
from gateway.config import Settings

pytestmark = pytest.mark.xdist_group("packaging")


def _readme(project_root: Path) -> str:
    return (project_root / "README.md").read_text(encoding="utf-8")


def test_the_settings_reference_is_the_settings_model(project_root: Path) -> None:
    """The table between the markers is exactly what the generator makes of Settings (re-run it after a change)."""
    text = _readme(project_root)
    assert settings_doc.rewrite(text) == text, "run: python -m gateway.settings_doc README.md"
    listed = set(re.findall(r"^\| `(KETENPOORT_\w+)` \|", text[text.index(settings_doc.BEGIN) :], flags=re.M))
    assert {f"KETENPOORT_{name.upper()}" for name in Settings.model_fields} <= listed


def test_the_generator_one_liner_rewrites_and_checks(project_root: Path, tmp_path: Path) -> None:
    """`python -m gateway.settings_doc README.md` fills a stale table; `--check` exits 1 on a stale one, 0 after."""
    stale = tmp_path / "README.md"
    stale.write_text(f"# x\n\n{settings_doc.BEGIN}\n| old |\n{settings_doc.END}\n\nrest\n", encoding="utf-8")

    def run(*args: str) -> int:
        return subprocess.run([sys.executable, "-m", "gateway.settings_doc", *args], check=False).returncode

    assert run("--check", str(stale)) == 1
    assert run(str(stale)) == 0 and run("--check", str(stale)) == 0
    written = stale.read_text(encoding="utf-8")
    assert "| `KETENPOORT_DATABASE_URL` | `sqlite:///./ketenpoort.db` |" in written and written.endswith("\n\nrest\n")


def test_every_setting_has_a_meaning() -> None:
    """A setting without a docstring would leave a hole in the reference: the generator refuses it."""
    assert all(field.description for field in Settings.model_fields.values())
    assert len(settings_doc.rows()) == len(Settings.model_fields)


def test_every_command_is_in_the_command_table(project_root: Path) -> None:
    """Each top-level command of `ketenpoort` has a row in the README's command table."""
    group = get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    text = _readme(project_root)
    table = text[text.index("## Commands") : text.index("### On one machine")]
    missing = [name for name in group.commands if not re.search(rf"^\| `{re.escape(name)}[ `]", table, flags=re.M)]
    assert missing == []


def test_the_test_command_is_the_script_ci_runs(project_root: Path) -> None:
    """The README's test command is scripts/test-env; .ci/run calls it with the linters; it installs what is missing."""
    text = _readme(project_root)
    assert "\nscripts/test-env " in text
    ci = (project_root / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^exec scripts/test-env --lint ", ci, flags=re.M)
    script = (project_root / "scripts" / "test-env").read_text(encoding="utf-8")
    assert script.index("apt-get update") < script.index("apt-get install")
    for needed in ("postgresql", "chromium", ".ci/postgres.sh start", "ruff check", "mypy", "lint-imports"):
        assert needed in script, needed
    for path in ("scripts/test-env", "scripts/fetch-reference", ".ci/run", ".ci/postgres.sh"):
        assert (project_root / path).stat().st_mode & 0o111, f"{path} is not executable"


def test_placeholder_sections_for_the_lead_are_there(project_root: Path) -> None:
    """The two connection chapters the lead fills are present as headings."""
    text = _readme(project_root)
    assert "## Connecting to CORV and to the GGk" in text
    assert "## Connecting aanbieder software (VECOZO VSP-Koppeling)" in text
