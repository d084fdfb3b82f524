"""Our iJw 2.3 schemas against the official ones, element by element and leaf type by leaf type.

The example-based mutants only reach what the ten official examples contain. Here every element path
that the official schema allows is compared: the same children in the same order with the same
cardinality, and every simple-typed leaf accepts exactly the same probe values (enumeration
neighbours, length and range boundaries, date/time edge cases, pattern look-alikes).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import xmlschema
from lxml import etree

from gateway.schemas import BUNDLED_SCHEMAS
from tests.support.reference import reference_path

OURS = BUNDLED_SCHEMAS / "ijw" / "2.3"
MESSAGE_TYPES = ("JW301", "JW302", "JW303", "JW304", "JW305", "JW306", "JW307", "JW308", "JW315", "JW316")

# Strings that sit near the formats iJw uses: codes, AGB/BSN/gemeente digits, versions, BTW numbers, blanks.
_BAG_TEXT = (
    "| |\t|x| x|x |a b|.|..|. x .|-|0|1|2|3|9|00|01|1.0|+1|-1|01.0.0|1.0.0|1.01.0|10.20.30|1.0.0.0|436|"
    "437|4360|432|450|0000|0363|123|12345|00000000|98000001|98000000|98100000|98999999|99000001|1234567|"
    "12345678|123456789|1234567890|12 45678|NL123456789B01|NL123456789B1|nl123456789b01|NL12345678B01|"
    "ABC123|abc|ABC-1|ÀÉ|Jé|J.|aaaaaaa|EUR|eur|C|D|c|AB|ab|NL|ZZ|S300|s300|2020-01-31|2020-02-30|"
    "2020-01-31Z|2020-01-31+01:00|20-01-31|2020-1-31|12:00:00|12:00:00Z|12:00:00+01:00|24:00:00|12:00|"
    "12:00:00.5|T|true|x@y.nl|0612345678"
)
_BAG = tuple(_BAG_TEXT.split("|"))


def _facet_chain(xsd_type: Any) -> Iterator[Any]:
    while xsd_type is not None and hasattr(xsd_type, "facets"):
        yield xsd_type
        xsd_type = getattr(xsd_type, "base_type", None)


def _probes_for(*types: Any) -> set[str]:
    """Probe values derived from the facets of both types plus the fixed bag."""
    probes: set[str] = set(_BAG)
    for xsd_type in types:
        for step in _facet_chain(xsd_type):
            for name, facet in step.facets.items():
                local = (name or "").rsplit("}", 1)[-1]
                if local == "enumeration":
                    for value in facet.enumeration:
                        text = str(value)
                        probes |= {text, text + " ", " " + text, text[:-1], text + "0", "0" + text}
                elif local in ("minLength", "maxLength", "length"):
                    for n in (facet.value - 1, facet.value, facet.value + 1):
                        if n >= 0:
                            probes |= {"a" * n, "1" * n, " " * n, "é" * n, ("A1" * n)[:n], ("x " * n)[:n]}
                elif local in ("minInclusive", "maxInclusive", "minExclusive", "maxExclusive"):
                    bound = Decimal(str(facet.value))
                    probes |= {str(bound - 1), str(bound), str(bound + 1), f" {bound} ", f"0{bound}"}
    return probes


def _leaves(element: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """(path, element) for the element and every descendant declaration."""
    here = f"{path}/{element.local_name}"
    yield here, element
    if not element.type.is_simple() and element.type.has_complex_content():
        for child in element.type.content.iter_elements():
            yield from _leaves(child, here)


def _shape(element: Any) -> Any:
    """What the content model of an element allows: child names, order and occurrence bounds."""
    if element.type.is_simple() or not element.type.has_complex_content():
        return "simple"
    group = element.type.content
    return (group.model, [(c.local_name, c.min_occurs, c.max_occurs) for c in group])


@pytest.fixture(scope="module")
def pairs() -> dict[str, tuple[xmlschema.XMLSchema10, xmlschema.XMLSchema10]]:
    official = reference_path("ijw-2.3", "xsd")
    return {
        mt: (xmlschema.XMLSchema10(str(OURS / f"{mt}.xsd")), xmlschema.XMLSchema10(str(official / f"{mt}.xsd")))
        for mt in MESSAGE_TYPES
    }


@pytest.fixture(scope="module")
def example_values() -> set[str]:
    """Every text value in the official examples: real-looking values for every leaf."""
    values: set[str] = set()
    for mt in MESSAGE_TYPES:
        root = etree.parse(str(reference_path("ijw-2.3", "berichten", f"{mt}.xml"))).getroot()
        values |= {el.text for el in root.iter() if isinstance(el.tag, str) and el.text and not len(el)}
    return values


@pytest.mark.parametrize("message_type", MESSAGE_TYPES)
def test_same_namespace_and_element_tree(
    message_type: str, pairs: dict[str, tuple[xmlschema.XMLSchema10, xmlschema.XMLSchema10]]
) -> None:
    ours, official = pairs[message_type]
    assert ours.target_namespace == official.target_namespace
    assert list(ours.elements) == list(official.elements) == ["Bericht"]
    ours_tree = dict(_leaves(ours.elements["Bericht"]))
    official_tree = dict(_leaves(official.elements["Bericht"]))
    assert list(ours_tree) == list(official_tree)
    for path, element in official_tree.items():
        assert _shape(ours_tree[path]) == _shape(element), path
        assert ours_tree[path].type.is_simple() == element.type.is_simple(), path


@pytest.mark.slow  # ~5 s for JW301/JW302 on an idle core: hundreds of probes per leaf type
@pytest.mark.parametrize("message_type", MESSAGE_TYPES)
def test_every_leaf_accepts_the_same_values(
    message_type: str,
    pairs: dict[str, tuple[xmlschema.XMLSchema10, xmlschema.XMLSchema10]],
    example_values: set[str],
) -> None:
    ours, official = pairs[message_type]
    ours_tree = dict(_leaves(ours.elements["Bericht"]))
    checked = 0
    seen: set[tuple[int, int]] = set()
    for path, element in _leaves(official.elements["Bericht"]):
        if not element.type.is_simple():
            continue
        mine = ours_tree[path].type
        checked += 1
        if (id(mine), id(element.type)) in seen:
            continue  # the same pair of types was compared on an earlier path
        seen.add((id(mine), id(element.type)))
        probes = sorted(_probes_for(mine, element.type) | example_values)
        verdicts = [(p, mine.is_valid(p), element.type.is_valid(p)) for p in probes]
        assert [p for p, a, b in verdicts if a != b] == [], path
        # The probes must discriminate: each leaf sees accepted and rejected values.
        assert any(b for _, _, b in verdicts) and not all(b for _, _, b in verdicts), path
    assert checked >= 15


def _xsd(path: Any) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(path)))


def _with_servicebureau(root: etree._Element) -> None:
    """The official JW303/JW304 examples leave out the optional Servicebureau: put one in after Gemeente."""
    gemeente = root.find("{*}Header/{*}Gemeente")
    if gemeente is not None:
        el = etree.Element(str(gemeente.tag).replace("}Gemeente", "}Servicebureau"))
        el.text = "98000001"
        gemeente.addnext(el)


@pytest.mark.parametrize("message_type", MESSAGE_TYPES)
def test_libxml2_gives_every_example_leaf_the_same_verdict(
    message_type: str,
    pairs: dict[str, tuple[xmlschema.XMLSchema10, xmlschema.XMLSchema10]],
) -> None:
    """The gateway validates with libxml2: every leaf of the example, set to each probe, same verdict both ways."""
    ours_xsd, official_xsd = (
        _xsd(OURS / f"{message_type}.xsd"),
        _xsd(reference_path("ijw-2.3", "xsd", f"{message_type}.xsd")),
    )
    root = etree.parse(str(reference_path("ijw-2.3", "berichten", f"{message_type}.xml"))).getroot()
    _with_servicebureau(root)
    assert official_xsd.validate(root) and ours_xsd.validate(root)
    types = {path: el.type for path, el in _leaves(pairs[message_type][1].elements["Bericht"]) if el.type.is_simple()}
    mine = {path: el.type for path, el in _leaves(pairs[message_type][0].elements["Bericht"]) if el.type.is_simple()}
    checked: list[str] = []
    seen: set[tuple[int, int]] = set()
    for leaf in [el for el in root.iter() if isinstance(el.tag, str) and not len(el)]:
        path = "/" + "/".join(etree.QName(a).localname for a in [*reversed(list(leaf.iterancestors())), leaf])
        checked.append(path)
        if (id(types[path]), id(mine[path])) in seen:
            continue  # a leaf's verdict depends only on its type: this pair of types was probed already
        seen.add((id(types[path]), id(mine[path])))
        original = leaf.text
        for probe in sorted(_probes_for(types[path])):
            leaf.text = probe
            assert ours_xsd.validate(root) == official_xsd.validate(root), (path, probe)
        leaf.text = original
    assert len(checked) >= 5
    if message_type in ("JW303", "JW304"):
        assert "/Bericht/Header/Servicebureau" in checked
