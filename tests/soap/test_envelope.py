"""gateway.soap: SOAP 1.1 envelopes are parsed safely and built so that they parse back."""

from __future__ import annotations

import pytest
from lxml import etree

from gateway.soap import SOAP11_NS, SoapFaultError, envelope, fault, parse_envelope, read_answer

ENV = f'<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="{SOAP11_NS}">'


def test_a_request_with_header_and_one_body_element_parses() -> None:
    """The header blocks and the single body element come back as elements."""
    header = '<s:Header><h:To xmlns:h="urn:h">x</h:To></s:Header>'
    data = f'{ENV}{header}<s:Body><p:Di01 xmlns:p="urn:p"/></s:Body></s:Envelope>'
    request = parse_envelope(data.encode(), 10_000)
    assert request.payload.tag == "{urn:p}Di01"
    block = request.header("urn:h", "To")
    assert block is not None
    assert block.text == "x"


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (
            '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            f'<s:Envelope xmlns:s="{SOAP11_NS}"><s:Body><a>&x;</a></s:Body></s:Envelope>',
            "DTD",
        ),
        (f"{ENV}<s:Body><a/><b/></s:Body></s:Envelope>", "exactly one element, not 2"),
        (f"{ENV}<s:Body/></s:Envelope>", "exactly one element, not 0"),
        (f"{ENV}</s:Envelope>", "one Body"),
        ('<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body/></e:Envelope>', "SOAP 1.1"),
        (f"{ENV}<s:Body><a>", "not well-formed"),
        (f"{ENV}<s:Body><a>{'x' * 200}</a></s:Body></s:Envelope>", "maximum of 100 bytes"),
    ],
)
def test_hostile_or_malformed_requests_are_client_faults(data: str, match: str) -> None:
    """XXE, two payloads, an empty body, SOAP 1.2, broken XML and oversize each give a Client fault saying why."""
    limit = 100 if "x" * 200 in data else 10_000
    with pytest.raises(SoapFaultError, match=match) as info:
        parse_envelope(data.encode(), limit)
    assert info.value.code == "Client"
    assert b"/etc/passwd" not in info.value.to_bytes()


def test_envelope_and_fault_round_trip_through_read_answer() -> None:
    """An envelope built here reads back as its payload; a fault as its code, text and detail."""
    answer = read_answer(envelope(b"<ok xmlns='urn:x'/>"), 10_000)
    assert answer is not None
    assert answer.payload is not None
    assert answer.payload.tag == "{urn:x}ok"
    detail = etree.fromstring(b"<Fo03Bericht xmlns='urn:s'/>")
    got = read_answer(fault("Client", "nee", detail), 10_000)
    assert got is not None
    assert got.is_fault
    assert (got.fault_code, got.fault_text) == ("Client", "nee")
    assert [d.tag for d in got.fault_detail] == ["{urn:s}Fo03Bericht"]
    assert read_answer(b"not xml", 10_000) is None
