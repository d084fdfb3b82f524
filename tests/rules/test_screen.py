"""The screened fast path of gateway.rules.registry.run gives the plain path's findings exactly (issue 20).

The JW301 screen may only rule rules out. Every JW301 rule of the registry has a mutant of the small
JW301 here that triggers it (a new JW301 rule without one fails the coverage test), the screen's table
must list every such rule, and on those mutants, on random combinations of them (Hypothesis), on the
schema-agnostic mutants of tests/support/mutations.py and on the other generated kinds both paths give
the same findings: rule, retourcode, line, path and text.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.generate import ijw_traffic, small_jw301
from gateway.model import Finding, MessageKind
from gateway.rules import RULES, RuleContext, ToegewezenProduct, registry
from gateway.rules.screen import JW301_COVERS
from gateway.validation import inspect
from gateway.xmlsafe import DocumentRefusedError, parse
from tests.rules.test_history import FakeHistory
from tests.support.mutations import mutants

TODAY = date(2026, 6, 1)
SMALL = small_jw301(seed=1)
J = b"jw301:"
TP_OPEN, TP_CLOSE = b"<jw301:ToegewezenProduct>", b"</jw301:ToegewezenProduct>"


def _sub(old: bytes, new: bytes) -> Callable[[bytes], bytes]:
    def edit(data: bytes) -> bytes:
        return data.replace(old, new, 1)

    return edit


def _duplicate_line(data: bytes) -> bytes:
    start, end = data.index(TP_OPEN), data.index(TP_CLOSE) + len(TP_CLOSE)
    return data[:end] + data[start:end] + data[end:]


def _in_line(extra: bytes) -> Callable[[bytes], bytes]:
    return _sub(TP_CLOSE, extra + TP_CLOSE)


_EINDE = b"<jw301:Einddatum>2026-09-30</jw301:Einddatum>"
_OMVANG = b"<ijw:Volume>8</ijw:Volume><ijw:Eenheid>04</ijw:Eenheid><ijw:Frequentie>2</ijw:Frequentie>"
_CONTACT_END = b"</jw301:Adres></jw301:Contact>"
EDITS: dict[str, Callable[[bytes], bytes]] = {
    "CS002": _sub(b">999906690<", b">999906691<"),
    "TR002": _sub(b"<ijw:Datum>2020-02-09<", b"<ijw:Datum>1900-02-09<"),
    "CS139": _sub(
        b"<ijw:Datum>2020-02-09</ijw:Datum>", b"<ijw:Datum>2020-02-09</ijw:Datum><ijw:DatumGebruik>1</ijw:DatumGebruik>"
    ),
    "TR006": _sub(
        b"<jw301:ToegewezenProducten>",
        b"<jw301:Relatie><jw301:Contact><jw301:Soort>01</jw301:Soort></jw301:Contact></jw301:Relatie>"
        b"<jw301:ToegewezenProducten>",
    ),
    "TR061": _sub(b"<jw301:Soort>01</jw301:Soort>", b"<jw301:Soort>04</jw301:Soort>"),
    "CD005": _sub(b"<ijw:LandCode>NL</ijw:LandCode>", b""),
    "CD025": _sub(b"<ijw:Huis><ijw:Huisnummer>229</ijw:Huisnummer></ijw:Huis>", b""),
    "CD034": _sub(b"<ijw:Postcode>5363AB</ijw:Postcode>", b""),
    "TR134": _sub(b"<ijw:Datum>2020-02-09<", b"<ijw:Datum>2025-12-09<"),
    "TR101": _duplicate_line,
    "TR135": _sub(b"<ijw:Dagtekening>2025-09-17<", b"<ijw:Dagtekening>2026-07-17<"),
    "CS015": _sub(b"<jw301:BerichtSubversie>2<", b"<jw301:BerichtSubversie>1<"),
    "CS025": _sub(b"<jw301:BerichtVersie>3<", b"<jw301:BerichtVersie>2<"),
    "TR378": _sub(b"<jw301:Afzender>0034<", b"<jw301:Afzender>9999<"),
    "TR332": _duplicate_line,
    "TR018": _sub(
        _CONTACT_END,
        b"</jw301:Adres><jw301:Periode><ijw:Begindatum>2025-05-01</ijw:Begindatum>"
        b"<ijw:Einddatum>2025-04-01</ijw:Einddatum></jw301:Periode></jw301:Contact>",
    ),
    "CS003": _sub(_EINDE, b"<jw301:Einddatum>2025-01-01</jw301:Einddatum>"),
    "CS050": _sub(b"<ijw:NaamGebruik>1<", b"<ijw:NaamGebruik>2<"),
    "CS318": _sub(b"<ijw:NaamGebruik>1<", b"<ijw:NaamGebruik>6<"),
    "CS089": _sub(b"<ijw:Postcode>5363AB<", b"<ijw:Postcode>0363AB<"),
    "CD007": _sub(
        b"<jw301:ToegewezenProducten>",
        b"<jw301:Communicatie><ijw:Vorm>1</ijw:Vorm></jw301:Communicatie><jw301:ToegewezenProducten>",
    ),
    "CD009": _sub(
        _CONTACT_END,
        b"</jw301:Adres><jw301:Periode><ijw:Begindatum>2025-01-01</ijw:Begindatum></jw301:Periode></jw301:Contact>",
    ),
    "TR381": _sub(b"<ijw:Categorie>45<", b"<ijw:Categorie>40<"),
    "CS335": _in_line(b"<jw301:RedenWijziging>13</jw301:RedenWijziging>"),
    "CS336": _in_line(b"<jw301:RedenWijziging>01</jw301:RedenWijziging>"),
    "CD041": _sub(b"<jw301:Omvang>" + _OMVANG + b"</jw301:Omvang>", b""),
    "CD075": lambda d: _in_line(b"<jw301:Budget>1000</jw301:Budget>")(d.replace(_EINDE, b"", 1)),
    "CD076": _sub(_EINDE, b""),
    "CD077": _in_line(b"<jw301:Budget>1000</jw301:Budget>"),
    "CD078": _in_line(b"<jw301:Budget>1000</jw301:Budget>"),
    "CD079": _sub(b"<jw301:Product><ijw:Categorie>45</ijw:Categorie><ijw:Code>45A03</ijw:Code></jw301:Product>", b""),
    "CD080": _sub(b"<ijw:Code>45A03</ijw:Code>", b""),
    "CS338": _sub(
        _OMVANG, b"<ijw:Volume>8</ijw:Volume><ijw:Eenheid>14</ijw:Eenheid><ijw:Frequentie>1</ijw:Frequentie>"
    ),
    "TR302": _duplicate_line,
}
"""Per JW301 rule, an edit of the small JW301 that makes it find something."""

EDGES: list[tuple[str | None, Callable[[bytes], bytes]]] = [
    ("TR002", _sub(b"<ijw:Datum>2020-02-09<", b"<ijw:Datum>1905-09-16<")),  # a day more than 120 years
    (None, _sub(b"<ijw:Datum>2020-02-09<", b"<ijw:Datum>1905-09-17<")),  # exactly 120 years
    ("TR134", _sub(b"<ijw:Datum>2020-02-09<", b"<ijw:Datum>2025-09-18<")),
    ("TR135", _sub(b"<ijw:Dagtekening>2025-09-17<", b"<ijw:Dagtekening>2026-06-02<")),
    (None, _sub(b"<ijw:Dagtekening>2025-09-17<", b"<ijw:Dagtekening>2026-06-01<")),
    (None, _sub(_EINDE, b"<jw301:Einddatum>2025-10-01</jw301:Einddatum>")),  # ends the day it starts
    (  # an Ingangsdatum outside a ToegewezenProduct (XSD-invalid; run() does not care)
        "CS003",
        _sub(
            _CONTACT_END,
            b"</jw301:Adres><jw301:Periode><jw301:Ingangsdatum>2025-05-01</jw301:Ingangsdatum>"
            b"<jw301:Einddatum>2025-04-01</jw301:Einddatum></jw301:Periode></jw301:Contact>",
        ),
    ),
    (
        "CS003",
        _sub(
            b"<jw301:Ingangsdatum>",
            b"<jw301:ToewijzingEinddatum>2020-01-01</jw301:ToewijzingEinddatum>"
            b"<jw301:ToewijzingIngangsdatum>2021-01-01</jw301:ToewijzingIngangsdatum><jw301:Ingangsdatum>",
        ),
    ),
    ("CS338", _sub(_OMVANG, b"<ijw:Volume>8</ijw:Volume><ijw:Eenheid>84</ijw:Eenheid>")),
    (
        "TR006",
        _sub(
            b"<jw301:ToegewezenProducten>",
            b"<jw301:Relatie><jw301:Contact><jw301:Adres><ijw:Huis><ijw:Huisnummer>1</ijw:Huisnummer></ijw:Huis>"
            b"</jw301:Adres></jw301:Contact></jw301:Relatie><jw301:ToegewezenProducten>",
        ),
    ),
]
"""Edits at the edge of a screen's condition: (the rule that then finds something, or None for none)."""


def _findings(data: bytes, *, fast: bool, context: RuleContext | None = None) -> list[Finding] | None:
    """The rule findings on ``data`` through run() (None when it is no iJw message or not well-formed)."""
    try:
        root = parse(data)
    except DocumentRefusedError:
        return None
    kind = inspect(data, rules=False).kind
    if kind is None:
        return None
    return registry.run(root, kind, context or RuleContext(today=TODAY), fast=fast)


def _both(data: bytes, context: RuleContext | None = None) -> list[Finding] | None:
    plain = _findings(data, fast=False, context=context)
    assert _findings(data, fast=True, context=context) == plain, data.decode(errors="replace")
    return plain


def _jw301_kind() -> MessageKind:
    kind = inspect(SMALL, rules=False).kind
    assert kind is not None and kind.message_type == "JW301"
    return kind


def test_the_screen_covers_every_jw301_rule_and_each_has_a_triggering_mutant() -> None:
    """A JW301 rule missing from the screen's table, or without an edit here that triggers it, fails."""
    ids = {r.id for r in registry.applicable(_jw301_kind(), RuleContext())}
    assert ids == {r.id for r in RULES.values() if r.applies_to(_jw301_kind()) and not r.needs_history}
    assert ids == JW301_COVERS == set(EDITS)
    assert _both(SMALL) == []
    for rule_id, edit in EDITS.items():
        found = _both(edit(SMALL))
        assert found is not None and rule_id in {f.rule for f in found}, (rule_id, found)


def test_the_valid_small_jw301_runs_no_rule_on_the_fast_path() -> None:
    """The point of the screen: a valid message ends before any rule's check is called."""
    kind = _jw301_kind()
    called: list[str] = []
    plan = registry._plan(kind, RuleContext(today=TODAY), "all")
    spied = tuple((i, c, (lambda doc, i=i, c=check: called.append(i) or c(doc))) for i, c, check in plan)
    registry._PLANS[next(k for k, v in registry._PLANS.items() if v is plan)] = spied  # type: ignore[assignment]
    try:
        assert registry.run(parse(SMALL), kind, RuleContext(today=TODAY)) == []
        assert called == []
        assert registry.run(parse(EDITS["CS002"](SMALL)), kind, RuleContext(today=TODAY))
        assert called == ["CS002"]
    finally:
        registry._PLANS.clear()


def test_fast_path_gives_the_plain_findings_at_the_edges_of_the_screen() -> None:
    """Dates a day either side of a limit, and elements where the screen does not expect them."""
    for rule_id, edit in EDGES:
        found = _both(edit(SMALL))
        assert found is not None and (rule_id in {f.rule for f in found} if rule_id else found == []), found


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(sorted(EDITS)), min_size=1, max_size=6), st.integers(1, 40))
def test_fast_path_gives_the_plain_findings_on_combined_mutants(rules: list[str], seed: int) -> None:
    """Random combinations of the triggering edits, on small JW301s of other seeds too."""
    data = small_jw301(seed=seed) if seed > 1 else SMALL
    for rule_id in rules:
        data = EDITS[rule_id](data)
    _both(data)
    for _, edit in EDGES[: seed % 4]:
        data = edit(data)
    _both(data)


def test_fast_path_gives_the_plain_findings_on_schema_agnostic_mutants_and_other_kinds() -> None:
    """Drops, duplicates, swaps and value edits anywhere (most XSD-invalid), and every generated kind."""
    compared = with_findings = 0
    messages = [data for _, data in mutants(SMALL, seed=5, count=300)]
    messages += [data for _, data in mutants(small_jw301(seed=9), seed=6, count=200)]
    messages += [m.data for m in ijw_traffic(150, seed=3, invalid_ratio=0.5)]
    for data in messages:
        found = _both(data)
        compared += found is not None
        with_findings += bool(found)
    assert compared > 500 and with_findings > 100


def test_rules_that_read_a_given_history_always_run() -> None:
    """With a history the screen skips no rule that reads it (TR332, and TR056, TR379, TR385 it does not cover).

    TR332 asks the history for a known ToewijzingNummer even when the screen sees one line only.
    """
    kind = _jw301_kind()
    for part in ("all", "local", "history"):
        with_history = RuleContext(history=FakeHistory())
        skippable = registry._skipped(kind, with_history, part, JW301_COVERS, set())
        readers = {i for i, _, _ in registry._plan(kind, with_history, part) if RULES[i].reads_history}
        assert not skippable & readers
        assert part == "local" or {"TR056", "TR332", "TR379", "TR385"} <= readers
    other = ToegewezenProduct("856589", "another client", date(2025, 1, 1), None, "45", "45A03")
    context = RuleContext(today=TODAY, history=FakeHistory(toewijzingen={"856589": other}))
    found = _both(SMALL, context)
    assert found is not None and [f.rule for f in found] == ["TR332"]
    assert _both(SMALL, RuleContext(today=TODAY, history=FakeHistory())) == []


def test_the_history_part_on_the_plain_path_merges_to_the_walked_one_pass_findings() -> None:
    """The worker's two parts: the local one (walked and screened) and the history one (the plain path, no walk).

    Merged, they give what one pass over all rules gives with the walk, on the triggering mutants and on
    generated traffic of every kind, with histories that make each of the JW301's history rules fire.
    """
    other = ToegewezenProduct("856589", "another client", date(2025, 1, 1), None, "45", "45A03")
    histories = [
        FakeHistory(),
        FakeHistory(toewijzingen={"856589": other}),
        FakeHistory(identificaties={("0034", "607069464")}),
    ]
    messages = [SMALL, *(edit(SMALL) for edit in EDITS.values()), *(m.data for m in ijw_traffic(80, seed=4))]
    from_history = 0
    for data in messages:
        kind = inspect(data, rules=False).kind
        if kind is None:
            continue
        for history in histories:
            context = RuleContext(today=TODAY, history=history, message_id="m-1")
            one_pass = registry.run(parse(data), kind, context, schema_checked=True)
            root = parse(data)
            local = registry.run(root, kind, context, part="local", schema_checked=True)
            later = registry.run(root, kind, context, part="history", schema_checked=True)
            assert registry.in_rule_order([*local, *later]) == one_pass, data.decode(errors="replace")
            from_history += bool(later)
    assert from_history >= 100  # the histories do object (198 of 345 here): their findings are compared too
