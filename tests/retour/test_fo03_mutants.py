"""Fo03 replies to Di01 messages with broken stuurgegevens are valid against the OFFICIAL StUF schema.

The incoming zender/ontvanger may carry unknown elements, fields out of their length, or lack the
required applicatie, and the referentienummer may be too long: the reply's stuurgegevens are built
from what fits, never copied.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest
from lxml import etree

from gateway.generate.stuf import STUF_DI01_ROOTS, STUF_NS, generate_di01
from gateway.retour import retour_for
from gateway.schemas import SchemaRegistry
from gateway.validation import inspect
from tests.support.reference import reference_path

_S = f"{{{STUF_NS}}}"
Break = Callable[[etree._Element], None]


def _in(block: str, name: str, value: str | None) -> Break:
    """Set (or with None remove) ``name`` in the stuurgegevens' ``block`` (zender or ontvanger)."""

    def run(root: etree._Element) -> None:
        target = root.find("{*}stuurgegevens" + f"/{_S}{block}")
        assert target is not None
        el = target.find(f"{_S}{name}")
        if value is None:
            if el is not None:
                target.remove(el)
            return
        if el is None:
            el = etree.SubElement(target, f"{_S}{name}")
        el.text = value

    return run


def _drop(name: str) -> Break:
    def run(root: etree._Element) -> None:
        sg = root.find("{*}stuurgegevens")
        assert sg is not None
        el = sg.find(f"{_S}{name}")
        if el is not None:
            sg.remove(el)

    return run


def _ref(value: str) -> Break:
    def run(root: etree._Element) -> None:
        el = root.find("{*}stuurgegevens" + f"/{_S}referentienummer")
        assert el is not None
        el.text = value

    return run


BREAKS: dict[str, Break] = {
    "organisatie 300 chars": _in("zender", "organisatie", "o" * 300),
    "applicatie too short": _in("zender", "applicatie", "ab"),
    "applicatie missing": _in("zender", "applicatie", None),
    "unknown element in zender": _in("zender", "onbekendVeld", "x"),
    "gebruiker 150 chars": _in("ontvanger", "gebruiker", "g" * 150),
    "administratie 60 chars": _in("ontvanger", "administratie", "a" * 60),
    "zender missing": _drop("zender"),
    "ontvanger missing": _drop("ontvanger"),
    "referentienummer 60 chars": _ref("R" * 60),
    "referentienummer empty": _ref(""),
}


@pytest.fixture(scope="module")
def official() -> dict[str, etree.XMLSchema]:
    """The official schemas of the two replies."""
    registry = SchemaRegistry([reference_path("stuf-jeugdzorg-1.0.9", "xsd")], bundled=None)
    out = {}
    for name in ("Fo03Bericht", "Bv03Bericht"):
        entry = registry.lookup(STUF_NS, name)
        assert entry is not None
        out[name] = registry.schema_for(entry)
    return out


@pytest.mark.parametrize("root_name", sorted(STUF_DI01_ROOTS)[:6])
@pytest.mark.parametrize("label", sorted(BREAKS))
def test_reply_to_a_broken_envelope_is_schema_valid(
    root_name: str, label: str, official: dict[str, etree.XMLSchema]
) -> None:
    """The reply (Fo03 when refused, Bv03 when the envelope still passes) passes the official schema."""
    _, _, data = generate_di01(root_name, random.Random(label), sequence=3)
    root = etree.fromstring(data)
    BREAKS[label](root)
    inspection = inspect(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    reply = retour_for(inspection)
    assert reply is not None
    doc = etree.fromstring(reply)
    name = etree.QName(doc).localname
    assert name == ("Bv03Bericht" if inspection.result.valid else "Fo03Bericht")
    schema = official[name]
    assert schema.validate(doc), (label, str(schema.error_log.last_error))


def test_most_breaks_are_refused() -> None:
    """The corpus really exercises the Fo03: most broken envelopes are rejected."""
    refused = 0
    for label, action in BREAKS.items():
        _, _, data = generate_di01("vtoDi01", random.Random(label), sequence=3)
        root = etree.fromstring(data)
        action(root)
        refused += not inspect(etree.tostring(root, xml_declaration=True, encoding="UTF-8")).result.valid
    assert refused >= 6
