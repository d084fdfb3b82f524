"""The three ways of reading a declaratie's Prestaties (gateway.rules.prestaties) give the same rows.

The strided way (one walk, columns as slices) is the fast path; the columnwise way (a walk per field)
and the per-Prestatie walk are what it must agree with, and what it leaves the message to when the
fields do not repeat. Findings of whole declaraties are held to the schema-checked and unchecked reads.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from lxml import etree

from gateway.generate import large_jw323
from gateway.rules import prestaties, registry
from gateway.rules.context import RuleContext
from gateway.rules.registry import Doc, run
from gateway.validation import inspect

NS = "http://www.istandaarden.nl/ijw/3_2/jw323/schema"
BASIS = "http://www.istandaarden.nl/ijw/3_2/basisschema/schema"


def _root(data: bytes) -> tuple[etree._Element, Doc]:
    kind = inspect(data, rules=False).kind
    assert kind is not None
    root = etree.fromstring(data)
    return root, Doc(root, kind, RuleContext())


def _content(found: list[prestaties.Row]) -> list[tuple[object, ...]]:
    return [(row.element, *row.content()) for row in found]


def _ways(data: bytes) -> dict[str, list[tuple[object, ...]] | None]:
    root, doc = _root(data)
    scope = root.find(f"{{{NS}}}Declaratie/{{{NS}}}Clienten")
    assert scope is not None
    out: dict[str, list[tuple[object, ...]] | None] = {}
    for name, checked in (("strided, schema checked", True), ("strided", False)):
        found = prestaties._strided(scope, NS, BASIS, checked)
        out[name] = None if found is None else _content(found)
    found = prestaties._columnwise(doc, strided=False)
    out["columnwise"] = None if found is None else _content(found)
    out["walk"] = _content([prestaties._walk(p) for p in doc.prestaties])
    return out


def _credit_every_tenth(data: bytes) -> bytes:
    """Every fifth Prestatie a credit naming an earlier one (VorigReferentieNummer only there)."""
    return re.sub(
        rb"(<ijw:ReferentieNummer>R1x(\d*0)</ijw:ReferentieNummer>)",
        rb"\1<ijw:VorigReferentieNummer>V\2</ijw:VorigReferentieNummer>",
        data,
    )


def _without_tarief(data: bytes, every: int) -> bytes:
    count = 0

    def drop(match: re.Match[bytes]) -> bytes:
        nonlocal count
        count += 1
        return b"" if count % every == 0 else match.group()

    return re.sub(rb"<jw323:ProductTarief>\d+</jw323:ProductTarief>", drop, data)


@pytest.mark.parametrize(
    "data",
    [large_jw323(40, seed=1), _without_tarief(large_jw323(40, seed=1), 1)],
    ids=["every field", "no ProductTarief at all"],
)
def test_all_ways_agree_when_the_fields_repeat(data: bytes) -> None:
    ways = _ways(data)
    assert ways["walk"] is not None and len(ways["walk"]) == 40
    assert ways["strided, schema checked"] == ways["strided"] == ways["columnwise"] == ways["walk"]


def test_optional_fields_in_some_prestaties_leave_the_strided_way() -> None:
    """ProductTarief missing in every third Prestatie, VorigReferentieNummer in every tenth: not one pattern."""
    for data in (_without_tarief(large_jw323(40, seed=1), 3), _credit_every_tenth(large_jw323(40, seed=1))):
        ways = _ways(data)
        assert ways["strided, schema checked"] is None and ways["strided"] is None
        assert ways["columnwise"] == ways["walk"]


def _tarief_only_in_the_first(data: bytes) -> bytes:
    count = 0

    def keep_first(match: re.Match[bytes]) -> bytes:
        nonlocal count
        count += 1
        return match.group() if count == 1 else b""

    return re.sub(rb"<jw323:ProductTarief>\d+</jw323:ProductTarief>", keep_first, data)


def _credit_all_but_the_first(data: bytes) -> bytes:
    return re.sub(
        rb"(<ijw:ReferentieNummer>R1x([1-9]\d*)</ijw:ReferentieNummer>)",
        rb"\1<ijw:VorigReferentieNummer>V\2</ijw:VorigReferentieNummer>",
        data,
    )


def _credit_instead_of_tarief_in_the_first(data: bytes) -> bytes:
    """The first Prestatie names an earlier one and has no ProductTarief, every other has a ProductTarief.

    Each Prestatie then has one optional field, so the fields' texts have the length of the first
    Prestatie's pattern times the Prestaties: only counting each optional field shows the columns do
    not line up.
    """
    first = re.sub(rb"<jw323:ProductTarief>\d+</jw323:ProductTarief>", b"", data, count=1)
    return first.replace(
        b"<ijw:ReferentieNummer>R1x0</ijw:ReferentieNummer>",
        b"<ijw:ReferentieNummer>R1x0</ijw:ReferentieNummer><ijw:VorigReferentieNummer>V0</ijw:VorigReferentieNummer>",
        1,
    )


@pytest.mark.parametrize(
    "edit",
    [_tarief_only_in_the_first, _credit_all_but_the_first, _credit_instead_of_tarief_in_the_first],
    ids=["tarief in the first only", "vorig not in the first", "vorig instead of tarief in the first"],
)
def test_the_first_prestatie_alone_does_not_make_the_pattern(edit: Callable[[bytes], bytes]) -> None:
    """An optional field in the first Prestatie only, or in all but it: the streamed way counts them and leaves."""
    data = edit(large_jw323(40, seed=1))
    assert data != large_jw323(40, seed=1)
    ways = _ways(data)
    assert ways["strided, schema checked"] is None and ways["strided"] is None
    assert ways["columnwise"] == ways["walk"] and ways["walk"] is not None and len(ways["walk"]) == 40


def test_an_unchecked_document_with_fields_out_of_order_is_not_read_strided() -> None:
    """Two fields swapped in one Prestatie (the XSD would refuse it): without the XSD every tag is compared."""
    data = large_jw323(40, seed=1)
    swapped = re.sub(
        rb"(<jw323:ProductCategorie>\d+</jw323:ProductCategorie>)(<jw323:ProductCode>\w+</jw323:ProductCode>)",
        rb"\2\1",
        data,
        count=1,
    )
    assert swapped != data
    ways = _ways(swapped)
    assert ways["strided"] is None
    assert ways["columnwise"] == ways["walk"]


def test_a_declaratie_antwoord_is_read_by_walking_its_prestaties() -> None:
    """A JW325 has no Declaratie/Clienten: neither column way applies, its rows come from the walk."""
    from tests.rules.cases import clean

    root = clean("JW325")
    kind = inspect(etree.tostring(root), rules=False).kind
    assert kind is not None
    doc = Doc(root, kind, RuleContext(), schema_checked=True)
    assert prestaties._columnwise(doc) is None
    assert _content(prestaties.rows(doc)) == _content([prestaties._walk(p) for p in doc.prestaties])


@pytest.mark.parametrize("checked", [True, False])
def test_findings_of_a_faulty_declaratie_do_not_depend_on_the_way(checked: bool) -> None:
    """Amounts one cent off on every Prestatie (TR346): the same findings whichever way the rows were read."""
    data = re.sub(rb"<ijw:Bedrag>(\d+)</ijw:Bedrag>", lambda m: b"<ijw:Bedrag>%d</ijw:Bedrag>" % (int(m[1]) + 1),
                  large_jw323(30, seed=2))  # fmt: skip
    kind = inspect(data, rules=False).kind
    assert kind is not None
    context = RuleContext()
    fast = run(etree.fromstring(data), kind, context, schema_checked=checked)
    doc = Doc(etree.fromstring(data), kind, context)
    doc.memo["prestaties"] = [prestaties._walk(p) for p in doc.prestaties]
    slow = registry._run(doc, kind, context, "all", None)
    assert [(f.rule, f.path, f.message) for f in fast] == [(f.rule, f.path, f.message) for f in slow]
    assert sum(f.rule == "TR346" for f in fast) == 30
