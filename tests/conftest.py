"""Shared fixtures for the whole suite."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.reference import PROJECT_ROOT, reference_path

pytest_plugins = ["tests.support.databases"]


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """The official reference material (../shared/reference); required in CI."""
    return reference_path()


@pytest.fixture(scope="session")
def project_root() -> Path:
    """The root of this checkout."""
    return PROJECT_ROOT
