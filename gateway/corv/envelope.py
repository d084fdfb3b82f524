"""SOAP 1.1 envelopes for the CORV services: reading a request safely, writing an answer or a Fault.

A request is parsed once by :func:`gateway.xmlsafe.parse` (no DTD, no entities, size cap), so XXE and
entity bombs end before any SOAP processing. The Body must hold exactly one element: StUF messages are
document/literal with one part. A Fault carries the Fo03 in its ``detail``, ``faultcode`` ``Client`` or
``Server`` after the Fo03's ``plek``, and ``faultstring`` its omschrijving (StUF protocol bindings, SOAP).
"""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass

from lxml import etree

from gateway.xmlsafe import DocumentRefusedError, parse

SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_NS = "http://www.w3.org/2003/05/soap-envelope"
WSA_NS = "http://www.w3.org/2005/08/addressing"
WSA_ANONYMOUS = f"{WSA_NS}/anonymous"
WSA_FAULT_ACTION = f"{WSA_NS}/soap/fault"
_E = f"{{{SOAP_NS}}}"
_A = f"{{{WSA_NS}}}"


class SoapFaultError(Exception):
    """A request that gets a SOAP Fault: ``faultcode`` Client or Server, a StUF code for the Fo03 in it."""

    def __init__(self, message: str, *, stuf_code: str, client: bool = True, soap_code: str | None = None) -> None:
        """``message`` becomes faultstring and Fo03 omschrijving; it must never hold message content."""
        super().__init__(message)
        self.message = message
        self.stuf_code = stuf_code
        self.client = client
        self.soap_code = soap_code or ("Client" if client else "Server")


@dataclass(frozen=True, slots=True)
class SoapRequest:
    """A parsed request: its header (may be None) and the one element in its Body."""

    envelope: etree._Element
    header: etree._Element | None
    payload: etree._Element

    def header_text(self, tag: str) -> str | None:
        """The stripped text of the first header block ``tag`` (Clark notation), or None."""
        if self.header is None:
            return None
        node = self.header.find(tag)
        if node is None:
            return None
        return (node.text or "").strip() or None

    def payload_bytes(self) -> bytes:
        """The Body's element as a document of its own, with only the namespaces it uses."""
        element = copy.deepcopy(self.payload)
        etree.cleanup_namespaces(element)
        return etree.tostring(element, xml_declaration=True, encoding="UTF-8")


def read_request(data: bytes, max_bytes: int) -> SoapRequest:
    """Parse a SOAP 1.1 request or raise :class:`SoapFaultError` saying what is wrong with it."""
    try:
        root = parse(data, max_bytes)
    except DocumentRefusedError as exc:
        raise SoapFaultError(f"Envelope refused: {exc.finding.message}", stuf_code="StUF055") from None
    if root.tag == f"{{{SOAP12_NS}}}Envelope":
        raise SoapFaultError(
            "SOAP 1.2 is not supported; send SOAP 1.1", stuf_code="StUF055", soap_code="VersionMismatch"
        )
    if root.tag != f"{_E}Envelope":
        raise SoapFaultError("The document is not a SOAP 1.1 Envelope", stuf_code="StUF055")
    children = [child for child in root if isinstance(child.tag, str)]
    header = next((c for c in children if c.tag == f"{_E}Header"), None)
    bodies = [c for c in children if c.tag == f"{_E}Body"]
    if len(bodies) != 1:
        raise SoapFaultError("The Envelope must hold exactly one Body", stuf_code="StUF055")
    payloads = [c for c in bodies[0] if isinstance(c.tag, str)]
    if len(payloads) != 1:
        raise SoapFaultError(f"The Body holds {len(payloads)} elements; exactly one is allowed", stuf_code="StUF055")
    return SoapRequest(envelope=root, header=header, payload=payloads[0])


def _addressing_header(
    envelope: etree._Element, action: str, relates_to: str | None, to: str | None = None
) -> etree._Element:
    header = etree.SubElement(envelope, f"{_E}Header")
    etree.SubElement(header, f"{_A}Action").text = action
    etree.SubElement(header, f"{_A}MessageID").text = f"urn:uuid:{uuid.uuid4()}"
    etree.SubElement(header, f"{_A}To").text = to or WSA_ANONYMOUS
    if relates_to is not None:
        etree.SubElement(header, f"{_A}RelatesTo").text = relates_to
    return header


def _new_envelope() -> etree._Element:
    return etree.Element(f"{_E}Envelope", nsmap={"soapenv": SOAP_NS, "wsa": WSA_NS})


def response_envelope(payload: bytes, *, action: str, relates_to: str | None) -> bytes:
    """The SOAP answer carrying ``payload`` (a StUF message), with wsa:Action, MessageID and RelatesTo."""
    envelope = _new_envelope()
    _addressing_header(envelope, action, relates_to)
    body = etree.SubElement(envelope, f"{_E}Body")
    body.append(parse(payload))
    return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")


def fault_envelope(fault: SoapFaultError, fo03: bytes | None, *, relates_to: str | None) -> bytes:
    """The SOAP Fault for ``fault``; ``fo03`` (a Fo03Bericht) goes into its detail."""
    envelope = _new_envelope()
    _addressing_header(envelope, WSA_FAULT_ACTION, relates_to)
    body = etree.SubElement(envelope, f"{_E}Body")
    node = etree.SubElement(body, f"{_E}Fault")
    etree.SubElement(node, "faultcode").text = f"soapenv:{fault.soap_code}"
    etree.SubElement(node, "faultstring").text = fault.message
    if fo03 is not None:
        etree.SubElement(node, "detail").append(parse(fo03))
    return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")


def build_request(payload: bytes, *, action: str, to: str, from_: str, message_id: str | None = None) -> bytes:
    """A SOAP 1.1 request carrying ``payload`` with the WUS WS-Addressing headers (for clients and tests)."""
    envelope = _new_envelope()
    header = etree.SubElement(envelope, f"{_E}Header")
    etree.SubElement(header, f"{_A}Action").text = action
    etree.SubElement(header, f"{_A}MessageID").text = message_id or f"urn:uuid:{uuid.uuid4()}"
    etree.SubElement(header, f"{_A}To").text = to
    source = etree.SubElement(header, f"{_A}From")
    etree.SubElement(source, f"{_A}Address").text = from_
    etree.SubElement(etree.SubElement(header, f"{_A}ReplyTo"), f"{_A}Address").text = WSA_ANONYMOUS
    body = etree.SubElement(envelope, f"{_E}Body")
    body.append(parse(payload))
    return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")


__all__ = [
    "SOAP_NS",
    "WSA_ANONYMOUS",
    "WSA_FAULT_ACTION",
    "WSA_NS",
    "SoapFaultError",
    "SoapRequest",
    "build_request",
    "fault_envelope",
    "read_request",
    "response_envelope",
]
