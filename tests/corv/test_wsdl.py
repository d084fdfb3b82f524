"""The WSDL Ketenpoort serves per CORV group agrees with the official end-party WSDL, and zeep can use it."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import zeep
from lxml import etree

from gateway.api.app import create_app
from gateway.config import load_settings
from gateway.corv.services import GROUPS, UNSUPPORTED_STUF_OPERATIONS
from gateway.corv.wsdl import build_wsdl
from tests.api.support import serving
from tests.support.corv import official_wsdl
from tests.support.reference import reference_path

W = "http://schemas.xmlsoap.org/wsdl/"
S = "http://schemas.xmlsoap.org/wsdl/soap/"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def _messages(tree: etree._Element) -> dict[str, str]:
    """message name -> part element (Clark notation), for one WSDL document."""
    out: dict[str, str] = {}
    for message in tree.findall(f"{{{W}}}message"):
        part = message.find(f"{{{W}}}part")
        assert part is not None
        prefix, _, local = (part.get("element") or "").partition(":")
        out[message.get("name") or ""] = f"{{{part.nsmap[prefix]}}}{local}"
    return out


def _contract(tree: etree._Element, extra_messages: dict[str, str]) -> dict[str, tuple[str, str, str, str | None]]:
    """operation -> (input element, output element, fault element, soapAction)."""
    messages = {**extra_messages, **_messages(tree)}

    def element(ref: str | None) -> str:
        return messages[(ref or "").partition(":")[2]]

    actions = {}
    for binding in tree.findall(f"{{{W}}}binding"):
        style = binding.find(f"{{{S}}}binding")
        assert style is not None and style.get("style") == "document"
        for op in binding.findall(f"{{{W}}}operation"):
            soap_op = op.find(f"{{{S}}}operation")
            assert soap_op is not None
            body = op.find(f"{{{W}}}input/{{{S}}}body")
            assert body is not None and body.get("use") == "literal"
            actions[op.get("name") or ""] = soap_op.get("soapAction")
    out = {}
    for op in tree.iterfind(f"{{{W}}}portType/{{{W}}}operation"):
        ins, outs, fault = (op.find(f"{{{W}}}{t}") for t in ("input", "output", "fault"))
        assert ins is not None and outs is not None and fault is not None
        name = op.get("name") or ""
        out[name] = (
            element(ins.get("message")),
            element(outs.get("message")),
            element(fault.get("message")),
            actions[name],
        )
    return out


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_our_wsdl_agrees_with_the_official_one(group: str) -> None:
    """Operations, their input/output/fault elements and soapActions are official; only Bv01/Bv03/Fo01/Fo03 left out."""
    official_tree = etree.parse(str(official_wsdl(group)), _PARSER).getroot()
    stuf_types = reference_path("stuf-jeugdzorg-1.0.9", "normatief", "0301", "stuf0301_types.wsdl")
    official = _contract(official_tree, _messages(etree.parse(str(stuf_types), _PARSER).getroot()))
    ours = _contract(etree.fromstring(build_wsdl(group, "https://kp.example/soap/stuf-jz/" + group)), {})
    assert set(official) - set(ours) == set(UNSUPPORTED_STUF_OPERATIONS)
    assert {name: official[name] for name in ours} == ours


def test_served_wsdl_points_at_this_server_and_zeep_loads_it(tmp_path: Path) -> None:
    """``?wsdl`` names the URL it was fetched from as soap:address; zeep builds a client from it and its ``?xsd``."""
    app = create_app(load_settings(database_url=f"sqlite:///{tmp_path / 'kp.db'}"), None)
    with serving(app) as base:
        url = f"{base}/soap/stuf-jz/vvberichten"
        wsdl = httpx.get(f"{url}?wsdl")
        assert wsdl.status_code == 200 and wsdl.headers["content-type"].startswith("text/xml")
        address = etree.fromstring(wsdl.content).find(f".//{{{S}}}address")
        assert address is not None and address.get("location") == url
        client = zeep.Client(f"{url}?wsdl")
        port = next(iter(next(iter(client.wsdl.services.values())).ports.values()))
        assert port.binding_options["address"] == url
        assert sorted(port.binding._operations) == sorted(GROUPS["vvberichten"])
        assert httpx.get(f"{base}/soap/stuf-jz/nogroup?wsdl").status_code == 404
        assert httpx.get(f"{url}?xsd=other").status_code == 404
