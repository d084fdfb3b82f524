"""JW304 retour on an iJw 2.3 JW303: valid against our and the official XSD, codes and amounts per level."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from lxml import etree

from gateway.model import Finding
from gateway.paths import schemas_dir
from gateway.retour import retour_for
from gateway.validation import inspect
from tests.support.reference import reference_path

_P = "/Bericht/Clienten/Client[1]/Prestaties/Prestatie[2]/ProductCode"


def _retour(findings: list[Finding], data: bytes | None = None) -> tuple[etree._Element, etree._Element]:
    data = data or reference_path("ijw-2.3", "berichten", "JW303.xml").read_bytes()
    inspection = inspect(data)
    assert inspection.result.valid, inspection.result.errors
    inspection.result.errors.extend(findings)
    out = retour_for(inspection, today=date(2026, 5, 1), identificatie="GREF1")
    assert out is not None
    doc = etree.fromstring(out)
    for xsd in (reference_path("ijw-2.3", "xsd", "JW304.xsd"), schemas_dir() / "ijw" / "2.3" / "JW304.xsd"):
        schema = etree.XMLSchema(etree.parse(str(xsd)))
        assert schema.validate(doc), (xsd, str(schema.error_log))
    assert inspection.root is not None
    return doc, inspection.root


def _codes(el: etree._Element | None) -> list[str]:
    assert el is not None
    return [str(c.text) for c in el.iterfind("{*}RetourCodes/{*}RetourCode")]


def _amount(el: etree._Element | None) -> tuple[str | None, str | None]:
    assert el is not None
    return el.findtext("{*}TotaalBedrag") or el.findtext("{*}Bedrag"), el.findtext("{*}DebetCredit")


def _prestaties(doc: etree._Element) -> list[etree._Element]:
    return list(doc.iterfind("{*}Clienten/{*}Client/{*}Prestaties/{*}Prestatie"))


def _toegekend(p: etree._Element) -> int:
    return int(p.findtext("{*}ToegekendeBedragPrestatie/{*}ToegekendBedrag/{*}Bedrag") or -1)


def _rule(path: str, code: str = "9322") -> Finding:
    return Finding("rule", "test", "TRX", code, 1, path)


def test_approved_declaratie_toekent_everything_with_0200_everywhere() -> None:
    doc, src = _retour([])
    header = doc.find("{*}Header")
    assert header is not None
    assert header.findtext("{*}BerichtCode") == "433"
    assert header.findtext("{*}Gemeente") == src.findtext("{*}Header/{*}Gemeente")
    assert header.findtext("{*}Aanbieder") == src.findtext("{*}Header/{*}Aanbieder")
    assert header.findtext("{*}RetourHeader/{*}GemeenteReferentieNummer") == "GREF1"
    assert header.findtext("{*}RetourHeader/{*}RetourDagtekening") == "2026-05-01"
    assert _codes(header) == ["0200"]
    ingediend = _amount(src.find("{*}Header/{*}DeclaratieFactuurBedragen/{*}DeclaratieFactuurTotaalBedrag"))
    assert _amount(header.find("{*}RetourBedragen/{*}IngediendTotaalBedrag")) == ingediend
    assert _amount(header.find("{*}RetourBedragen/{*}ToegekendTotaalBedrag")) == ingediend
    assert len(_prestaties(doc)) == len(list(src.iter("{*}Prestatie"))) == 4
    assert all(_codes(p) == ["0200"] for p in _prestaties(doc))
    assert all(_codes(c) == ["0200"] for c in doc.iterfind("{*}Clienten/{*}Client"))


def test_prestatie_error_toekent_0_for_that_prestatie_only() -> None:
    doc, src = _retour([_rule(_P)])
    prestaties = _prestaties(doc)
    assert [_codes(p) for p in prestaties] == [["0200"], ["9322"], ["0200"], ["0200"]]
    assert _toegekend(prestaties[1]) == 0
    src_p = list(src.iter("{*}Prestatie"))
    assert _toegekend(prestaties[0]) == int(
        src_p[0].findtext("{*}IngediendeBedragPrestatie/{*}DeclaratieFactuurBedrag/{*}Bedrag") or 0
    )
    total = sum(_toegekend(p) for p in prestaties)
    assert _amount(doc.find("{*}Header/{*}RetourBedragen/{*}ToegekendTotaalBedrag")) == (str(total), "D")
    assert total < 3590000


def test_client_error_marks_its_prestaties_not_beoordeeld() -> None:
    doc, _ = _retour([_rule("/Bericht/Clienten/Client[2]/Bsn", "0013")])
    clients = list(doc.iterfind("{*}Clienten/{*}Client"))
    assert [_codes(c) for c in clients] == [["0200"], ["0013"]]
    second = list(clients[1].iterfind("{*}Prestaties/{*}Prestatie"))
    assert second and all(_codes(p) == ["0233"] and _toegekend(p) == 0 for p in second)


@pytest.mark.parametrize(
    ("finding", "expected"),
    [
        (_rule("/Bericht/Header/Gemeente", "S300"), ["S300"]),
        (Finding("xsd", "broken", None, None, 3, "/Bericht/Header"), ["0001"]),
        (_rule(_P, "0001"), ["0001"]),
        (_rule(_P, "9999"), ["0001"]),  # a code the 2.3 retour schema does not know
    ],
)
def test_header_or_technical_error_rejects_the_whole_declaratie(finding: Finding, expected: list[str]) -> None:
    doc, _ = _retour([finding])
    header = doc.find("{*}Header")
    if finding.retourcode == "9999":  # a prestatie-level code that 2.3 cannot carry: sent as 0001 on that level
        assert _codes(header) == ["0200"]
        assert [c for p in _prestaties(doc) for c in _codes(p) if c != "0200"] == expected
        return
    assert _codes(header) == expected
    assert doc.find("{*}Clienten") is None
    assert _amount(header.find("{*}RetourBedragen/{*}ToegekendTotaalBedrag") if header is not None else None) == (
        "0",
        "D",
    )


def test_factuur_450_is_answered_with_451() -> None:
    data = reference_path("ijw-2.3", "berichten", "JW303.xml").read_bytes().replace(b">432<", b">450<")
    doc, _ = _retour([], data)
    assert doc.findtext("{*}Header/{*}BerichtCode") == "451"


def test_cli_writes_the_jw304(tmp_path: Path) -> None:
    out = tmp_path / "jw304.xml"
    src = reference_path("ijw-2.3", "berichten", "JW303.xml")
    done = subprocess.run(
        [sys.executable, "-m", "gateway", "retour", str(src), "-o", str(out)], capture_output=True, check=False
    )
    assert done.returncode == 0, done.stderr
    doc = etree.fromstring(out.read_bytes())
    assert etree.QName(doc).namespace == "http://www.istandaarden.nl/ijw/2_3/jw304/schema"
    assert etree.XMLSchema(etree.parse(str(reference_path("ijw-2.3", "xsd", "JW304.xsd")))).validate(doc)


def test_text_splice_and_node_by_node_copy_give_the_same_retour() -> None:
    """The default-namespace variant cannot be spliced as text and takes the node-by-node path."""
    original = reference_path("ijw-2.3", "berichten", "JW303.xml").read_bytes()
    variant = original.replace(b"xmlns:jw303=", b"xmlns=").replace(b"<jw303:", b"<").replace(b"</jw303:", b"</")
    findings = [_rule(_P), _rule("/Bericht/Clienten/Client[2]/Bsn", "0013")]
    spliced, _ = _retour(findings, original)
    copied, _ = _retour(findings, variant)

    def shape(doc: etree._Element) -> list[tuple[str, str]]:
        return [(str(e.tag), (e.text or "").strip()) for e in doc.iter() if isinstance(e.tag, str)]

    assert shape(spliced) == shape(copied)
