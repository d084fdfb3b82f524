"""Shared fixtures for the whole suite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog

from tests.support.reference import PROJECT_ROOT, reference_path

pytest_plugins = ["tests.support.databases", "tests.support.official"]


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """The official reference material (../shared/reference); required in CI."""
    return reference_path()


@pytest.fixture(scope="session")
def project_root() -> Path:
    """The root of this checkout."""
    return PROJECT_ROOT


@pytest.fixture(autouse=True)
def _logging_configuration_restored() -> Iterator[None]:
    """Each test gets back the structlog configuration it started with.

    A command run in-process (the CLI's callback, ``ketenpoort demo`` at WARNING) configures logging
    for the whole process; a later test on the same xdist worker then lost its ``capture_logs`` lines.
    """
    before = structlog.get_config()
    yield
    structlog.configure(**before)


@pytest.fixture(scope="session", autouse=True)
def _stuf_jz_package_installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The normative StUF-JZ package, installed once per session from ../shared/reference.

    Without it StUF-Jeugdzorg messages are refused (the safe default), so every test that sends one
    gets it through ``KETENPOORT_STUF_JZ_PACKAGE`` (also inherited by the subprocesses tests start).
    Tests of the not-installed behaviour unset that variable with ``monkeypatch.delenv``.
    """
    import os

    from gateway.stufjz_install import install, sha256_of
    from tests.support.reference import REFERENCE_DIR
    from tests.support.stufjz_package import normative_zip

    if not (REFERENCE_DIR / "stuf-jeugdzorg-1.0.9" / "normatief").is_dir():  # in CI reference_path fails first
        yield
        return
    data = normative_zip()
    done = install(data, tmp_path_factory.mktemp("stuf-jz-data"), expected_sha256=sha256_of(data))
    before = os.environ.get("KETENPOORT_STUF_JZ_PACKAGE")
    os.environ["KETENPOORT_STUF_JZ_PACKAGE"] = str(done.root)
    yield
    if before is None:
        os.environ.pop("KETENPOORT_STUF_JZ_PACKAGE", None)
    else:
        os.environ["KETENPOORT_STUF_JZ_PACKAGE"] = before
