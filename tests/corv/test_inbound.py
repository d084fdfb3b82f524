"""CORV inbound over two-sided TLS on both backends: Bv03 for every Di01 root, Fo03 in a Fault for refusals."""

from __future__ import annotations

import uuid

import pytest
from lxml import etree

from gateway.generate.stuf import STUF_DI01_ROOTS, build_di01
from gateway.store import Store
from tests.corv.conftest import Certs, Served
from tests.support.corv import CORV, GEMEENTE, GI, STRANGER, official_errors, post_soap, stuf_request, tls_client

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
WSA = "http://www.w3.org/2005/08/addressing"
STUF = "http://www.egem.nl/StUF/StUF0301"
GROUP_OF = {
    **{root: "jzberichten" for root, folder in STUF_DI01_ROOTS.items() if folder == "jrberichten"},
    **{root: folder for root, folder in STUF_DI01_ROOTS.items() if folder != "jrberichten"},
}


def _di01(root: str, ref: str, *, zender: str = GI, ontvanger: str = GEMEENTE, tijdstip: str | None = None) -> bytes:
    return build_di01(root, zender_oin=zender, ontvanger_oin=ontvanger, referentienummer=ref,
                      tijdstip=tijdstip or "20260115093000000")  # fmt: skip


def _stored(store: Store) -> int:
    return len(store.list_messages(limit=1000)[0])


def _answer(data: bytes) -> etree._Element:
    return etree.fromstring(data)


def _fo03(answer: etree._Element) -> tuple[str, str, str, str | None]:
    """(faultcode, Fo03 code, plek, crossRefnummer) of a Fault answer."""
    fault = answer.find(f"{{{SOAP}}}Body/{{{SOAP}}}Fault")
    assert fault is not None, etree.tostring(answer)
    fo03 = fault.find(f"detail/{{{STUF}}}Fo03Bericht")
    assert fo03 is not None
    assert official_errors(fo03) == []
    return (
        fault.findtext("faultcode") or "",
        fo03.findtext(f"{{{STUF}}}body/{{{STUF}}}code") or "",
        fo03.findtext(f"{{{STUF}}}body/{{{STUF}}}plek") or "",
        fo03.findtext(f"{{{STUF}}}stuurgegevens/{{{STUF}}}crossRefnummer"),
    )


@pytest.mark.parametrize(
    ("sender", "zender"), [("gi", GI), ("corv", "00000001003214345000")], ids=["end-party", "intermediary"]
)
def test_every_di01_root_gets_bv03_with_relates_to(served: Served, certs: Certs, sender: str, zender: str) -> None:
    """Every generated Di01 root, sent by an end party or through the intermediary, is stored and gets Bv03."""
    identity = getattr(certs, sender)
    with tls_client(certs.pki, identity) as client:
        for n, root in enumerate(STUF_DI01_ROOTS):
            ref = f"{sender}-{n}"
            di01 = _di01(root, ref, zender=zender)
            message_id = f"urn:uuid:{uuid.uuid4()}"
            body, action = stuf_request(
                served.url, GROUP_OF[root], di01, from_oin=identity.oin or "", message_id=message_id
            )
            request_body = etree.fromstring(body).find(f"{{{SOAP}}}Body")
            assert request_body is not None and official_errors(request_body[0]) == []
            response = post_soap(client, f"{served.url}/soap/stuf-jz/{GROUP_OF[root]}", body, action)
            assert response.status_code == 200, response.text
            answer = _answer(response.content)
            assert answer.findtext(f"{{{SOAP}}}Header/{{{WSA}}}RelatesTo") == message_id
            bv03 = answer.find(f"{{{SOAP}}}Body/{{{STUF}}}Bv03Bericht")
            assert bv03 is not None and official_errors(bv03) == []
            assert bv03.findtext(f"{{{STUF}}}stuurgegevens/{{{STUF}}}crossRefnummer") == ref
            assert bv03.findtext(f"{{{STUF}}}stuurgegevens/{{{STUF}}}ontvanger/{{{STUF}}}organisatie") == zender
    messages = served.store.list_messages(limit=100)[0]
    assert len(messages) == len(STUF_DI01_ROOTS)
    assert {m.source for m in messages} == {"corv"} and {m.sender for m in messages} == {zender}
    assert {m.receiver for m in messages} == {GEMEENTE}


def test_resend_identical_gets_bv03_again_and_changed_gets_stuf016(served: Served, certs: Certs) -> None:
    """An identical resend gets Bv03 again and is not stored twice; a changed one with its referentienummer StUF016."""
    url = f"{served.url}/soap/stuf-jz/jzberichten"
    with tls_client(certs.pki, certs.gi) as client:
        first = _di01("vtoDi01", "REF-1")
        for _ in range(2):
            body, action = stuf_request(served.url, "jzberichten", first)
            assert post_soap(client, url, body, action).status_code == 200
        changed = _di01("vtoDi01", "REF-1", tijdstip="20260116120000000")
        message_id = f"urn:uuid:{uuid.uuid4()}"
        body, action = stuf_request(served.url, "jzberichten", changed, message_id=message_id)
        response = post_soap(client, url, body, action)
    assert response.status_code == 500
    answer = _answer(response.content)
    assert _fo03(answer) == ("soapenv:Client", "StUF016", "client", "REF-1")
    assert answer.findtext(f"{{{SOAP}}}Header/{{{WSA}}}RelatesTo") == message_id
    assert _stored(served.store) == 1


@pytest.mark.parametrize(
    ("who", "zender", "expected"),
    [("stranger", STRANGER, "StUF052"), ("gi", CORV, "StUF052"), ("no_oin", GI, "StUF052"), (None, GI, "StUF052")],
    ids=["unknown-partner", "zender-not-its-own", "certificate-without-oin", "no-certificate"],
)
def test_a_certificate_that_may_not_send_for_the_zender_is_refused(
    served: Served, certs: Certs, who: str | None, zender: str, expected: str
) -> None:
    """A client certificate whose OIN may not use the zender (or no certificate) gets StUF052 and nothing is stored."""
    identity = getattr(certs, who) if who else None
    with tls_client(certs.pki, identity) as client:
        body, action = stuf_request(
            served.url, "jzberichten", _di01("vtoDi01", "REF-X", zender=zender), from_oin=zender
        )
        response = post_soap(client, f"{served.url}/soap/stuf-jz/jzberichten", body, action)
    assert response.status_code == 500
    assert _fo03(_answer(response.content))[1:3] == (expected, "client")
    assert _stored(served.store) == 0


def test_unknown_receiver_and_wrong_operation_are_refused(served: Served, certs: Certs) -> None:
    """An ontvanger not served gets StUF010, an Action of another group StUF022, a Bv01 StUF025; none is stored."""
    url = f"{served.url}/soap/stuf-jz/jzberichten"
    with tls_client(certs.pki, certs.gi) as client:
        other = _di01("vtoDi01", "R-1", ontvanger=STRANGER)
        body, action = stuf_request(served.url, "jzberichten", other, to_oin=STRANGER)
        assert _fo03(_answer(post_soap(client, url, body, action).content))[1] == "StUF010"
        vv = _di01("vcobDi01", "R-2")
        body, action = stuf_request(served.url, "jzberichten", vv)
        assert _fo03(_answer(post_soap(client, url, body, action).content))[1] == "StUF022"
        body, _ = stuf_request(served.url, "jzberichten", _di01("vtoDi01", "R-3"))
        body = body.replace(
            b"www.stufstandaarden.nl/koppelvlak/jz0100/vtoDi01", b"http://www.egem.nl/StUF/StUF0301/Bv01"
        )
        fault = _fo03(_answer(post_soap(client, url, body, "http://www.egem.nl/StUF/StUF0301/Bv01").content))
        assert fault[:3] == ("soapenv:Server", "StUF025", "server")
    assert _stored(served.store) == 0
