"""Rejected Prestaties copied as serialised text: same result as node by node, safe fallback otherwise."""

from __future__ import annotations

from datetime import date

import pytest
from lxml import etree

from gateway.generate import large_jw323
from gateway.model import Finding
from gateway.paths import schemas_dir
from gateway.retour.declaratie import _codes, _move_into, build_jw325
from gateway.retour.splice import Splicer
from tests.support.reference import reference_path

JW323_NS = "http://www.istandaarden.nl/ijw/3_2/jw323/schema"
JW325_NS = "http://www.istandaarden.nl/ijw/3_2/jw325/schema"
BASIS_NS = "http://www.istandaarden.nl/ijw/3_2/basisschema/schema"


def _all_rejected(root: etree._Element) -> list[Finding]:
    findings = []
    for ci, client in enumerate(root.iter(f"{{{JW323_NS}}}Client"), 1):
        for pi, _ in enumerate(client.iter(f"{{{JW323_NS}}}Prestatie"), 1):
            path = f"/Bericht/Declaratie/Clienten/Client[{ci}]/Prestaties/Prestatie[{pi}]/ToewijzingNummer"
            findings.append(Finding("rule", "test", "TR338", "9338", 1, path))
    return findings


def _antwoord(data: bytes) -> etree._Element:
    root = etree.fromstring(data)
    out = etree.fromstring(build_jw325(root, _all_rejected(root), today=date(2026, 5, 1), identificatie="A1"))
    for xsd in (reference_path("ijw-3.2", "xsd", "JW325.xsd"), schemas_dir() / "ijw" / "3.2" / "JW325.xsd"):
        schema = etree.XMLSchema(etree.parse(str(xsd)))
        assert schema.validate(out), (xsd, str(schema.error_log))
    return out


def _shape(el: etree._Element) -> list[tuple[str, str]]:
    """Qualified names and texts in document order: equal documents whatever their prefixes."""
    return [(str(e.tag), (e.text or "").strip()) for e in el.iter() if isinstance(e.tag, str)]


def _prestaties(doc: etree._Element) -> list[list[tuple[str, str]]]:
    return [_shape(p) for p in doc.iter(f"{{{JW325_NS}}}Prestatie")]


def test_fragment_equals_the_node_by_node_copy() -> None:
    root = etree.fromstring(reference_path("ijw-3.2", "berichten", "JW323.xml").read_bytes())
    for src in root.iter(f"{{{JW323_NS}}}Prestatie"):
        slow = etree.Element(f"{{{JW325_NS}}}Bericht", nsmap={"jw325": JW325_NS, "ijw": BASIS_NS})
        _codes(_move_into(etree.SubElement(slow, f"{{{JW325_NS}}}P"), src, JW325_NS, JW323_NS), JW325_NS, ["9338"])
        fast = etree.Element(f"{{{JW325_NS}}}Bericht", nsmap={"jw325": JW325_NS, "ijw": BASIS_NS})
        splicer = Splicer(fast, JW323_NS)
        assert splicer.copy(etree.SubElement(fast, f"{{{JW325_NS}}}P"), src, ["9338"])
        spliced = etree.fromstring(splicer.serialise(fast))
        assert _shape(spliced) == _shape(slow)  # the fragment keeps the sender's indentation, nothing else differs


def test_all_rejected_large_declaratie_is_complete_and_valid() -> None:
    data = large_jw323(prestaties=2000, seed=5)
    doc = _antwoord(data)
    assert len(_prestaties(doc)) == 2000
    codes = [c.text for c in doc.iter(f"{{{JW325_NS}}}RetourCode")]
    assert codes.count("9338") == 2000


@pytest.mark.parametrize("variant", ["default-namespace", "inner-redeclaration"])
def test_unusual_prefixes_fall_back_to_the_node_by_node_copy(variant: str) -> None:
    original = reference_path("ijw-3.2", "berichten", "JW323.xml").read_bytes()
    if variant == "default-namespace":
        data = original.replace(b"xmlns:jw323=", b"xmlns=").replace(b"<jw323:", b"<").replace(b"</jw323:", b"</")
    else:
        data = original.replace(b"<jw323:Prestatie>", b'<p:Prestatie xmlns:p="' + JW323_NS.encode() + b'">', 1)
        data = data.replace(b"</jw323:Prestatie>", b"</p:Prestatie>", 1)
    assert _shape(etree.fromstring(data)) == _shape(etree.fromstring(original))
    assert _prestaties(_antwoord(data)) == _prestaties(_antwoord(original))


def test_whole_client_and_single_prestaties_match_the_node_by_node_copy() -> None:
    """Client 1 rejected as a whole (one serialisation of its Prestaties), client 2 only its 2nd Prestatie."""
    original = reference_path("ijw-3.2", "berichten", "JW323.xml").read_bytes()
    variant = original.replace(b"xmlns:jw323=", b"xmlns=").replace(b"<jw323:", b"<").replace(b"</jw323:", b"</")
    findings = [
        Finding("rule", "t", "TR304", "8187", 1, "/Bericht/Declaratie/Clienten/Client[1]/Bsn"),
        Finding("rule", "t", "TR338", "9338", 1, "/Bericht/Declaratie/Clienten/Client[2]/Prestaties/Prestatie[2]"),
    ]
    docs = []
    for data in (original, variant):
        out = build_jw325(etree.fromstring(data), findings, today=date(2026, 5, 1), identificatie="A1")
        doc = etree.fromstring(out)
        assert etree.XMLSchema(etree.parse(str(reference_path("ijw-3.2", "xsd", "JW325.xsd")))).validate(doc)
        docs.append(doc)
    assert _shape(docs[0]) == _shape(docs[1])
    codes = [c.text for c in docs[0].iter(f"{{{JW325_NS}}}RetourCode")]
    assert "0233" in codes and "9338" in codes and "8187" in codes


def test_a_code_jw325_cannot_carry_goes_out_as_0001() -> None:
    root = etree.fromstring(reference_path("ijw-3.2", "berichten", "JW323.xml").read_bytes())
    finding = Finding("rule", "t", "X", "0013", 1, "/Bericht/Declaratie/Clienten/Client[2]/Prestaties/Prestatie[2]")
    doc = etree.fromstring(build_jw325(root, [finding], today=date(2026, 5, 1), identificatie="A1"))
    assert etree.XMLSchema(etree.parse(str(reference_path("ijw-3.2", "xsd", "JW325.xsd")))).validate(doc)
    assert "0013" not in [c.text for c in doc.iter(f"{{{JW325_NS}}}RetourCode")]
