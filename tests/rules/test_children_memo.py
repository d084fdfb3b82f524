"""The children memo of small messages (gateway.rules.registry._KIDS) gives the plain path's findings exactly."""

from __future__ import annotations

from datetime import date

from gateway.generate import ijw_traffic, small_jw301
from gateway.model import Finding
from gateway.rules import registry
from gateway.rules.context import RuleContext
from gateway.validation import inspect
from gateway.xmlsafe import parse
from tests.support.mutations import mutants


def _findings(data: bytes, memo: bool) -> list[Finding] | None:
    """All rule findings on ``data`` with or without the memo; None when no iJw kind is recognised."""
    kind = inspect(data, rules=False).kind
    if kind is None:
        return None
    context = RuleContext(today=date(2026, 6, 1))
    token = registry._KIDS.set({} if memo else None)
    try:
        return registry._run(registry.Doc(parse(data), kind, context), kind, context, "all", None)
    finally:
        registry._KIDS.reset(token)


def _messages() -> list[bytes]:
    traffic = [m.data for m in ijw_traffic(120, seed=7, invalid_ratio=0.5)]
    mutated = [data for _, data in mutants(small_jw301(seed=3), seed=11, count=150)]
    return traffic + mutated


def test_memo_gives_the_plain_findings_on_generated_messages_and_mutants() -> None:
    """Every generated message and mutant has the same findings (ids, texts, lines, paths) on both paths."""
    compared = with_findings = 0
    for data in _messages():
        plain = _findings(data, memo=False)
        if plain is None:
            continue
        assert _findings(data, memo=True) == plain
        compared += 1
        with_findings += bool(plain)
    assert compared > 200 and with_findings > 20  # the comparison covers messages that break rules


def test_run_leaves_no_memo_behind() -> None:
    """After run() the memo is unset again, so child()/text() outside a run take the plain path."""
    data = small_jw301(seed=1)
    kind = inspect(data, rules=False).kind
    assert kind is not None
    registry.run(parse(data), kind, RuleContext())
    assert registry._KIDS.get() is None
