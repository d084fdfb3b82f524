"""The package as a user installs it: a real wheel in a fresh venv, run from an empty folder.

The wheel is built from a copy of the tracked files (what a clean clone has) and installed
into a new virtual environment; its dependencies come from this test run's environment
(linked in by a ``.pth`` file, without this checkout's own editable install), so nothing is
downloaded. Schemas and mapping tables must come from inside the installed package: the
commands run with no ``KETENPOORT_HOME`` and from a folder holding nothing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("packaging")]

_OWN = ("ketenpoort", "__editable__", "gateway", "workers", "_ketenpoort", "__pycache__")
"""Entries of this environment's site-packages that are this project (its editable install), not a dependency."""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory, project_root: Path) -> Path:
    """The wheel built from a copy of the tracked files."""
    source = tmp_path_factory.mktemp("source")
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=project_root, check=True, capture_output=True, text=True
    ).stdout.split("\0")
    for name in filter(None, tracked):
        if (project_root / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(project_root / name, source / name)
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(source)],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("ketenpoort-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory, wheel: Path) -> Path:
    """A fresh venv with the wheel installed (not editable) and this run's dependencies linked in."""
    root = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True)
    python = root / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", str(wheel)],
        check=True,
        capture_output=True,
    )
    deps = root / "deps"
    deps.mkdir()
    for site in {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}:
        for entry in Path(site).iterdir():
            if not entry.name.startswith(_OWN) and not entry.name.endswith(".pth") and not (deps / entry.name).exists():
                (deps / entry.name).symlink_to(entry)
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(purelib) / "zz_test_dependencies.pth").write_text(f"{deps}\n", encoding="utf-8")
    return root


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KETENPOORT_") and k != "PYTHONPATH"}
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    env.update(HOME=str(tmp_path), KETENPOORT_DATA_DIR=str(data))
    return env


def _run(venv: Path, args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(venv / "bin" / "ketenpoort"), *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


def _empty(tmp_path: Path) -> Path:
    work = tmp_path / "empty"
    work.mkdir()
    return work


def test_the_wheel_carries_every_package_file_and_the_data_folders(wheel: Path, project_root: Path) -> None:
    """Templates, migrations, static files and every schema and mapping table are inside the wheel."""
    import zipfile

    names = set(zipfile.ZipFile(wheel).namelist())
    tracked = subprocess.run(
        ["git", "ls-files", "gateway", "workers", "schemas", "mappings"],
        cwd=project_root,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    expected = {
        f"gateway/_bundled/{name}" if name.startswith(("schemas/", "mappings/")) else name
        for name in tracked
        if not (name.startswith("mappings/") and name.endswith(".py"))  # the tables' build scripts stay out
    }
    assert sorted(expected - names) == []
    assert "gateway/py.typed" in names


def test_installed_copy_is_the_one_that_runs(venv: Path, tmp_path: Path) -> None:
    """The fresh venv imports the wheel's gateway, not this checkout, and finds its data inside the package."""
    probe = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import gateway, gateway.paths as p; print(gateway.__file__); "
         "print(p.data_source()); print(p.schemas_dir())"],
        cwd=_empty(tmp_path), env=_env(tmp_path), check=True, capture_output=True, text=True,
    )  # fmt: skip
    module, source, schemas = probe.stdout.splitlines()
    assert Path(module).is_relative_to(venv) and source == "package"
    assert Path(schemas).is_relative_to(venv) and Path(schemas, "ijw", "3.2").is_dir()


def test_demo_and_validate_work_from_an_empty_folder(venv: Path, tmp_path: Path) -> None:
    """`ketenpoort demo` exits 0 with every message as planned; a generated message validates without schema errors."""
    work, env = _empty(tmp_path), _env(tmp_path)
    demo = _run(venv, ["demo"], work, env)
    assert demo.returncode == 0, demo.stdout[-2000:] + demo.stderr[-2000:]
    assert "every message came out as planned" in demo.stdout
    # the four broken on purpose and the VSP aanbieder's declaratie (TR338), nothing more (a schema load failing
    # rejects all)
    assert "rejected   5" in demo.stdout
    generated = _run(venv, ["generate", "--type", "JW301", "--count", "2", "--out", str(work / "msgs")], work, env)
    assert generated.returncode == 0, generated.stderr
    validated = _run(venv, ["validate", "--json", str(work / "msgs")], work, env)
    assert validated.returncode == 0, validated.stdout + validated.stderr
    verdicts = [json.loads(line) for line in validated.stdout.splitlines()]
    assert len(verdicts) == 2 and all(v["valid"] and v["errors"] == [] for v in verdicts)
    shown = _run(venv, ["mapping", "show", "45A03"], work, env)
    assert shown.returncode == 0 and "45A03" in shown.stdout, shown.stderr


def test_data_missing_from_the_install_stops_with_a_clear_message(venv: Path, tmp_path: Path) -> None:
    """KETENPOORT_HOME naming a folder without schemas/: exit 2 and the reason, never a traceback."""
    work, env = _empty(tmp_path), _env(tmp_path)
    env["KETENPOORT_HOME"] = str(work)
    (work / "m.xml").write_bytes(b"<a/>")
    for args in (["validate", str(work / "m.xml")], ["mapping", "show", "45A03"], ["demo"]):
        done = _run(venv, args, work, env)
        assert done.returncode != 0, args
        assert "Traceback" not in done.stderr and "KETENPOORT_HOME" in done.stderr, (args, done.stderr[-1500:])
