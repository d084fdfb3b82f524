"""validation.default_registry is registry_for() in every setting: installs, removals, data dirs, cwd.

It lives here with the other fast-path tests of the small-message benchmark (benchmarks/README.md).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gateway.schemas import registry_for, stuf_jz_content_checked
from gateway.stufjz_install import install_dir
from gateway.validation import default_registry
from tests.support.ci import in_ci


def _session_package() -> Path:
    chosen = os.environ.get("KETENPOORT_STUF_JZ_PACKAGE")
    if not chosen:
        if in_ci():  # CI has the reference material, so conftest installs the package: its absence is a fault
            pytest.fail("no StUF-JZ package installed in this CI session (tests/conftest.py)")
        pytest.skip("no StUF-JZ package installed in this session (tests/conftest.py)")
    return Path(chosen)


def test_same_registry_with_the_session_settings() -> None:
    assert default_registry() is registry_for()


def test_follows_the_data_dir_and_an_install_that_appears_and_goes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = _session_package()
    monkeypatch.delenv("KETENPOORT_STUF_JZ_PACKAGE")
    monkeypatch.setenv("KETENPOORT_DATA_DIR", str(tmp_path))
    assert default_registry() is registry_for()
    assert not stuf_jz_content_checked(default_registry())
    target = install_dir(tmp_path)
    target.parent.mkdir(parents=True)
    target.symlink_to(package, target_is_directory=True)  # installed while the process runs
    assert default_registry() is registry_for()
    assert stuf_jz_content_checked(default_registry())
    target.unlink()  # and removed again
    assert default_registry() is registry_for()
    assert not stuf_jz_content_checked(default_registry())
    monkeypatch.setenv("KETENPOORT_STUF_JZ_PACKAGE", str(package))  # the package setting takes precedence
    assert default_registry() is registry_for()
    assert stuf_jz_content_checked(default_registry())


def test_a_relative_data_dir_follows_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = _session_package()
    monkeypatch.delenv("KETENPOORT_STUF_JZ_PACKAGE")
    monkeypatch.setenv("KETENPOORT_DATA_DIR", "data")
    with_install, without = tmp_path / "a", tmp_path / "b"
    target = install_dir(with_install / "data")
    target.parent.mkdir(parents=True)
    target.symlink_to(package, target_is_directory=True)
    without.mkdir()
    for cwd, checked in ((with_install, True), (without, False), (with_install, True)):
        monkeypatch.chdir(cwd)
        assert default_registry() is registry_for()
        assert stuf_jz_content_checked(default_registry()) is checked
