"""XSD error texts: lxml's own words and facts, namespaces out of element names only, BSNs masked.

The differential runs over mutants of the official example messages: for each, the gateway's
finding texts must equal lxml's error log for the same document with every namespace URI (taken
from the document and the schemas, not from a regex) removed, and a BSN echoed back masked.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from gateway.bsn import is_valid_bsn
from gateway.generate import small_jw301
from gateway.schemas import registry_for
from gateway.validation import validate
from tests.support.mutations import WRONG_NAMESPACE, mutants
from tests.support.reference import reference_path

_NINE = re.compile(r"(?<!\d)\d{9}(?!\d)")


def _namespaces(root: etree._Element, schema_file: Path) -> set[str]:
    """Every namespace URI the document or its schema package declares (the text to take out of names)."""
    found = {ns for el in root.iter() for ns in (el.nsmap or {}).values() if ns}
    for xsd in schema_file.parent.rglob("*.xsd"):
        found |= {m.decode() for m in re.findall(rb'targetNamespace="([^"]+)"', xsd.read_bytes())}
    return found | {WRONG_NAMESPACE, "http://www.w3.org/2001/XMLSchema"}


def _expected(message: str, namespaces: set[str]) -> str:
    """lxml's text without ``{uri}`` before names, and with a BSN echoed back masked as the gateway promises."""
    for ns in sorted(namespaces, key=len, reverse=True):
        message = message.replace("{" + ns + "}", "")
    if re.search(r"Element '(?:inp\.)?[Bb]sn'", message):
        message = re.sub(r"(The value |^Element '[^']*': )'[^']*'", r"\1'[bsn]'", message)
    return _NINE.sub(lambda m: "[bsn]" if is_valid_bsn(m.group()) else m.group(), message)


def _corpus() -> list[tuple[str, bytes]]:
    folder = reference_path("ijw-3.2", "berichten")
    docs = [(p.name, p.read_bytes()) for p in sorted(folder.glob("*.xml"))]
    docs.append(("generated JW301", small_jw301(seed=3)))
    out: list[tuple[str, bytes]] = []
    for name, data in docs:
        out.extend((f"{name} {label}", mutated) for label, mutated in mutants(data, seed=20, count=12))
    return out


def test_the_texts_of_at_least_100_invalid_mutants_are_lxmls_own_without_namespaces() -> None:
    """Every XSD finding text equals lxml's error text with the namespace URIs taken out, over >= 100 mutants."""
    registry = registry_for()
    compared = with_set = with_quantifier = 0
    for label, data in _corpus():
        root = etree.fromstring(data)
        qname = etree.QName(root)
        entry = registry.lookup(qname.namespace or "", qname.localname)
        assert entry is not None, label
        schema = registry.schema_for(entry)
        if schema.validate(root):
            continue
        namespaces = _namespaces(root, Path(entry.path))
        lxml_texts = [_expected(e.message, namespaces) for e in schema.error_log]  # type: ignore[attr-defined]
        ours = [f.message for f in validate(data, rules=False).errors if f.kind == "xsd"]
        assert ours == lxml_texts, label
        compared += 1
        with_set += any("of the set {'" in t for t in ours)
        with_quantifier += any(re.search(r"\{\d+(,\d*)?\}", t) for t in ours)
    assert compared >= 100
    assert with_set >= 5  # the facts the old regex ate are there: enumeration sets ...
    assert with_quantifier >= 1  # ... and pattern quantifiers such as [0-9]{9}


@pytest.mark.parametrize(
    ("value", "hidden"),
    [("12345", "12345"), ("999969079x", "999969079"), ("99996907", "99996907")],
)
def test_a_bad_bsn_value_is_masked_but_the_facet_facts_stay(value: str, hidden: str) -> None:
    """A Bsn value lxml quotes back is masked whatever its shape, while the pattern stays as lxml wrote it."""
    data = small_jw301(seed=1).replace(b"<jw301:Bsn>999906690", b"<jw301:Bsn>" + value.encode(), 1)
    texts = [f.message for f in validate(data, rules=False).errors]
    assert texts == ["Element 'Bsn': [facet 'pattern'] The value '[bsn]' is not accepted by the pattern '[0-9]{9}'."]
    assert hidden not in " ".join(texts)


def test_a_bsn_in_another_field_an_attribute_name_or_a_prefix_is_masked() -> None:
    """A BSN-valid number echoed from a date field, an attribute name or an XSD path never appears in a finding."""
    doc = small_jw301(seed=1)
    in_date = doc.replace(b"<ijw:Datum>2020-02-09", b"<ijw:Datum>999969079", 1)
    in_attribute = doc.replace(b"<jw301:Client>", b'<jw301:Client a999969079="1">', 1)
    as_prefix = doc.replace(b"xmlns:jw301=", b"xmlns:q999969079=", 1).replace(b"jw301:", b"q999969079:")
    as_prefix = as_prefix.replace(b"<q999969079:Bsn>999906690", b"<q999969079:Bsn>1", 1)
    for data in (in_date, in_attribute, as_prefix):
        result = validate(data, rules=False)
        assert result.errors, data[:80]
        for f in result.errors:
            assert "999969079" not in f.message and "999969079" not in (f.path or "")
    assert validate(as_prefix, rules=False).errors[0].path == "/Bericht/Client/Bsn"  # prefixes out of the path too


def test_namespaces_go_only_where_they_stand_before_a_name() -> None:
    """Expected-element lists lose their {uri} prefixes; the enumeration set of the same document keeps its braces."""
    data = small_jw301(seed=1).replace(b"<jw301:Geslacht>1", b"<jw301:Geslacht>7", 1)
    data = data.replace(b"<jw301:Soort>01</jw301:Soort>", b"", 1)
    texts = [f.message for f in validate(data, rules=False).errors]
    enumeration = "Element 'Geslacht': [facet 'enumeration'] The value '7' is not an element of the set {'0', '1', '2'}"
    assert enumeration + "." in texts
    assert "Element 'Adres': This element is not expected. Expected is ( Soort )." in texts
