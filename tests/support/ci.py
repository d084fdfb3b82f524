"""Whether the tests run in CI, where a missing service or reference file fails a test instead of skipping it."""

from __future__ import annotations

import os


def in_ci() -> bool:
    """CI is set to anything but empty, 0 or false (``.ci/run`` sets CI=true)."""
    return os.environ.get("CI", "").lower() not in ("", "0", "false")
