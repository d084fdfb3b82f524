"""The look-ups of small messages (gateway.rules.children: one walk, or a memo filled on first ask) give the
plain path's findings exactly."""

from __future__ import annotations

from datetime import date

from gateway.generate import ijw_traffic, small_jw301
from gateway.model import Finding
from gateway.rules import children, registry
from gateway.rules.context import RuleContext
from gateway.validation import inspect
from gateway.xmlsafe import DocumentRefusedError, parse
from tests.support.mutations import mutants


def _findings(data: bytes, memo: bool | None) -> list[Finding] | None:
    """All rule findings on ``data``: plain (False), memo on first ask (True) or run()'s walk (None).

    None when no iJw kind is recognised.
    """
    kind = inspect(data, rules=False).kind
    if kind is None:
        return None
    context = RuleContext(today=date(2026, 6, 1))
    if memo is None:
        return registry.run(parse(data), kind, context)
    token = children._KIDS.set({} if memo else None)
    try:
        return registry._run(registry.Doc(parse(data), kind, context), kind, context, "all", None)
    finally:
        children._KIDS.reset(token)


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
        assert _findings(data, memo=None) == plain
        compared += 1
        with_findings += bool(plain)
    assert compared > 200 and with_findings > 20  # the comparison covers messages that break rules


def test_run_leaves_no_memo_behind() -> None:
    """After run() the memo is unset again, so child()/text() outside a run take the plain path."""
    data = small_jw301(seed=1)
    kind = inspect(data, rules=False).kind
    assert kind is not None
    registry.run(parse(data), kind, RuleContext())
    assert children._KIDS.get() is None


def test_walk_files_every_element_as_lxml_finds_it() -> None:
    """walk() gives root.iter("{*}name") per name and iterchildren("{*}name") per parent, in document order."""
    for data in _messages()[::7]:
        try:
            root = parse(data)
        except DocumentRefusedError:  # some mutants are not well-formed
            continue
        index, kids = children.walk(root)
        names = {children.local_name(el.tag) for el in root.iter("{*}*")}
        assert set(index) == names
        for name in names:
            assert index[name] == list(root.iter("{*}" + name))
        for el in root.iter("{*}*"):
            expected: dict[str, list[object]] = {}
            for kid in el.iterchildren("{*}*"):
                expected.setdefault(children.local_name(kid.tag), []).append(kid)
            assert kids.get(el, {}) == expected


def test_doc_iter_without_an_index_finds_what_the_walked_index_holds() -> None:
    """The plain path's Doc.iter (lxml's ``iter``, as the history part runs) and the walked one agree."""
    compared = 0
    for data in _messages()[::5]:
        try:
            root = parse(data)
        except DocumentRefusedError:
            continue
        kind = inspect(data, rules=False).kind
        if kind is None or kind.message_type in registry._LARGE:
            continue
        index, _ = children.walk(root)
        plain, walked = registry.Doc(root, kind, RuleContext()), registry.Doc(root, kind, RuleContext(), index)
        for name in (*index, "Nergens"):
            assert list(plain.iter(name)) == list(walked.iter(name)), name
            compared += 1
    assert compared > 1000
