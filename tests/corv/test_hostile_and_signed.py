"""Hostile SOAP gets its own Fault and leaves nothing stored; on a 2W-be-S route a missing or broken signature too."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from gateway.api.app import create_app
from gateway.corv.wssec import sign_envelope
from gateway.generate.stuf import build_di01
from gateway.store import Store
from tests.corv.conftest import Certs, Served, corv_settings
from tests.support.corv import GEMEENTE, GI, post_soap, serving_tls, stuf_request, tls_client
from tests.support.pki import Pki

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
STUF = "http://www.egem.nl/StUF/StUF0301"
WSA = "http://www.w3.org/2005/08/addressing"


def _di01(ref: str) -> bytes:
    return build_di01(
        "vtoDi01", zender_oin=GI, ontvanger_oin=GEMEENTE, referentienummer=ref, tijdstip="20260115093000000"
    )


def _code(data: bytes) -> str:
    answer = etree.fromstring(data)
    code = answer.findtext(f"{{{SOAP}}}Body/{{{SOAP}}}Fault/detail/{{{STUF}}}Fo03Bericht/{{{STUF}}}body/{{{STUF}}}code")
    assert code is not None, data
    return code


def _stored(store: Store) -> int:
    return len(store.list_messages(limit=1000)[0])


def test_hostile_requests_each_get_their_fault_and_the_server_stays_up(
    tmp_path: Path, store: Store, db_url: str, certs: Certs
) -> None:
    """XXE, two payloads, no Action, wrong To, SOAPAction unlike Action, SOAP 1.2, oversize: Faults, none stored."""
    settings = corv_settings(tmp_path, db_url, certs, corv_max_envelope_bytes=16 * 1024)
    with serving_tls(create_app(settings, store), settings) as base, tls_client(certs.pki, certs.gi) as client:
        url = f"{base}/soap/stuf-jz/jzberichten"
        good, action = stuf_request(base, "jzberichten", _di01("R-1"))
        xxe = good.replace(b"?>", b'?><!DOCTYPE e [<!ENTITY x SYSTEM "file:///etc/passwd">]>', 1).replace(
            b"<StUF:applicatie>Ketenpoort", b"<StUF:applicatie>&x;Ketenpoort", 1
        )
        root = etree.fromstring(good)
        body = root.find(f"{{{SOAP}}}Body")
        assert body is not None
        body.append(etree.fromstring(_di01("R-2")))
        two = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
        no_action = etree.fromstring(good)
        for node in no_action.iter(f"{{{WSA}}}Action"):
            node.getparent().remove(node)  # type: ignore[union-attr]
        wrong_to, _ = stuf_request(base, "jzberichten", _di01("R-3"), to_oin="00000001003214345000")
        other_path = good.replace(b"/soap/stuf-jz/jzberichten?OIN", b"/soap/stuf-jz/vvberichten?OIN")
        soap12 = good.replace(SOAP.encode(), b"http://www.w3.org/2003/05/soap-envelope")
        padded = good.replace(b"<StUF:applicatie>Ketenpoort", b"<StUF:applicatie>" + b"x" * 20_000 + b"Ketenpoort", 1)
        cases = {
            "xxe": (xxe, action, "StUF055"),
            "two-payloads": (two, action, "StUF055"),
            "no-action": (etree.tostring(no_action), "", "StUF022"),
            "wrong-to-oin": (wrong_to, action, "StUF010"),
            "wrong-to-path": (other_path, action, "StUF010"),
            "action-mismatch": (good, "www.stufstandaarden.nl/koppelvlak/jz0100/notificatieDi01", "StUF022"),
            "soap12": (soap12, action, "StUF055"),
            "oversized": (padded, action, "StUF055"),
        }
        for name, (data, soap_action, expected) in cases.items():
            response = post_soap(client, url, data, soap_action)
            assert response.status_code == 500, name
            assert _code(response.content) == expected, name
            assert b"/etc/passwd" not in response.content and b"root:" not in response.content
        assert _stored(store) == 0
        assert post_soap(client, url, good, action).status_code == 200
    assert _stored(store) == 1


def _signed(base: str, ref: str, certs: Certs, *, signer: Pki | None = None) -> tuple[bytes, str]:
    body, action = stuf_request(base, "jzberichten", _di01(ref))
    identity = certs.gi if signer is None else signer.issue("GI elsewhere", oin=GI)
    return sign_envelope(body, key=identity.key_pem, cert_pem=identity.cert_pem), action


def test_a_signed_request_is_taken_in_on_a_2w_be_s_route(served_signed: Served, certs: Certs) -> None:
    """A request signed as WUS 2W-be-S prescribes (Body, WS-Addressing, Timestamp) is stored and gets Bv03."""
    url = f"{served_signed.url}/soap/stuf-jz/jzberichten"
    with tls_client(certs.pki, certs.gi) as client:
        data, action = _signed(served_signed.url, "S-1", certs)
        response = post_soap(client, url, data, action)
    assert response.status_code == 200, response.text
    assert _stored(served_signed.store) == 1


def test_a_missing_or_broken_signature_is_refused(served_signed: Served, certs: Certs, tmp_path: Path) -> None:
    """No signature, a changed Body or To, an unsigned header or an untrusted signer: StUF052, nothing stored."""
    url = f"{served_signed.url}/soap/stuf-jz/jzberichten"
    base = served_signed.url
    unsigned, action = stuf_request(base, "jzberichten", _di01("S-2"))
    signed, _ = _signed(base, "S-3", certs)
    changed_body = signed.replace(b"<StUF:referentienummer>S-3<", b"<StUF:referentienummer>S-4<")
    changed_to = signed.replace(b"jzberichten?OIN=", b"jzberichten?x=1&amp;OIN=")
    extra = etree.fromstring(signed)
    header = extra.find(f"{{{SOAP}}}Header")
    assert header is not None
    etree.SubElement(header, f"{{{WSA}}}RelatesTo").text = "urn:uuid:injected"
    untrusted, _ = _signed(base, "S-5", certs, signer=Pki(tmp_path / "other-ca", "Some other CA"))
    cases = {
        "unsigned": unsigned,
        "changed-body": changed_body,
        "changed-to": changed_to,
        "unsigned-header": etree.tostring(extra),
        "untrusted-signer": untrusted,
    }
    with tls_client(certs.pki, certs.gi) as client:
        for name, data in cases.items():
            response = post_soap(client, url, data, action)
            assert response.status_code == 500, name
            assert _code(response.content) == "StUF052", name
    assert _stored(served_signed.store) == 0
