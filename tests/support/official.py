"""A pytest plugin: the summary says how many tests ran against the official reference material.

A test counts when it, or a fixture it uses (also one set up earlier, module- or session-wide),
asked :func:`tests.support.reference.reference_path` for a file. The mark travels on the test's
report (``user_properties``), so the count is right under pytest-xdist too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Generator
from typing import Any

import pytest

from tests.support import reference

_KEY = "official_material"
_OFFICIAL_FIXTURES: set[str] = set()
_MISSING_FIXTURES: set[str] = set()
_START = pytest.StashKey[Counter[str]]()
_tally: Counter[str] = Counter()


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(
    fixturedef: pytest.FixtureDef[Any], request: pytest.FixtureRequest
) -> Generator[None, Any, Any]:
    """Remember fixtures whose setup read (or missed) reference material."""
    before = reference.USES.copy()
    try:
        return (yield)
    finally:
        if reference.USES["found"] != before["found"]:
            _OFFICIAL_FIXTURES.add(fixturedef.argname)
        if reference.USES["missing"] != before["missing"]:
            _MISSING_FIXTURES.add(fixturedef.argname)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Note the look-up counts before the test's own setup."""
    item.stash[_START] = reference.USES.copy()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    """Mark the report of a test that used the material (``found``) or was stopped by its absence (``missing``)."""
    report = yield
    if report.when == "teardown" or (report.when == "setup" and report.passed):
        return report
    start = item.stash.get(_START, Counter())
    names = set(getattr(item, "fixturenames", ()))
    if reference.USES["missing"] != start["missing"] or names & _MISSING_FIXTURES:
        report.user_properties.append((_KEY, "missing"))
    elif reference.USES["found"] != start["found"] or names & _OFFICIAL_FIXTURES:
        report.user_properties.append((_KEY, "found"))
    return report


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Count marked reports where they are shown (the controller under xdist)."""
    for key, value in report.user_properties:
        if key == _KEY:
            _tally[f"{value}:{report.outcome}"] += 1


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """One line: tests run against the official material, and tests that could not for want of it."""
    ran = {outcome: _tally[f"found:{outcome}"] for outcome in ("passed", "failed", "skipped")}
    missing = sum(v for k, v in _tally.items() if k.startswith("missing:"))
    total = sum(ran.values())
    terminalreporter.write_line(
        f"official reference material ({reference.REFERENCE_DIR}): {total} tests ran against it "
        f"({ran['passed']} passed, {ran['failed']} failed, {ran['skipped']} skipped); "
        f"{missing} could not run without it" + (" - fetch it with scripts/fetch-reference" if missing else "")
    )
