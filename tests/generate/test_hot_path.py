"""The fast path of xmlsafe.parse (canonical UTF-8 prolog) refuses exactly what the full checks refuse."""

from __future__ import annotations

import pytest

from gateway.generate import small_jw301
from gateway.validation import validate
from gateway.xmlsafe import DocumentRefusedError, parse

PROLOG = b'<?xml version="1.0" encoding="UTF-8"?>'
LOL = b'<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'


@pytest.mark.parametrize(
    "data",
    [
        PROLOG + LOL + b"<r>&b;</r>",
        PROLOG + b"\n" + LOL + b"<r>&b;</r>",
        PROLOG + b" " * 100 + LOL + b"<r>&b;</r>",
        PROLOG + b"<!-- c -->" + LOL + b"<r>&b;</r>",
        PROLOG + b"<?pi x?>" + LOL + b"<r>&b;</r>",
        b"<?xml version='1.0' encoding='UTF-8'?>" + LOL + b"<r>&b;</r>",
    ],
    ids=["direct", "newline", "long-whitespace", "after-comment", "after-pi", "single-quotes"],
)
def test_doctype_after_canonical_prolog_is_refused(data: bytes) -> None:
    with pytest.raises(DocumentRefusedError) as err:
        parse(data)
    assert err.value.finding.kind == "xml"
    assert "DTD" in err.value.finding.message


def test_oversized_canonical_document_is_refused_before_parsing() -> None:
    data = small_jw301(1)
    with pytest.raises(DocumentRefusedError) as err:
        parse(data, max_bytes=len(data) - 1)
    assert "OP179" in err.value.finding.message


@pytest.mark.parametrize(
    "data",
    [b"\xef\xbb\xbf" + PROLOG + b"<r/>", b'<?xml version="1.0" encoding="ISO-8859-1"?><r/>', b"   \n\t ", b""],
    ids=["bom", "latin1", "whitespace-only", "empty"],
)
def test_non_canonical_starts_still_take_the_full_checks(data: bytes) -> None:
    result = validate(data)
    assert not result.well_formed
    assert [e.kind for e in result.errors] == ["xml"]


def test_canonical_document_parses_to_its_root() -> None:
    root = parse(small_jw301(1))
    assert root.tag == "{http://www.istandaarden.nl/ijw/3_2/jw301/schema}Bericht"
    assert validate(small_jw301(1)).valid


TRICKY = (
    b'<r xmlns="urn:x" xmlns:y="urn:y"><a><c>1</c></a><y:a><b> 2 </b></y:a><a><b>3</b></a><e/><y:e>x</y:e>'
    b"<!-- c --><f><g><h/></g><g><h>deep</h></g></f></r>"
)


@pytest.mark.parametrize("path", ["a", "a/b", "a/c", "e", "f/g/h", "b", "z", "f/z/h"])
def test_rule_lookups_agree_with_elementpath(path: str) -> None:
    from lxml import etree

    from gateway.rules.registry import child, child_or, text

    root = etree.fromstring(TRICKY)
    expected = root.findtext("/".join("{*}" + p for p in path.split("/")))
    assert text(root, path) == (expected.strip() if expected is not None else None)
    if "/" not in path:
        found = root.find("{*}" + path)
        assert child(root, path) == found
        assert child_or(root, path) == (found if found is not None else root)


def test_gc_pause_restores_the_collector_state() -> None:
    import gc

    from gateway.generate import large_jw323

    data = large_jw323(3000, seed=2)
    assert len(data) >= 512 * 1024  # takes the paused path
    assert gc.isenabled()
    assert validate(data).valid
    assert gc.isenabled()
    gc.disable()
    try:
        assert validate(data).valid
        assert not gc.isenabled()  # a caller's choice is left alone
    finally:
        gc.enable()


def test_unrolled_elfproef_agrees_with_the_weighted_sum() -> None:
    import random

    from gateway.bsn import is_valid_bsn

    def reference(value: str) -> bool:
        if len(value) != 9 or not value.isdigit():
            return False
        total = sum(int(d) * w for d, w in zip(value, (9, 8, 7, 6, 5, 4, 3, 2, -1), strict=True))
        return total != 0 and total % 11 == 0

    rng = random.Random(7)
    values = [f"{rng.randrange(10**9):09d}" for _ in range(5000)] + ["000000000", "12345678", "1234567890", "12345678a"]
    assert [is_valid_bsn(v) for v in values] == [reference(v) for v in values]
    assert sum(map(is_valid_bsn, values)) > 300  # about one in eleven passes: both outcomes are exercised
