"""JW325 declaratie-antwoord: valid against the official schema, codes on the right class, totals right."""

from __future__ import annotations

from datetime import date

import pytest
from lxml import etree

from gateway.model import Finding, MessageKind, Standard, ValidationResult
from gateway.paths import schemas_dir
from gateway.retour import retour_for
from gateway.validation import Inspection
from tests.support.reference import reference_path


def _inspection(findings: list[Finding]) -> tuple[Inspection, etree._Element]:
    root = etree.fromstring(reference_path("ijw-3.2", "berichten", "JW323.xml").read_bytes())
    kind = MessageKind(Standard.IJW, "JW323", "3.2", etree.QName(root).namespace or "", "Bericht")
    result = ValidationResult(well_formed=True, standard="ijw", message_type="JW323", version="3.2", errors=findings)
    return Inspection(result, root, kind), root


def _valid(findings: list[Finding]) -> tuple[etree._Element, etree._Element]:
    inspection, src = _inspection(findings)
    data = retour_for(inspection, today=date(2026, 5, 1), identificatie="ANTW1")
    assert data is not None
    doc = etree.fromstring(data)
    xsds = [reference_path("ijw-3.2", "xsd", "JW325.xsd")]
    bundled = schemas_dir() / "ijw" / "3.2" / "JW325.xsd"
    if bundled.exists():  # the compact JW325 schema is being added by another helper
        xsds.append(bundled)
    for xsd in xsds:
        schema = etree.XMLSchema(etree.parse(str(xsd)))
        assert schema.validate(doc), (xsd, str(schema.error_log))
    return doc, src


def _codes(el: etree._Element | None) -> list[str]:
    assert el is not None
    return [str(c.text) for c in el.iterfind("{*}RetourCodes/{*}RetourCode")]


def _total(el: etree._Element | None) -> tuple[str | None, str | None]:
    assert el is not None
    return el.findtext("{*}TotaalBedrag"), el.findtext("{*}DebetCredit")


def test_fully_approved_gets_8001_and_full_total_and_swapped_parties() -> None:
    doc, src = _valid([])
    header = doc.find("{*}Header")
    assert _codes(header) == ["0200"]
    assert header is not None
    assert header.findtext("{*}Afzender") == src.findtext("{*}Header/{*}Ontvanger")
    assert header.findtext("{*}Ontvanger") == src.findtext("{*}Header/{*}Afzender")
    assert header.findtext("{*}BerichtIdentificatie/{*}Identificatie") == "ANTW1"
    assert header.findtext("{*}DeclaratieIdentificatie/{*}Identificatie") == src.findtext(
        "{*}Header/{*}BerichtIdentificatie/{*}Identificatie"
    )
    antwoord = doc.find("{*}DeclaratieAntwoord")
    assert _codes(antwoord) == ["8001"]
    assert antwoord is not None and antwoord.find("{*}Clienten") is None
    assert _total(antwoord.find("{*}TotaalToegekendBedrag")) == _total(
        src.find("{*}Declaratie/{*}TotaalIngediendBedrag")
    )


def test_rejected_prestatie_comes_back_alone_and_leaves_the_total() -> None:
    path = "/JW323/Declaratie/Clienten/Client/Prestaties/Prestatie[2]/ProductCode"
    doc, src = _valid([Finding("rule", "code", "TR339", "9339", None, path)])
    antwoord = doc.find("{*}DeclaratieAntwoord")
    assert _codes(antwoord) == ["0200"]
    assert antwoord is not None
    clients = antwoord.findall("{*}Clienten/{*}Client")
    assert len(clients) == 1 and _codes(clients[0]) == ["0200"]
    prestaties = clients[0].findall("{*}Prestaties/{*}Prestatie")
    assert len(prestaties) == 1 and _codes(prestaties[0]) == ["9339"]
    src_p = src.findall("{*}Declaratie/{*}Clienten/{*}Client")[0].findall("{*}Prestaties/{*}Prestatie")[1]
    assert prestaties[0].findtext("{*}ProductReferentie/{*}ReferentieNummer") == src_p.findtext(
        "{*}ProductReferentie/{*}ReferentieNummer"
    )
    total = int(src.findtext("{*}Declaratie/{*}TotaalIngediendBedrag/{*}TotaalBedrag") or 0)
    rejected = int(src_p.findtext("{*}IngediendBedrag/{*}Bedrag") or 0)
    assert _total(antwoord.find("{*}TotaalToegekendBedrag")) == (str(total - rejected), "D")


def test_client_error_marks_its_prestaties_0233() -> None:
    doc, src = _valid([Finding("rule", "bsn", "TR307", "9307", None, "/Bericht/Declaratie/Clienten/Client[2]/Bsn")])
    clients = doc.findall("{*}DeclaratieAntwoord/{*}Clienten/{*}Client")
    assert len(clients) == 1 and _codes(clients[0]) == ["9307"]
    n = len(src.findall("{*}Declaratie/{*}Clienten/{*}Client")[1].findall("{*}Prestaties/{*}Prestatie"))
    assert [_codes(p) for p in clients[0].iterfind("{*}Prestaties/{*}Prestatie")] == [["0233"]] * n


@pytest.mark.parametrize(
    ("finding", "header", "antwoord"),
    [
        (Finding("rule", "nummer", "TR333", "9333", None, "/JW323/Declaratie/DeclaratieNummer"), ["0200"], ["9333"]),
        (Finding("xsd", "bad"), ["0001"], None),
        (Finding("rule", "uniek", "TR056", "9056", None, "/JW323/Header/BerichtIdentificatie"), ["9056"], None),
    ],
)
def test_declaratie_and_header_level(finding: Finding, header: list[str], antwoord: list[str] | None) -> None:
    doc, _ = _valid([finding])
    assert _codes(doc.find("{*}Header")) == header
    found = doc.find("{*}DeclaratieAntwoord")
    if antwoord is None:
        assert found is None
    else:
        assert _codes(found) == antwoord
        assert _total(found.find("{*}TotaalToegekendBedrag"))[0] == "0"
