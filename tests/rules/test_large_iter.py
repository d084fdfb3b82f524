"""Doc.iter on a declaratie: the names its type's rules asked for before come from one walk, in document order."""

from __future__ import annotations

from lxml import etree

from gateway.generate import large_jw323
from gateway.rules import registry
from gateway.rules.context import RuleContext
from gateway.rules.registry import Doc
from gateway.validation import inspect


def test_a_name_is_walked_alone_once_then_filed_with_the_others() -> None:
    data = large_jw323(12, seed=4)
    kind = inspect(data, rules=False).kind
    assert kind is not None
    root = etree.fromstring(data)
    registry._ASKED.pop(kind.message_type, None)
    first = Doc(root, kind, RuleContext())
    plain = {name: list(root.iter("{*}" + name)) for name in ("Bsn", "Einddatum", "TotaalBedrag", "Geboortedatum")}
    assert [list(first.iter(name)) for name in plain] == list(plain.values())  # each walked alone, and learned
    assert set(registry._ASKED[kind.message_type]) == set(plain)
    second = Doc(root, kind, RuleContext())
    assert [list(second.iter(name)) for name in plain] == list(plain.values())
    assert second._asked is not None and set(second._asked) == set(plain)  # from the one walk
    assert len(plain["Einddatum"]) == 13 and plain["Geboortedatum"] == []
