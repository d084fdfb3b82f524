"""Locate the official reference material for differential tests.

It is looked for at ``$KETENPOORT_REFERENCE_DIR``, else at ``../shared/reference`` beside the
checkout (``scripts/fetch-reference`` puts it there). :data:`USES` counts the successful look-ups
and the misses, so that :mod:`tests.support.official` can tell which tests ran against it.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

from tests.support.ci import in_ci

PROJECT_ROOT = Path(__file__).resolve().parents[2]
REFERENCE_DIR = Path(os.environ.get("KETENPOORT_REFERENCE_DIR", PROJECT_ROOT.parent / "shared" / "reference"))
USES: Counter[str] = Counter()
"""``found`` and ``missing``: how often reference material was asked for in this process."""


def reference_path(*parts: str) -> Path:
    """Return a path inside the reference folder; in CI its absence fails the test, never skips it."""
    path = REFERENCE_DIR.joinpath(*parts)
    if not path.exists():
        USES["missing"] += 1
        if in_ci():
            pytest.fail(f"reference material missing in CI: {path} (scripts/fetch-reference fetches it)")
        pytest.skip(f"reference material not present: {path} (scripts/fetch-reference fetches it)")
    USES["found"] += 1
    return path
