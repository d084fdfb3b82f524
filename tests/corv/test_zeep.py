"""zeep, built from the official StUF-Jeugdzorg WSDLs (end party, intermediary), talks to Ketenpoort over mutual TLS.

zeep needs :func:`tests.support.corv.patch_zeep` to load them at all (the module docstring there says why).
Two limits of the official files show here and are asserted, so a change in either is noticed:
the vt-meldingen WSDLs list the five jz operations, but the schema they import does not declare their
elements, so zeep offers only vtMeldingDi01 and vtTerugkoppelingDi01 there; and zeep reads the empty
``JZ:redenMelding`` of a meldingGeneriekDi01 as "absent", so that one value is set to "" before sending.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import requests
import zeep
from lxml import etree
from zeep.exceptions import Fault
from zeep.plugins import Plugin
from zeep.transports import Transport
from zeep.wsa import WsAddressingPlugin

from gateway.corv.addressing import with_oin
from gateway.generate.stuf import JZ_NS, STUF_DI01_ROOTS, build_di01
from tests.corv.conftest import Certs, Served
from tests.support.corv import GEMEENTE, GI, official_errors, official_wsdl, patch_zeep, tls_client
from tests.support.pki import Identity

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
WSA = "http://www.w3.org/2005/08/addressing"
STUF = "http://www.egem.nl/StUF/StUF0301"
GROUPS = ("jzberichten", "vtberichten", "vvberichten", "gmberichten")


class _From(Plugin):  # type: ignore[misc]
    """Adds the wsa:From (with the sender's OIN) that zeep's WS-Addressing plugin leaves out."""

    def __init__(self, oin: str) -> None:
        self.oin = oin

    def egress(self, envelope: Any, http_headers: Any, operation: Any, binding_options: Any) -> tuple[Any, Any]:
        header = envelope.find(f"{{{SOAP}}}Header")
        source = etree.SubElement(header, f"{{{WSA}}}From")
        etree.SubElement(source, f"{{{WSA}}}Address").text = with_oin("https://gi.example/soap", self.oin)
        return envelope, http_headers


def _client(group: str, certs: Certs, identity: Identity, url: str, *, intermediary: bool = False) -> zeep.Client:
    """A zeep client from the official WSDL that shows ``identity`` and addresses ``url`` with the receiver's OIN."""
    patch_zeep()
    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE in the environment would win over verify
    session.headers["Connection"] = "close"  # a kept-alive TLS connection makes the server's shutdown wait 30 s
    session.verify = str(certs.pki.ca_file)
    session.cert = (str(identity.cert_file), str(identity.key_file))
    plugins = [WsAddressingPlugin(with_oin(url, GEMEENTE)), _From(identity.oin or "")]
    return zeep.Client(str(official_wsdl(group, intermediary=intermediary)), transport=Transport(session=session),
                       plugins=plugins)  # fmt: skip


def _values(client: zeep.Client, di01: bytes) -> dict[str, Any]:
    root = etree.fromstring(di01)
    name = etree.QName(root).localname
    value = client.get_element(f"{{{JZ_NS}}}{name}").parse(root, client.wsdl.types)
    if name == "meldingGeneriekDi01" and value.object.redenMelding is None:
        value.object.redenMelding = ""
    return {key: value[key] for key in value}


def _service(client: zeep.Client, url: str) -> Any:
    binding = next(iter(client.wsdl.bindings))
    return client.create_service(binding, with_oin(url, GEMEENTE))


def test_zeep_end_party_client_gets_bv03_and_a_fault_with_stuf016(served: Served, certs: Certs) -> None:
    """A real zeep call gets the Bv03 object back; a changed message with a used referentienummer raises a Fault."""
    url = f"{served.url}/soap/stuf-jz/jzberichten"
    client = _client("jzberichten", certs, certs.gi, url)
    service = _service(client, url)
    di01 = build_di01("vtoDi01", zender_oin=GI, ontvanger_oin=GEMEENTE, referentienummer="Z-1")
    answer = service.vtoDi01(**_values(client, di01))
    assert answer.berichtcode == "Bv03" and answer.crossRefnummer == "Z-1"  # zeep unwraps the one stuurgegevens
    changed = build_di01(
        "vtoDi01", zender_oin=GI, ontvanger_oin=GEMEENTE, referentienummer="Z-1", tijdstip="20260201000000000"
    )
    with pytest.raises(Fault) as raised:
        service.vtoDi01(**_values(client, changed))
    assert raised.value.code.endswith("Client")
    assert raised.value.detail.findtext(f".//{{{STUF}}}code") == "StUF016"
    assert len(served.store.list_messages()[0]) == 1


@pytest.mark.parametrize("intermediary", [False, True], ids=["end-party-wsdl", "intermediary-wsdl"])
def test_zeep_built_requests_for_every_root_of_every_official_wsdl(
    served: Served, certs: Certs, intermediary: bool
) -> None:
    """Each Di01 operation zeep offers from the official WSDL, filled with a generated message, is answered Bv03."""
    sent = []
    with tls_client(certs.pki, certs.corv) as http:
        for group in GROUPS:
            client = _client(group, certs, certs.corv, f"{served.url}/soap/stuf-jz/{group}", intermediary=intermediary)
            service = _service(client, f"{served.url}/soap/stuf-jz/{group}")
            offered = [op for op in service._binding._operations if op.endswith("Di01")]
            for root in offered:
                ref = f"{group}-{len(sent)}-{int(intermediary)}"
                di01 = build_di01(root, zender_oin=GI, ontvanger_oin=GEMEENTE, referentienummer=ref)
                envelope = client.create_message(service, root, **_values(client, di01))
                body = envelope.find(f"{{{SOAP}}}Body")
                assert official_errors(body[0]) == [], root
                action = envelope.findtext(f"{{{SOAP}}}Header/{{{WSA}}}Action")
                headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{action}"'}
                target = with_oin(f"{served.url}/soap/stuf-jz/{group}", GEMEENTE)
                response = http.post(target, content=etree.tostring(envelope), headers=headers)
                assert response.status_code == 200, (root, response.text)
                sent.append(root)
    assert sorted(set(sent)) == sorted(STUF_DI01_ROOTS)
    assert len(served.store.list_messages(limit=100)[0]) == len(sent)


def test_the_vt_wsdl_lists_jz_operations_its_schema_does_not_declare(certs: Certs) -> None:
    """The official vt-meldingen WSDL names vtoDi01 etc. but declares no element for them: zeep offers the vt two."""
    client = _client("vtberichten", certs, certs.corv, "https://kp.example/soap/stuf-jz/vtberichten")
    offered = sorted(op for op in next(iter(client.wsdl.bindings.values()))._operations if op.endswith("Di01"))
    assert offered == ["vtMeldingDi01", "vtTerugkoppelingDi01"]
    assert httpx.URL(str(official_wsdl("vtberichten"))).path.endswith("vt-meldingen.wsdl")
