"""Locate the official reference material (../shared/reference) for differential tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.ci import in_ci

PROJECT_ROOT = Path(__file__).resolve().parents[2]
REFERENCE_DIR = Path(os.environ.get("KETENPOORT_REFERENCE_DIR", PROJECT_ROOT.parent / "shared" / "reference"))


def reference_path(*parts: str) -> Path:
    """Return a path inside ../shared/reference; in CI its absence fails the test, never skips it."""
    path = REFERENCE_DIR.joinpath(*parts)
    if not path.exists():
        if in_ci():
            pytest.fail(f"reference material missing in CI: {path}")
        pytest.skip(f"reference material not present: {path}")
    return path
