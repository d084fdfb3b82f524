"""Every in-message rule: one injected fault fires exactly that rule with its retourcode; the nearby edit passes."""

from __future__ import annotations

import re

import pytest

from gateway.rules import RULES
from tests.rules.cases import CASES, Case, clean
from tests.rules.support import check

_NINE_DIGITS = re.compile(r"\d{9}")


@pytest.mark.parametrize("message_type", ["JW301", "JW305", "JW307", "JW315", "JW317", "JW319", "JW323"])
def test_clean_examples_fire_no_rule(message_type: str) -> None:
    assert check(clean(message_type)) == []


@pytest.mark.parametrize("message_type", ["JW301", "JW303", "JW305", "JW307", "JW315"])
def test_clean_2_3_examples_fire_no_rule(message_type: str) -> None:
    assert check(clean(message_type, "2.3")) == []


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_fault_fires_exactly_the_rule(case: Case) -> None:
    root = clean(case.message_type, case.version)
    case.fail(root)
    findings = check(root)
    assert {f.rule for f in findings} == {case.rule} | case.also
    mine = [f for f in findings if f.rule == case.rule]
    assert mine
    for f in mine:
        assert (f.kind, f.retourcode) == ("rule", case.retourcode)
        assert f.path is not None and f.path.startswith("/Bericht/")
        assert isinstance(f.line, int) and f.line > 0
        assert not _NINE_DIGITS.search(f.message), "a finding message must never carry a BSN"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_nearby_edit_passes(case: Case) -> None:
    root = clean(case.message_type, case.version)
    case.ok(root)
    assert [f.rule for f in check(root)] == []


def test_case_retourcodes_match_the_registry() -> None:
    for case in CASES:
        assert RULES[case.rule].retourcode == case.retourcode, case.id


def test_every_in_message_rule_has_a_case() -> None:
    in_message = {r.id for r in RULES.values() if not r.needs_history} - {"TR314"}
    assert in_message - {c.rule for c in CASES} == set()
