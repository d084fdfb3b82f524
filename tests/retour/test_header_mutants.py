"""Retours stay valid against the OFFICIAL retour XSD whatever header came in (280 header-corrupting mutants).

Each mutant is an official heenbericht example with one to three header corruptions: impossible or
malformed Dagtekening, swapped or garbage parties, XsdVersie "1.0", a wrong BerichtCode, BerichtVersie
or BerichtSubversie, a bad or missing Identificatie, missing header elements. Every one is inspected
as the gateway does, its retour built, and the retour validated against the official schema.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date

import pytest
from lxml import etree

from gateway.retour import retour_for
from gateway.retour.ijw import RETOUR_OF
from gateway.validation import inspect
from tests.support.reference import reference_path
from tests.support.xsd import compile_xsd

TODAY = date(2026, 11, 25)
RETOUR = {**RETOUR_OF, "JW323": "JW325"}
HEEN = sorted(RETOUR)
Corruption = Callable[[etree._Element, random.Random], None]


def _find(root: etree._Element, path: str) -> etree._Element | None:
    return root.find("/".join("{*}" + p for p in ("Header", *path.split("/"))))


def _set(path: str, *values: str) -> Corruption:
    def corrupt(root: etree._Element, rng: random.Random) -> None:
        el = _find(root, path)
        if el is not None:
            el.text = rng.choice(values)

    return corrupt


def _drop(path: str) -> Corruption:
    def corrupt(root: etree._Element, rng: random.Random) -> None:
        el = _find(root, path)
        if el is not None and el.getparent() is not None:
            el.getparent().remove(el)  # type: ignore[union-attr]

    return corrupt


def _swap(root: etree._Element, rng: random.Random) -> None:
    a, o = _find(root, "Afzender"), _find(root, "Ontvanger")
    assert a is not None and o is not None
    a.text, o.text = o.text, a.text


CORRUPTIONS: list[Corruption] = [
    _set("BerichtIdentificatie/Dagtekening", "2026-02-30", "2026-13-01", "gisteren", "", "2026-02-30Z", "20260101"),
    _swap,
    _set("Afzender", "ABC", "12345", "", "0384x"),
    _set("Ontvanger", "1234567", "", "x" * 9),
    _set("XsdVersie/BasisschemaXsdVersie", "1.0", "v1", ""),
    _set("XsdVersie/BerichtXsdVersie", "1.0", "01.0.0"),
    _set("BerichtCode", "437", "999", "", "4360", "abc"),
    _set("BerichtVersie", "4", ""),
    _set("BerichtSubversie", "9", "x"),
    _set("BerichtIdentificatie/Identificatie", "", "   ", "ABCDEFGHIJKLMNOP"),
    _drop("BerichtIdentificatie"),
    _drop("XsdVersie"),
    _drop("BerichtIdentificatie/Dagtekening"),
]


def _example(message_type: str) -> bytes:
    return reference_path("ijw-3.2", "berichten", f"{message_type}.xml").read_bytes()


def _parties(message_type: str) -> tuple[str, str]:
    root = etree.fromstring(_example(message_type))
    a, o = _find(root, "Afzender"), _find(root, "Ontvanger")
    assert a is not None and o is not None and a.text and o.text
    return a.text, o.text


def mutants(count_per_type: int = 40, seed: int = 20) -> list[tuple[str, str, bytes]]:
    """(message type, description, mutant) for every heenbericht type, deterministic."""
    rng = random.Random(seed)
    out = []
    for message_type in HEEN:
        for n in range(count_per_type):
            root = etree.fromstring(_example(message_type))
            picked = rng.sample(range(len(CORRUPTIONS)), 1 + n % 3)
            for i in picked:
                CORRUPTIONS[i](root, rng)
            out.append(
                (
                    message_type,
                    f"{message_type}-{n}-{picked}",
                    etree.tostring(root, xml_declaration=True, encoding="UTF-8"),
                )
            )
    return out


MUTANTS = mutants()
_SCHEMAS = {r: compile_xsd(reference_path("ijw-3.2", "xsd", f"{r}.xsd")) for r in RETOUR.values()}


def _header_codes(retour: bytes) -> list[str]:
    root = etree.fromstring(retour)
    return [(c.text or "") for c in root.iterfind("{*}Header/{*}RetourCodes/{*}RetourCode")]


def test_enough_distinct_mutants() -> None:
    """At least 200 distinct header-corrupting mutants over all seven heenbericht types (JW323 → JW325 too)."""
    assert len({data for _, _, data in MUTANTS}) >= 200
    assert {mt for mt, _, _ in MUTANTS} == set(HEEN)


@pytest.mark.parametrize("message_type", HEEN)
def test_every_retour_of_a_corrupt_header_is_valid_against_the_official_xsd(message_type: str) -> None:
    """With the route's parties at hand, each mutant's retour is schema-valid; a corrupt one is rejected (0001)."""
    parties = _parties(message_type)
    schema = _SCHEMAS[RETOUR[message_type]]
    checked = 0
    for mt, name, data in MUTANTS:
        if mt != message_type:
            continue
        inspection = inspect(data)
        retour = retour_for(inspection, today=TODAY, identificatie="R-1", parties=parties)
        assert retour is not None, name
        doc = etree.fromstring(retour)
        assert schema.validate(doc), (name, str(schema.error_log.last_error), retour[:600])
        if not inspection.result.valid:
            assert _header_codes(retour) != ["0200"], name
        checked += 1
    assert checked >= 30


def test_swapped_parties_need_no_route() -> None:
    """A header with Afzender and Ontvanger swapped gets a valid retour with the parties put right."""
    for message_type in HEEN:
        root = etree.fromstring(_example(message_type))
        _swap(root, random.Random(0))
        retour = retour_for(inspect(etree.tostring(root)), today=TODAY, identificatie="R-2")
        assert retour is not None
        doc = etree.fromstring(retour)
        assert _SCHEMAS[RETOUR[message_type]].validate(doc), message_type
        expected = _parties(message_type)
        if message_type == "JW323":  # the antwoord goes back from the gemeente to the aanbieder
            expected = (expected[1], expected[0])
        assert (_find(doc, "Afzender").text, _find(doc, "Ontvanger").text) == expected  # type: ignore[union-attr]


def test_berichtcode_comes_from_the_retour_schema_not_arithmetic() -> None:
    """A JW301 carrying BerichtCode 437 gets a JW302 with 437 (the retour's code), not 438."""
    root = etree.fromstring(_example("JW301"))
    _set("BerichtCode", "437")(root, random.Random(0))
    inspection = inspect(etree.tostring(root))
    assert not inspection.result.valid
    retour = retour_for(inspection, today=TODAY, identificatie="R-3")
    assert retour is not None
    assert _find(etree.fromstring(retour), "BerichtCode").text == "437"  # type: ignore[union-attr]
    assert _header_codes(retour) == ["0001"]


def test_an_impossible_dagtekening_is_rejected_on_the_header_and_echoed_validly() -> None:
    """Dagtekening 2026-02-30: rejected with 0001 on the header; the retour carries a valid date instead."""
    root = etree.fromstring(_example("JW305"))
    _set("BerichtIdentificatie/Dagtekening", "2026-02-30")(root, random.Random(0))
    inspection = inspect(etree.tostring(root))
    assert not inspection.result.valid
    retour = retour_for(inspection, today=TODAY, identificatie="R-4")
    assert retour is not None
    doc = etree.fromstring(retour)
    assert _SCHEMAS["JW306"].validate(doc)
    assert _find(doc, "BerichtIdentificatie/Dagtekening").text == TODAY.isoformat()  # type: ignore[union-attr]
    assert _header_codes(retour) == ["0001"]
