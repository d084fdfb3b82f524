"""The package as the container image installs it: a real non-editable install, away from the checkout.

The Dockerfile installs a wheel and copies ``schemas/`` and ``mappings/`` beside it under
``KETENPOORT_HOME``. A template, a migration or a stylesheet missing from the package data
would only show in production, so this test installs the project the same way into a
temporary folder and runs the command line from there.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gateway.generate import small_jw301

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("packaging")]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory, project_root: Path) -> Path:
    """The project pip-installed (not editable) into a private folder, built from a copy of the tracked files."""
    source = tmp_path_factory.mktemp("source")
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=project_root, check=True, capture_output=True, text=True
    ).stdout.split("\0")
    for name in filter(None, tracked):
        if (project_root / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(project_root / name, source / name)
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--no-compile",
            "--target",
            str(target),
            str(source),
        ],
        check=True,
        capture_output=True,
    )
    return target


def _tracked_package_files(project_root: Path) -> list[str]:
    out = subprocess.run(
        ["git", "ls-files", "gateway", "workers"], cwd=project_root, check=True, capture_output=True, text=True
    ).stdout
    return [line for line in out.splitlines() if line and "__pycache__" not in line]


def test_every_tracked_package_file_is_installed(installed: Path, project_root: Path) -> None:
    missing = [name for name in _tracked_package_files(project_root) if not (installed / name).is_file()]
    assert missing == []
    assert (installed / "gateway" / "py.typed").is_file()


def test_installed_cli_validates_with_data_from_ketenpoort_home(
    installed: Path, project_root: Path, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    for folder in ("schemas", "mappings"):
        shutil.copytree(project_root / folder, home / folder)
    sample = tmp_path / "work" / "jw301.xml"
    sample.parent.mkdir()
    sample.write_bytes(small_jw301())
    env = {
        **os.environ,
        "PYTHONPATH": str(installed),
        "KETENPOORT_HOME": str(home),
        "KETENPOORT_DATA_DIR": str(tmp_path / "data"),
        "KETENPOORT_DATABASE_URL": f"sqlite:///{tmp_path / 'data' / 'k.db'}",
    }
    (tmp_path / "data").mkdir()
    probe = subprocess.run(
        [sys.executable, "-c", "import gateway; print(gateway.__file__)"],
        cwd=sample.parent,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    assert Path(probe.stdout.strip()).is_relative_to(installed), "the test must run the installed copy"
    run = subprocess.run(
        [sys.executable, "-m", "gateway", "validate", "--json", str(sample)],
        check=False,
        cwd=sample.parent,
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    verdict = json.loads(run.stdout.splitlines()[0])
    assert (verdict["standard"], verdict["message_type"], verdict["valid"]) == ("ijw", "JW301", True)
