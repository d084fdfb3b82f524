"""The pytest summary counts the tests that ran against the official reference material, and those that could not."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.xdist_group("packaging")

SAMPLE = """
import pytest
from tests.support.reference import reference_path


@pytest.fixture(scope="module")
def official():
    return reference_path("a.txt").read_text()


def test_reads_directly():
    assert reference_path("a.txt").exists()


def test_through_a_module_fixture_first(official):
    assert official == "x"


def test_through_a_module_fixture_again(official):
    assert official == "x"


def test_without_it():
    assert True
"""


def _pytest(project_root: Path, tmp_path: Path, reference: Path, *extra: str) -> str:
    (tmp_path / "test_sample.py").write_text(SAMPLE, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "PYTEST_ADDOPTS", "PYTEST_XDIST_WORKER")}
    env.update(KETENPOORT_REFERENCE_DIR=str(reference), PYTHONPATH=str(project_root))
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "tests.support.official",
         "--rootdir", str(tmp_path), "-c", os.devnull, *extra, str(tmp_path / "test_sample.py")],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    return done.stdout + done.stderr


@pytest.mark.parametrize("workers", [(), ("-n", "2")], ids=["serial", "xdist"])
def test_summary_counts_direct_and_fixture_uses(project_root: Path, tmp_path: Path, workers: tuple[str, ...]) -> None:
    """Direct look-ups and module fixtures that looked up count; a test that never asked does not."""
    reference = tmp_path / "ref"
    reference.mkdir()
    (reference / "a.txt").write_text("x", encoding="utf-8")
    out = _pytest(project_root, tmp_path, reference, *workers)
    assert "3 tests ran against it (3 passed, 0 failed, 0 skipped); 0 could not run without it" in out, out


def test_summary_says_how_many_could_not_run_without_it(project_root: Path, tmp_path: Path) -> None:
    """Without the material the same tests skip (outside CI), and the summary says so and how to fetch it."""
    out = _pytest(project_root, tmp_path, tmp_path / "absent")
    assert "0 tests ran against it" in out and "3 could not run without it" in out, out
    assert "scripts/fetch-reference" in out
