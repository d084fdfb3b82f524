"""CORV's use of the shared SOAP 1.1 helpers (:mod:`gateway.soap`): StUF faults and WS-Addressing headers.

Parsing and envelope building are :mod:`gateway.soap`'s (through :mod:`gateway.xmlsafe`, so XXE and
entity bombs end before any SOAP processing). This module adds what CORV needs on top: a refusal that
carries its StUF code (:class:`CorvFaultError`), the Fault that holds the Fo03 in its ``detail`` with
``faultcode`` Client or Server after the Fo03's ``plek`` (StUF protocol bindings, SOAP), and the WUS
WS-Addressing headers of an answer (Action, MessageID, To, RelatesTo) and of a request.
"""

from __future__ import annotations

import copy
import uuid
from xml.sax.saxutils import escape

from lxml import etree

from gateway import soap
from gateway.errors import InputError
from gateway.soap import SoapRequest
from gateway.xmlsafe import parse

SOAP_NS = soap.SOAP11_NS
WSA_NS = "http://www.w3.org/2005/08/addressing"
WSA_ANONYMOUS = f"{WSA_NS}/anonymous"
WSA_FAULT_ACTION = f"{WSA_NS}/soap/fault"
_A = f"{{{WSA_NS}}}"


class CorvFaultError(InputError):
    """A request that gets a SOAP Fault with a Fo03: its StUF code, and whether the client is to blame."""

    def __init__(self, message: str, *, stuf_code: str, client: bool = True) -> None:
        """``message`` becomes faultstring and Fo03 omschrijving; it must never quote message content."""
        super().__init__(message)
        self.message = message
        self.stuf_code = stuf_code
        self.client = client


def read_request(data: bytes, max_bytes: int) -> SoapRequest:
    """Parse a SOAP 1.1 request (:func:`gateway.soap.parse_envelope`); a refusal becomes StUF055."""
    try:
        return soap.parse_envelope(data, max_bytes)
    except soap.SoapFaultError as exc:
        raise CorvFaultError(exc.text, stuf_code="StUF055") from None


def header_text(request: SoapRequest, tag: str) -> str | None:
    """The stripped text of the first header block ``tag`` (Clark notation), or None."""
    namespace, _, name = tag[1:].partition("}")
    node = request.header(namespace, name)
    if node is None:
        return None
    return (node.text or "").strip() or None


def envelope_of(request: SoapRequest) -> etree._Element:
    """The request's Envelope element (for signature checks, which cover headers and Body)."""
    return request.payload.getroottree().getroot()


def payload_bytes(request: SoapRequest) -> bytes:
    """The Body's element as a document of its own, with only the namespaces it uses."""
    element = copy.deepcopy(request.payload)
    etree.cleanup_namespaces(element)
    return bytes(etree.tostring(element, xml_declaration=True, encoding="UTF-8"))


def _addressing(action: str, relates_to: str | None) -> list[etree._Element]:
    blocks = []
    for name, value in (("Action", action), ("MessageID", f"urn:uuid:{uuid.uuid4()}"), ("To", WSA_ANONYMOUS),
                        ("RelatesTo", relates_to)):  # fmt: skip
        if value is not None:
            block = etree.Element(f"{_A}{name}", nsmap={"wsa": WSA_NS})
            block.text = value
            blocks.append(block)
    return blocks


def response_envelope(payload: bytes, *, action: str, relates_to: str | None) -> bytes:
    """The SOAP answer carrying ``payload`` (a StUF message), with wsa:Action, MessageID, To and RelatesTo."""
    return soap.envelope(parse(payload), _addressing(action, relates_to))


def fault_envelope(fault: CorvFaultError, fo03: bytes, *, relates_to: str | None) -> bytes:
    """The SOAP Fault for ``fault`` with ``fo03`` in its detail, addressed back with wsa:RelatesTo."""
    body = etree.Element(f"{{{SOAP_NS}}}Fault", nsmap={"soapenv": SOAP_NS})
    etree.SubElement(body, "faultcode").text = f"soapenv:{'Client' if fault.client else 'Server'}"
    etree.SubElement(body, "faultstring").text = fault.message
    etree.SubElement(body, "detail").append(parse(fo03))
    return soap.envelope(body, _addressing(WSA_FAULT_ACTION, relates_to))


def _document_element(payload: bytes) -> bytes:
    """``payload`` without its XML declaration: the bytes of its root element (a UTF-8 document)."""
    if payload.startswith(b"<?xml"):
        payload = payload[payload.index(b"?>") + 2 :]
    return payload.strip()


def build_request(payload: bytes, *, action: str, to: str, from_: str, message_id: str | None = None) -> bytes:
    """A SOAP 1.1 request carrying ``payload`` (a UTF-8 document) with the WUS WS-Addressing headers.

    Written as text around the payload's own bytes, not through a tree: the relay sends one per attempt,
    and parsing and serialising the message again would cost more than the rest of the wrap.
    """
    ident = message_id or f"urn:uuid:{uuid.uuid4()}"
    head = (
        f"<?xml version='1.0' encoding='UTF-8'?>\n<soapenv:Envelope xmlns:soapenv=\"{SOAP_NS}\" xmlns:wsa=\"{WSA_NS}\">"
        f"<soapenv:Header><wsa:Action>{escape(action)}</wsa:Action><wsa:MessageID>{escape(ident)}</wsa:MessageID>"
        f"<wsa:To>{escape(to)}</wsa:To><wsa:From><wsa:Address>{escape(from_)}</wsa:Address></wsa:From>"
        f"<wsa:ReplyTo><wsa:Address>{WSA_ANONYMOUS}</wsa:Address></wsa:ReplyTo></soapenv:Header><soapenv:Body>"
    )
    return head.encode("utf-8") + _document_element(payload) + b"</soapenv:Body></soapenv:Envelope>"


__all__ = [
    "SOAP_NS",
    "WSA_ANONYMOUS",
    "WSA_FAULT_ACTION",
    "WSA_NS",
    "CorvFaultError",
    "build_request",
    "envelope_of",
    "fault_envelope",
    "header_text",
    "payload_bytes",
    "read_request",
    "response_envelope",
]
