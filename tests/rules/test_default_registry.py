"""validation.default_registry is registry_for() in every setting: installs, removals, data dirs, cwd.

It lives here with the other fast-path tests of the small-message benchmark (benchmarks/README.md).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from gateway import validation
from gateway.generate import small_jw301
from gateway.generate.stuf import build_di01
from gateway.model import Standard
from gateway.schemas import (
    BUNDLED_SCHEMAS,
    SchemaRegistry,
    bundled_registry,
    ijw_entry,
    registry_for,
    stuf_jz_content_checked,
)
from gateway.stufjz_install import MANIFEST, install_dir
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


def test_an_ijw_root_has_the_same_entry_with_or_without_an_install() -> None:
    """ijw_entry is what registry_for() holds for every iJw root (the session's install in place), and
    nothing for any other root: inspect may take it without looking for an install."""
    _session_package()
    default = registry_for()
    assert stuf_jz_content_checked(default)
    ijw = [e for e in default.entries() if e.kind.standard is Standard.IJW]
    assert len(ijw) > 20  # iJw 2.3 and 3.2 heenberichten and retouren
    for entry in ijw:
        assert ijw_entry(entry.kind.namespace, entry.kind.root) == entry
    for entry in default.entries():
        if entry.kind.standard is not Standard.IJW:
            assert ijw_entry(entry.kind.namespace, entry.kind.root) is None


def test_an_installed_package_adds_stuf_jz_messages_only(tmp_path: Path) -> None:
    """A manifest that lists an iJw schema does not shadow the bundled one: the shortcut above stays true."""
    foreign = BUNDLED_SCHEMAS / "ijw" / "3.2" / "JW301.xsd"
    (tmp_path / "JW301.xsd").write_bytes(foreign.read_bytes())
    (tmp_path / MANIFEST).write_text(json.dumps({"messages": ["JW301.xsd"]}), encoding="utf-8")
    jw301 = bundled_registry().lookup("http://www.istandaarden.nl/ijw/3_2/jw301/schema", "Bericht")
    assert jw301 is not None and jw301.path == foreign
    registry = SchemaRegistry([tmp_path])
    assert registry.lookup(jw301.kind.namespace, "Bericht") == jw301  # the bundled entry, not the package's
    unlisted = SchemaRegistry([tmp_path], bundled=None)  # no manifest: an operator's own schema folder
    (tmp_path / MANIFEST).unlink()
    own = SchemaRegistry([tmp_path]).lookup(jw301.kind.namespace, "Bericht")
    assert own is not None and own.path == tmp_path / "JW301.xsd"
    assert unlisted.lookup(jw301.kind.namespace, "Bericht") is None


def test_inspect_looks_for_an_install_only_for_other_roots(monkeypatch: pytest.MonkeyPatch) -> None:
    """An iJw message never asks default_registry (its environment reads and stat); a StUF-JZ one does."""
    asked: list[int] = []
    real = validation.default_registry

    def counting() -> SchemaRegistry:
        asked.append(1)
        return real()

    monkeypatch.setattr(validation, "default_registry", counting)
    verdict = validation.inspect(small_jw301(seed=3)).result
    assert verdict.valid and verdict.message_type == "JW301" and asked == []
    di01 = build_di01("vtoDi01", zender_oin="1" * 20, ontvanger_oin="2" * 20, referentienummer="r1")
    stuf = validation.inspect(di01).result
    assert stuf.standard == "stuf-jz" and asked == [1]
