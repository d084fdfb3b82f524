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
