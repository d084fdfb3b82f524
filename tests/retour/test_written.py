"""An accepted heenbericht's retour written as text is lxml's retour, byte for byte (gateway.retour.written).

Every case builds the accepted retour twice, as text and with lxml (``as_text=False``), and compares
the bytes: generated traffic of every heenbericht type with a retour, the official examples with
280 header-corrupting mutants (each given the accepted verdict, so that the text path sees every
corrupt value), values that need escaping and namespace declarations the text path does not write.
The text path must really be taken for the usual messages, and what it writes is valid against the
official retour schemas.
"""

from __future__ import annotations

from datetime import date

import pytest
from lxml import etree

from gateway.generate import ijw_traffic
from gateway.retour import ijw
from gateway.retour.ijw import RETOUR_OF, build_ijw_retour
from gateway.retour.written import written_retour
from gateway.validation import inspect
from tests.retour.test_header_mutants import MUTANTS, _example
from tests.support.reference import reference_path
from tests.support.xsd import compile_xsd

TODAY = date(2026, 12, 8)
PARTIES = ("0034", "70329669")


def _both(data: bytes) -> tuple[bytes, bytes] | None:
    """The accepted retour of ``data`` as text and with lxml; None for no 3.2 heenbericht with a retour."""
    inspection = inspect(data, rules=False)
    kind, root = inspection.kind, inspection.root
    if kind is None or root is None or kind.message_type not in RETOUR_OF or kind.version != "3.2":
        return None
    args = (root, kind.message_type, kind.version, [])
    text = build_ijw_retour(*args, today=TODAY, identificatie="R-9", parties=PARTIES)
    built = build_ijw_retour(*args, today=TODAY, identificatie="R-9", parties=PARTIES, as_text=False)
    return text, built


@pytest.fixture
def written(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each retour built from here on was written as text."""
    seen: list[bool] = []

    def spy(*args: object, **kwargs: object) -> bytes | None:
        out = written_retour(*args, **kwargs)  # type: ignore[arg-type]
        seen.append(out is not None)
        return out

    monkeypatch.setattr(ijw, "written_retour", spy)
    return seen


def test_generated_traffic_is_written_as_lxml_builds_it(written: list[bool]) -> None:
    compared = 0
    for message in ijw_traffic(300, seed=8, invalid_ratio=0.0):
        pair = _both(message.data)
        if pair is not None:
            assert pair[0] == pair[1], message.data[:400]
            compared += 1
    assert compared >= 150 and written.count(True) >= 150  # the text path is the usual one


def test_corrupt_headers_are_written_as_lxml_builds_them(written: list[bool]) -> None:
    compared = 0
    for _, name, data in MUTANTS:
        pair = _both(data)
        if pair is not None:
            assert pair[0] == pair[1], name
            compared += 1
    assert compared >= 200 and written.count(True) >= 150


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (b"<ijw:Identificatie>", b"<ijw:Identificatie>A&amp;B&lt;"),  # markup in a copied value
        (b"<ijw:Identificatie>", b"<ijw:Identificatie>\xc3\xa9"),  # not ASCII
        (b'xmlns:ijw="', b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:ijw="'),  # one more prefix
        (b"ijw:", b"basis:"),  # the basisschema under another prefix
    ],
    ids=["markup", "non-ascii", "extra prefix", "other prefix"],
)
def test_what_the_text_path_does_not_write_goes_through_lxml(written: list[bool], old: bytes, new: bytes) -> None:
    data = _example("JW301")
    edited = (
        data.replace(old, new).replace(b'xmlns:ijw="', b'xmlns:basis="')
        if new == b"basis:"
        else data.replace(old, new, 1)
    )
    assert edited != data
    pair = _both(edited)
    assert pair is not None
    assert pair[0] == pair[1]
    assert written == [False]


def test_written_retours_are_valid_against_the_official_schemas(written: list[bool]) -> None:
    schemas = {r: compile_xsd(reference_path("ijw-3.2", "xsd", f"{r}.xsd")) for r in RETOUR_OF.values()}
    for heen, retour in RETOUR_OF.items():
        pair = _both(_example(heen))
        assert pair is not None
        doc = etree.fromstring(pair[0])
        assert schemas[retour].validate(doc), (heen, str(schemas[retour].error_log.last_error))
    assert written == [True] * len(RETOUR_OF)


def test_only_printable_ascii_without_markup_counts_as_plain() -> None:
    """The one character class the text path trusts, against its definition, character by character."""
    from gateway.retour.written import _NOT_PLAIN

    for code in (*range(0x3000), 0xFEFF, 0x1F600, 0x10FFFF):
        c = chr(code)
        plain = c.isascii() and c.isprintable() and c not in "\"&'<>"
        assert (_NOT_PLAIN.search(c) is None) is plain, hex(code)
