"""Retourberichten and StUF acknowledgements validate against bundled and official schemas."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from lxml import etree

from gateway.model import Finding
from gateway.paths import schemas_dir
from gateway.retour import build_fo03, retour_for, stuf_duplicate_fo03
from gateway.validation import inspect
from tests.support.reference import reference_path
from tests.support.stuf_builders import STUF_DI01_ROOTS, build_di01

HEEN = ["JW301", "JW305", "JW307", "JW315", "JW317", "JW319"]
STUF = "{http://www.egem.nl/StUF/StUF0301}"


def _retour_type(doc: etree._Element) -> str:
    return (etree.QName(doc).namespace or "").split("/")[-2].upper()


def _assert_valid(retour: bytes) -> etree._Element:
    doc = etree.fromstring(retour)
    name = _retour_type(doc)
    for xsd in (reference_path("ijw-3.2", "xsd", f"{name}.xsd"), schemas_dir() / "ijw" / "3.2" / f"{name}.xsd"):
        schema = etree.XMLSchema(etree.parse(str(xsd)))
        assert schema.validate(doc), (xsd, str(schema.error_log))
    return doc


def _codes(el: etree._Element | None) -> list[str]:
    assert el is not None
    box = el.find("{*}RetourCodes")
    assert box is not None
    return [str(c.text) for c in box]


@pytest.mark.parametrize("heen", HEEN)
def test_accepted_example_gets_header_only_0200_with_copied_header(heen: str) -> None:
    data = reference_path("ijw-3.2", "berichten", f"{heen}.xml").read_bytes()
    inspection = inspect(data)
    inspection.result.errors = []
    doc = _assert_valid(retour_for(inspection, today=date(2026, 5, 1), identificatie="RET1") or b"")
    src = etree.fromstring(data)
    header = doc.find("{*}Header")
    assert header is not None
    assert _codes(header) == ["0200"]
    assert header.findtext("{*}IdentificatieRetour") == "RET1"
    assert header.findtext("{*}DagtekeningRetour") == "2026-05-01"
    for field in ("Afzender", "Ontvanger"):
        assert header.findtext(f"{{*}}{field}") == src.findtext(f"{{*}}Header/{{*}}{field}")
    assert header.findtext("{*}BerichtIdentificatie/{*}Identificatie") == src.findtext(
        "{*}Header/{*}BerichtIdentificatie/{*}Identificatie"
    )
    assert int(header.findtext("{*}BerichtCode") or 0) == int(src.findtext("{*}Header/{*}BerichtCode") or 0) + 1
    assert doc.find("{*}Client") is None


@pytest.mark.parametrize("heen", ["JW301", "JW305", "JW307", "JW317"])
def test_client_level_rule_lands_on_client_and_0200_elsewhere(heen: str) -> None:
    inspection = inspect(reference_path("ijw-3.2", "berichten", f"{heen}.xml").read_bytes())
    inspection.result.errors = [Finding("rule", "bsn", "CS002", "8001", None, "/Bericht/Client/Bsn")]
    doc = _assert_valid(retour_for(inspection) or b"")
    header, client = doc.find("{*}Header"), doc.find("{*}Client")
    assert header is not None and client is not None
    assert _codes(header) == ["0200"]
    assert _codes(client) == ["8001"]
    others = [c for el in client.iter("{*}RetourCodes") if el.getparent() is not client for c in el]
    assert others and all(c.text == "0200" for c in others)


def test_product_level_rule_lands_on_that_product() -> None:
    inspection = inspect(reference_path("ijw-3.2", "berichten", "JW305.xml").read_bytes())
    inspection.result.errors = [
        Finding("rule", "periode", "TR063", "9063", None, "/Bericht/Client/StartProducten/StartProduct/Ingangsdatum")
    ]
    doc = _assert_valid(retour_for(inspection) or b"")
    client = doc.find("{*}Client")
    assert client is not None
    assert _codes(client) == ["0200"]
    product = client.find("{*}StartProducten/{*}StartProduct")
    assert product is not None and _codes(product) == ["9063"]


@pytest.mark.parametrize("heen", ["JW301", "JW305", "JW307", "JW317"])
def test_namespaces_are_declared_once_on_the_root_with_the_heenbericht_prefixes(heen: str) -> None:
    """The retour's elements are built in place: no element re-declares a namespace or gets an ns0 prefix."""
    data = reference_path("ijw-3.2", "berichten", f"{heen}.xml").read_bytes()
    inspection = inspect(data)
    inspection.result.errors = [Finding("rule", "bsn", "CS002", "8001", None, "/Bericht/Client/Bsn")]
    retour = retour_for(inspection) or b""
    doc = _assert_valid(retour)
    retour_type = _retour_type(doc)
    assert doc.prefix == retour_type.lower()
    basis = {prefix: ns for prefix, ns in etree.fromstring(data).nsmap.items() if ns.endswith("/basisschema/schema")}
    assert basis and all(doc.nsmap.get(prefix) == ns for prefix, ns in basis.items())
    assert retour.count(b"xmlns:") == len(doc.nsmap)  # every declaration is on the root
    assert b"ns0" not in retour


def test_xsd_error_gives_header_only_0001() -> None:
    data = reference_path("ijw-3.2", "berichten", "JW301.xml").read_bytes()
    broken = data.replace(b"<jw301:Geslacht>1</jw301:Geslacht>", b"<jw301:Geslacht>7</jw301:Geslacht>", 1)
    inspection = inspect(broken)
    assert any(e.kind == "xsd" for e in inspection.result.errors)
    doc = _assert_valid(retour_for(inspection) or b"")
    header = doc.find("{*}Header")
    assert header is not None and _codes(header) == ["0001"]
    assert doc.find("{*}Client") is None


def test_retour_and_unknown_get_none() -> None:
    assert retour_for(inspect(reference_path("ijw-3.2", "berichten", "JW302.xml").read_bytes())) is None
    assert retour_for(inspect(b"<not-closed")) is None
    assert retour_for(inspect(b"<Unknown/>")) is None


def _stuf_valid(reply: bytes, group: str) -> etree._Element:
    """Bv03/Fo03 are declared in the jr and gm official sets (vt/vv reuse them); check both and our envelope."""
    del group
    doc = etree.fromstring(reply)
    xsds = [
        reference_path("stuf-jeugdzorg-1.0.9", "xsd", "jrberichten", "jz0100_msg_stuf_jzberichten_resolved2025.xsd"),
        reference_path("stuf-jeugdzorg-1.0.9", "xsd", "gmberichten", "jz0100_msg_stuf_gmberichten_resolved2025.xsd"),
        schemas_dir() / "stuf-jz" / "1.0.9" / "stuf0301-envelope.xsd",
    ]
    for xsd in xsds:
        schema = etree.XMLSchema(etree.parse(str(xsd)))
        assert schema.validate(doc), (xsd, str(schema.error_log))
    return doc


@pytest.mark.parametrize("root", sorted(STUF_DI01_ROOTS))
def test_stuf_bv03_swaps_parties_and_cross_refs(root: str) -> None:
    di01 = build_di01(
        root, zender_oin="00000001111111111000", ontvanger_oin="00000002222222222000", referentienummer="REF-1"
    )
    inspection = inspect(di01)
    assert inspection.result.valid, inspection.result.errors
    reply = retour_for(inspection) or b""
    doc = _stuf_valid(reply, STUF_DI01_ROOTS[root])
    assert etree.QName(doc).localname == "Bv03Bericht"
    sg = doc.find(f"{STUF}stuurgegevens")
    assert sg is not None
    assert sg.findtext(f"{STUF}zender/{STUF}organisatie") == "00000002222222222000"
    assert sg.findtext(f"{STUF}ontvanger/{STUF}organisatie") == "00000001111111111000"
    assert sg.findtext(f"{STUF}crossRefnummer") == "REF-1"
    assert sg.findtext(f"{STUF}referentienummer") not in (None, "REF-1")


def test_stuf_fo03_for_schema_error_and_duplicate_has_no_bsn() -> None:
    root = sorted(STUF_DI01_ROOTS)[0]
    di01 = build_di01(
        root, zender_oin="00000001111111111000", ontvanger_oin="00000002222222222000", referentienummer="R9"
    )
    parsed = etree.fromstring(di01)
    dup = _stuf_valid(stuf_duplicate_fo03(parsed), STUF_DI01_ROOTS[root])
    assert dup.findtext(f"{STUF}body/{STUF}code") == "StUF016"
    assert dup.findtext(f"{STUF}stuurgegevens/{STUF}crossRefnummer") == "R9"
    fo = _stuf_valid(build_fo03(parsed, "StUF055", "client", "bsn 999900006 fout"), STUF_DI01_ROOTS[root])
    assert "999900006" not in (fo.findtext(f"{STUF}body/{STUF}omschrijving") or "")
    broken = di01.replace(b"<StUF:functie>", b"<StUF:bogus>x</StUF:bogus><StUF:functie>", 1)
    inspection = inspect(broken)
    assert not inspection.result.valid
    reply = etree.fromstring(retour_for(inspection) or b"")
    assert reply.findtext(f"{STUF}body/{STUF}code") == "StUF055"


def test_cli_writes_retour_and_exits_1_without_one(tmp_path: Path) -> None:
    out = tmp_path / "r.xml"
    src = reference_path("ijw-3.2", "berichten", "JW301.xml")
    ok = subprocess.run(
        [sys.executable, "-m", "gateway", "retour", str(src), "-o", str(out)], capture_output=True, check=False
    )
    assert ok.returncode == 0, ok.stderr
    assert _retour_type(_assert_valid(out.read_bytes())) == "JW302"
    stdout = subprocess.run([sys.executable, "-m", "gateway", "retour", str(src)], capture_output=True, check=False)
    assert stdout.returncode == 0 and b"jw302" in stdout.stdout
    none = subprocess.run(
        [sys.executable, "-m", "gateway", "retour", str(reference_path("ijw-3.2", "berichten", "JW302.xml"))],
        capture_output=True,
        check=False,
    )
    assert none.returncode == 1 and none.stdout == b""


def _assert_valid_23(retour: bytes) -> etree._Element:
    doc = etree.fromstring(retour)
    name = _retour_type(doc)
    for xsd in (reference_path("ijw-2.3", "xsd", f"{name}.xsd"), schemas_dir() / "ijw" / "2.3" / f"{name}.xsd"):
        schema = etree.XMLSchema(etree.parse(str(xsd)))
        assert schema.validate(doc), (xsd, str(schema.error_log))
    return doc


@pytest.mark.parametrize("heen", ["JW301", "JW305", "JW307", "JW315"])
def test_ijw_23_retours_accepted_and_client_error(heen: str) -> None:
    inspection = inspect(reference_path("ijw-2.3", "berichten", f"{heen}.xml").read_bytes())
    assert inspection.kind is not None and inspection.kind.version == "2.3"
    inspection.result.errors = []
    accepted = _assert_valid_23(retour_for(inspection) or b"")
    assert [c.text for c in accepted.iter("{*}RetourCode")] == ["0200"]
    assert accepted.find("{*}Header/{*}XsdVersieRetour") is None
    inspection.result.errors = [Finding("rule", "bsn", "CS002", "8001", None, "/Bericht/Client/Bsn")]
    rejected = _assert_valid_23(retour_for(inspection) or b"")
    client = rejected.find("{*}Client")
    assert client is not None and _codes(client) == ["8001"]


def test_in_message_rule_with_general_code_gives_header_only_0001() -> None:
    """Controleniveau 2 (XSLT-checkable rules, retourcode 0001): only the Header comes back, with 0001."""
    inspection = inspect(reference_path("ijw-3.2", "berichten", "JW317.xml").read_bytes())
    assert any(e.rule == "CS003" and e.retourcode == "0001" for e in inspection.result.errors)
    doc = _assert_valid(retour_for(inspection) or b"")
    header = doc.find("{*}Header")
    assert header is not None and _codes(header) == ["0001"]
    assert doc.find("{*}Client") is None


def test_repeated_level_gets_code_only_on_the_indexed_one() -> None:
    data = reference_path("ijw-3.2", "berichten", "JW301.xml").read_bytes()
    src = etree.fromstring(data)
    products = src.findall("{*}Client/{*}ToegewezenProducten/{*}ToegewezenProduct")
    inspection = inspect(data)
    if len(products) < 2:
        pytest.fail("example JW301 is expected to hold several ToegewezenProducten")
    inspection.result.errors = [
        Finding(
            "rule", "p", "TR063", "9063", None, "/Bericht/Client/ToegewezenProducten/ToegewezenProduct[2]/Ingangsdatum"
        )
    ]
    doc = _assert_valid(retour_for(inspection) or b"")
    got = [_codes(p) for p in doc.findall("{*}Client/{*}ToegewezenProducten/{*}ToegewezenProduct")]
    assert got[1] == ["9063"]
    assert all(c == ["0200"] for i, c in enumerate(got) if i != 1)


def test_real_rules_header_level_code_from_tr135_and_technical_0001_from_cs002() -> None:
    """End to end through gateway.rules: TR135 (Header, 8848) and CS002 (general 0001) land as prescribed."""

    data = reference_path("ijw-3.2", "berichten", "JW301.xml").read_bytes()
    future = (date.today() + timedelta(days=10)).isoformat().encode()
    inspection = inspect(data.replace(b"<ijw:Dagtekening>2026-04-01", b"<ijw:Dagtekening>" + future, 1))
    assert [(e.rule, e.retourcode) for e in inspection.result.errors] == [("TR135", "8848")]
    doc = _assert_valid(retour_for(inspection) or b"")
    assert _codes(doc.find("{*}Header")) == ["8848"]
    assert doc.find("{*}Client") is None
    inspection = inspect(data.replace(b"<jw301:Bsn>999900006", b"<jw301:Bsn>999900007", 1))
    assert [e.rule for e in inspection.result.errors] == ["CS002"]
    doc = _assert_valid(retour_for(inspection) or b"")
    assert _codes(doc.find("{*}Header")) == ["0001"]


@pytest.mark.parametrize(
    ("heen", "path", "level"),
    [
        ("JW319", "/Bericht/Antwoord/Woonplaatsbeginsel/Waarde", "Antwoord/{*}Woonplaatsbeginsel"),
        ("JW317", "/Bericht/Client/Verzoek/ReferentieAanbieder", "Client/{*}Verzoek"),
        ("JW307", "/Bericht/Client/StopProducten/StopProduct/Einddatum", "Client/{*}StopProducten/{*}StopProduct"),
    ],
)
def test_code_lands_on_the_berichtklasse_of_its_path(heen: str, path: str, level: str) -> None:
    inspection = inspect(reference_path("ijw-3.2", "berichten", f"{heen}.xml").read_bytes())
    inspection.result.errors = [Finding("rule", "x", "TR056", "9056", None, path)]
    doc = _assert_valid(retour_for(inspection) or b"")
    assert _codes(doc.find("{*}Header")) == ["0200"]
    assert _codes(doc.find("{*}" + level)) == ["9056"]
    rest = [c.text for box in doc.iter("{*}RetourCodes") for c in box if box.getparent() is not doc.find("{*}" + level)]
    assert rest and set(rest) == {"0200"}
