"""POST /soap/ggk0310: ggk_Di01 and ggk_Du01 into the one intake, Fo01 onto the message, hostile envelopes refused.

The app runs in-process (TestClient) over a MemoryStore, and the first test also over the real store
on SQLite and PostgreSQL (the router end to end through the SQL adapter); every answer is checked
against the official StUF 0301 schema.
"""

from __future__ import annotations

import base64
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from lxml import etree

from gateway.api import create_app
from gateway.api.auth import Role, add_sender
from gateway.config import load_settings
from gateway.ggk.envelope import ACTION_DI01, ACTION_DU01, ACTION_FO01, STUF_NS, Party, fo01
from gateway.ggk.refs import referentie_of
from gateway.model import MessageStatus
from gateway.soap import SOAP11_NS
from gateway.store import Store
from gateway.store.memory import MemoryStore
from tests.api.support import all_messages
from tests.ggk.builders import GEMEENTE, bad_jw323, di01, headers, jw301, soap
from tests.support.ggk_schema import official_errors

PATH = "/soap/ggk0310"


@pytest.fixture
def tokens(tmp_path: Path) -> dict[str, str]:
    """A gemeente backoffice token (may send as 0034), an aanbieder's and a receiver-only one."""
    path = tmp_path / "senders.toml"
    return {
        "gemeente": add_sender(path, "gemeente-0034", [GEMEENTE], Role.SENDER),
        "aanbieder": add_sender(path, "aanbieder", ["22597620"], Role.SENDER),
        "receiver": add_sender(path, "ontvanger", ["70329669"], Role.RECEIVER),
        "operator": add_sender(path, "ops", [], Role.OPERATOR),
    }


def _client(store: Store | MemoryStore, tmp_path: Path) -> TestClient:
    """The app over ``store`` with a 64 KiB message cap (so oversize is cheap to test)."""
    settings = load_settings(senders_file=tmp_path / "senders.toml", data_dir=tmp_path, max_message_bytes=64 * 1024)
    return TestClient(create_app(settings, store=store))


@pytest.fixture
def client(memory_store: MemoryStore, tmp_path: Path, tokens: dict[str, str]) -> TestClient:
    """The app over a fresh MemoryStore: what the router answers, not how a database keeps it."""
    return _client(memory_store, tmp_path)


def _answer(body: bytes) -> etree._Element:
    root = etree.fromstring(body)
    payload = root.find(f"{{{SOAP11_NS}}}Body")
    assert payload is not None
    return payload[0]


def _fo03_code(body: bytes) -> str:
    fault = _answer(body)
    assert fault.tag == f"{{{SOAP11_NS}}}Fault"
    fo03 = fault.find(f"detail/{{{STUF_NS}}}Fo03Bericht")
    assert fo03 is not None, etree.tostring(fault)
    assert official_errors(fo03) == []
    return fo03.findtext(f"{{{STUF_NS}}}body/{{{STUF_NS}}}code") or ""


def test_di01_is_taken_in_with_the_envelope_parties_and_answered_bv03(
    store: Store, tmp_path: Path, tokens: dict[str, str]
) -> None:
    """A clean JW301 in a ggk_Di01 is stored once, as from the envelope's zender to its ontvanger, and gets a Bv03.

    On the real store (SQLite, PostgreSQL): the router's end-to-end test through the SQL adapter.
    """
    client = _client(store, tmp_path)
    ref = str(uuid.uuid4())
    r = client.post(PATH, content=soap(di01(jw301(), ref=ref)), headers=headers(tokens["gemeente"]))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/xml")
    bv03 = _answer(r.content)
    assert bv03.tag == f"{{{STUF_NS}}}Bv03Bericht"
    assert official_errors(bv03) == []
    assert bv03.findtext(f"{{{STUF_NS}}}stuurgegevens/{{{STUF_NS}}}crossRefnummer") == ref
    (message,) = all_messages(store)
    assert (message.sender, message.receiver, message.source) == (GEMEENTE, "70329669", "ggk")
    assert message.message_type == "JW301"
    again = client.post(PATH, content=soap(di01(jw301(), ref=ref)), headers=headers(tokens["gemeente"]))
    assert again.status_code == 200
    assert len(all_messages(store)) == 1, "a resent envelope is the same message"


def test_a_rule_breaking_jw323_is_still_acknowledged_with_bv03(
    client: TestClient, memory_store: MemoryStore, tokens: dict[str, str]
) -> None:
    """Bv03 acknowledges receipt, not validity: the JW323's verdict comes later, in its retour."""
    r = client.post(PATH, content=soap(di01(bad_jw323())), headers=headers(tokens["aanbieder"]))
    assert r.status_code == 200, r.text
    assert _answer(r.content).tag == f"{{{STUF_NS}}}Bv03Bericht"
    (message,) = all_messages(memory_store)
    assert message.status is MessageStatus.RECEIVED
    assert message.message_type == "JW323"


def _bomb() -> bytes:
    """A ggk_Di01 whose base64 decodes to far more than the cap."""
    element = di01(jw301())
    bericht = element.find(_BERICHT)
    assert bericht is not None
    bericht.text = base64.b64encode(b"<a>" + b"x" * 200_000 + b"</a>").decode()
    return soap(element)


def _with(element: etree._Element, path: str, text: str) -> bytes:
    node = element.find(path)
    assert node is not None
    node.text = text
    return soap(element)


_SG = "{http://www.stufstandaarden.nl/sectormodel/ggk/0210}stuurgegevens"
_BERICHT = ".//{http://www.stufstandaarden.nl/sectormodel/ggk/0210}bericht"
_PADDING = b"<!--" + b"x" * 70_000 + b"-->"
_XXE = (
    b'<?xml version="1.0"?><!DOCTYPE e [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><a>&x;</a></s:Body></s:Envelope>'
)


@pytest.mark.parametrize(
    ("name", "body", "action", "code"),
    [
        ("xxe", _XXE, ACTION_DI01, "StUF055"),
        ("base64 bomb", _bomb(), ACTION_DI01, "IB007"),
        ("two payloads", soap(b"<a/>").replace(b"<a/>", etree.tostring(di01(jw301())) * 2), ACTION_DI01, "StUF055"),
        ("missing action", soap(di01(jw301())), None, "StUF055"),
        ("action of another operation", soap(di01(jw301())), ACTION_DU01, "IB240"),
        (
            "oversized envelope",
            soap(di01(jw301())).replace(b"<GGK:parameters>", _PADDING + b"<GGK:parameters>"),
            ACTION_DI01,
            "IB007",
        ),
        ("not base64", _with(di01(jw301()), _BERICHT, "@@@"), ACTION_DI01, "StUF055"),
        ("not a UUID", _with(di01(jw301()), f"{_SG}/{{{STUF_NS}}}referentienummer", "123"), ACTION_DI01, "IB009"),
        ("functie of another message", soap(di01(jw301(), functie_name="JW315")), ACTION_DI01, "IB240"),
        ("zender the token may not use", soap(di01(jw301(), zender="0363")), ACTION_DI01, "IB002"),
        ("not iJw inside", _with(di01(jw301()), _BERICHT, base64.b64encode(b"<x/>").decode()), ACTION_DI01, "StUF055"),
    ],
)
def test_hostile_envelopes_get_their_fault_and_nothing_is_stored(
    client: TestClient,
    memory_store: MemoryStore,
    tokens: dict[str, str],
    name: str,
    body: bytes,
    action: str | None,
    code: str,
) -> None:
    """Each bad envelope gets a Fault whose Fo03 has its Foutcodes-list code; nothing is stored; the server lives."""
    sent = headers(tokens["gemeente"], action or ACTION_DI01)
    if action is None:
        del sent["SOAPAction"]
    r = client.post(PATH, content=body, headers=sent)
    assert r.status_code == 500, (name, r.text)
    assert _fo03_code(r.content) == code, name
    assert b"/etc/passwd" not in r.content and b"root:" not in r.content
    assert all_messages(memory_store) == []
    assert client.post(PATH, content=soap(di01(jw301())), headers=headers(tokens["gemeente"])).status_code == 200


@pytest.mark.parametrize("who", [None, "receiver"])
def test_without_a_sender_token_nothing_is_taken_in(
    client: TestClient, memory_store: MemoryStore, tokens: dict[str, str], who: str | None
) -> None:
    """No token, or a receiver's token, gets a Fo03 IB002 and stores nothing."""
    sent = headers(tokens[who] if who else "nope")
    r = client.post(PATH, content=soap(di01(jw301())), headers=sent)
    assert r.status_code == 500
    assert _fo03_code(r.content) == "IB002"
    assert all_messages(memory_store) == []


def test_a_soap_12_content_type_is_refused(
    client: TestClient, memory_store: MemoryStore, tokens: dict[str, str]
) -> None:
    """SOAP 1.2's media type is not this SOAP 1.1 endpoint's: a fault, nothing stored."""
    sent = {**headers(tokens["gemeente"]), "Content-Type": "application/soap+xml"}
    r = client.post(PATH, content=soap(di01(jw301())), headers=sent)
    assert r.status_code == 500
    assert _fo03_code(r.content) == "StUF055"
    assert all_messages(memory_store) == []


def test_du01_brings_an_ijw_retourbericht_in(
    client: TestClient, memory_store: MemoryStore, tokens: dict[str, str]
) -> None:
    """A ggk_Du01 carrying a retourbericht is taken in like a Di01 (its own verdict, its own relay)."""
    from gateway.ggk.envelope import build_envelope
    from tests.ggk.builders import VERSIONS
    from tests.support.reference import reference_path

    retour = reference_path("ijw-3.2", "berichten", "JW302.xml").read_bytes()
    element = build_envelope(
        "Du01",
        zender=Party("22597620", "Aanbiederpakket"),
        ontvanger=Party(GEMEENTE, "GGk"),
        referentienummer=str(uuid.uuid4()),
        cross_ref=str(uuid.uuid4()),
        functie="JW302",
        versions=VERSIONS,
        payload=retour,
    )
    r = client.post(PATH, content=soap(element), headers=headers(tokens["aanbieder"], ACTION_DU01))
    assert r.status_code == 200, r.text
    (message,) = all_messages(memory_store)
    assert (message.sender, message.receiver, message.message_type) == ("22597620", GEMEENTE, "JW302")


def test_fo01_about_a_delivered_message_puts_it_in_the_dead_letter_queue(
    client: TestClient, memory_store: MemoryStore, tokens: dict[str, str]
) -> None:
    """A Fo01 naming our ggk_Di01 by its referentienummer is recorded on that message: dead, with the partner's code."""
    from gateway.intake import submit
    from tests.api.support import drain
    from tests.support.receiver import Receiver

    mid = str(submit(memory_store, jw301(7), sender=None).message_id)
    with Receiver() as rx:
        drain(memory_store, rx.url)
    delivered = memory_store.get_message(mid)
    assert delivered is not None
    assert delivered.status is MessageStatus.DELIVERED
    report = fo01(
        zender=Party("IB", "GGKWebservice"),
        ontvanger=Party(GEMEENTE, "GGk"),
        cross_ref=referentie_of(mid),
        code="IB102",
        omschrijving="Geen routering bekend voor 999906690",
        details="JW301-00030002",
    )
    assert official_errors(report) == []
    r = client.post(PATH, content=soap(report), headers=headers(tokens["operator"], ACTION_FO01))
    assert r.status_code == 200, r.text
    assert _answer(r.content).tag == f"{{{STUF_NS}}}Bv03Bericht"
    message = memory_store.get_message(mid)
    assert message is not None
    assert message.status is MessageStatus.DEAD
    refused = memory_store.deliveries(mid)[-1]
    assert refused.verdict == "refused"
    assert refused.error is not None
    assert refused.error.startswith("IB102")
    assert "999906690" not in refused.error
    events = [e.event for e in memory_store.audit_events(mid)]
    assert "message.refused_remotely" in events
    assert memory_store.verify_audit().ok
    seen = client.get(f"/v1/berichten/{mid}", headers={"Authorization": f"Bearer {tokens['operator']}"}).json()
    assert seen["status"] == "dead"


def test_the_wsdl_names_this_server_as_the_address(client: TestClient) -> None:
    """GET ?wsdl serves our own WSDL whose soap:address is the URL it was fetched from."""
    r = client.get(f"{PATH}?wsdl")
    assert r.status_code == 200
    root = etree.fromstring(r.content)
    address = root.find(".//{http://schemas.xmlsoap.org/wsdl/soap/}address")
    assert address is not None
    assert address.get("location") == f"http://testserver{PATH}"
    actions = {op.get("soapAction") for op in root.iter("{http://schemas.xmlsoap.org/wsdl/soap/}operation")}
    assert actions == {ACTION_DI01, ACTION_DU01, ACTION_FO01}


def test_zeep_loads_our_wsdl_and_addresses_this_server(client: TestClient, tmp_path: Path) -> None:
    """A SOAP client built from the WSDL we serve finds the three operations at our own address."""
    import zeep

    path = tmp_path / "ketenpoort-ggk0310.wsdl"
    path.write_bytes(client.get(f"{PATH}?wsdl").content)
    loaded = zeep.Client(str(path))
    assert set(loaded.service._binding._operations) == {"ggk_Di01", "ggk_Du01", "Fo01"}
    assert loaded.service._binding_options["address"] == f"http://testserver{PATH}"
