"""SOAP 1.1 envelopes, both ways: parse a request safely, build an answer or a Fault, read a receiver's answer.

Shared by every SOAP channel (GGk 0310, CORV / StUF-Jeugdzorg): inbound endpoints parse with
:func:`parse_envelope` (through :mod:`gateway.xmlsafe`: no DTD, no entities, no network, size
capped) and answer with :func:`envelope` or :func:`fault`; outbound channels wrap with
:func:`envelope` and judge a receiver's answer with :func:`read_answer`.

A StUF refusal travels as a SOAP Fault whose ``detail`` holds the Fo03 (StUF protocol bindings,
SOAP binding): ``faultcode`` ``soap:Client`` when the Fo03's ``plek`` is ``client``, ``soap:Server``
when it is ``server``. A client fault is the sender's to fix (never worth a retry); a server fault
may pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from lxml import etree

from gateway.errors import InputError
from gateway.xmlsafe import DocumentRefusedError, parse

SOAP11_NS = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP_CONTENT_TYPE = "text/xml; charset=utf-8"
"""SOAP 1.1's media type (SOAP 1.2's application/soap+xml is refused by a 1.1 endpoint)."""

_ENVELOPE = f"{{{SOAP11_NS}}}Envelope"
_HEADER = f"{{{SOAP11_NS}}}Header"
_BODY = f"{{{SOAP11_NS}}}Body"
_FAULT = f"{{{SOAP11_NS}}}Fault"


class SoapFaultError(InputError):
    """A request that earns a SOAP Fault: ``code`` is ``Client`` or ``Server``; ``detail`` the Fo03, if any.

    The text is what the Fault's ``faultstring`` says; it never quotes the payload.
    """

    def __init__(self, code: str, text: str, detail: etree._Element | None = None) -> None:
        super().__init__(text)
        self.code = code
        self.text = text
        self.detail = detail

    def to_bytes(self) -> bytes:
        """This fault as a SOAP 1.1 envelope."""
        return fault(self.code, self.text, self.detail)


@dataclass(frozen=True, slots=True)
class SoapRequest:
    """A parsed SOAP 1.1 request: its header blocks and its one body element."""

    payload: etree._Element
    headers: tuple[etree._Element, ...] = field(default=())

    def header(self, namespace: str, name: str) -> etree._Element | None:
        """The first header block ``{namespace}name``, or None."""
        tag = f"{{{namespace}}}{name}"
        return next((block for block in self.headers if block.tag == tag), None)


def _elements(parent: etree._Element) -> list[etree._Element]:
    """The element children of ``parent`` (comments and processing instructions skipped)."""
    return [child for child in parent if isinstance(child.tag, str)]


def parse_envelope(data: bytes, max_bytes: int) -> SoapRequest:
    """Parse a SOAP 1.1 request; :class:`SoapFaultError` (Client) unless it is one Envelope with one body element."""
    try:
        root = parse(data, max_bytes)
    except DocumentRefusedError as exc:
        reason = exc.finding.message
        raise SoapFaultError("Client", f"the request is not an acceptable XML document: {reason}") from None
    if root.tag != _ENVELOPE:
        raise SoapFaultError("Client", "the request is not a SOAP 1.1 Envelope")
    parts = _elements(root)
    headers: tuple[etree._Element, ...] = ()
    if parts and parts[0].tag == _HEADER:
        headers = tuple(_elements(parts[0]))
        parts = parts[1:]
    if len(parts) != 1 or parts[0].tag != _BODY:
        raise SoapFaultError("Client", "the Envelope must hold an optional Header and then one Body")
    payloads = _elements(parts[0])
    if len(payloads) != 1:
        raise SoapFaultError("Client", f"the Body must hold exactly one element, not {len(payloads)}")
    return SoapRequest(payloads[0], headers)


def envelope(body: etree._Element | bytes, headers: Iterable[etree._Element] = ()) -> bytes:
    """A SOAP 1.1 envelope around ``body`` (an element, or the bytes of one), UTF-8 with a declaration."""
    root = etree.Element(_ENVELOPE, nsmap={"soapenv": SOAP11_NS})
    blocks = list(headers)
    if blocks:
        header = etree.SubElement(root, _HEADER)
        header.extend(blocks)
    holder = etree.SubElement(root, _BODY)
    holder.append(body if isinstance(body, etree._Element) else etree.fromstring(body))
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def fault(code: str, text: str, detail: etree._Element | None = None) -> bytes:
    """A SOAP 1.1 Fault envelope: ``soapenv:{code}``, ``text`` as faultstring, ``detail`` (e.g. a Fo03) inside."""
    body = etree.Element(_FAULT, nsmap={"soapenv": SOAP11_NS})
    etree.SubElement(body, "faultcode").text = f"soapenv:{code}"
    etree.SubElement(body, "faultstring").text = text
    if detail is not None:
        etree.SubElement(body, "detail").append(detail)
    return envelope(body)


@dataclass(frozen=True, slots=True)
class SoapAnswer:
    """What a receiver answered: its body element, or the Fault it sent (code without prefix, text, detail)."""

    payload: etree._Element | None = None
    fault_code: str | None = None
    fault_text: str | None = None
    fault_detail: tuple[etree._Element, ...] = ()

    @property
    def is_fault(self) -> bool:
        """True when the answer is a SOAP Fault."""
        return self.fault_code is not None


def read_answer(data: bytes, max_bytes: int) -> SoapAnswer | None:
    """Read a receiver's SOAP answer; None when it is not a SOAP 1.1 envelope with one body element."""
    try:
        request = parse_envelope(data, max_bytes)
    except SoapFaultError:
        return None
    payload = request.payload
    if payload.tag != _FAULT:
        return SoapAnswer(payload)
    code = (payload.findtext("faultcode") or "").strip()
    local = code.rpartition(":")[2] or "Server"
    detail = payload.find("detail")
    blocks: Sequence[etree._Element] = _elements(detail) if detail is not None else ()
    return SoapAnswer(None, local, (payload.findtext("faultstring") or "").strip(), tuple(blocks))


__all__ = [
    "SOAP11_NS",
    "SOAP_CONTENT_TYPE",
    "SoapAnswer",
    "SoapFaultError",
    "SoapRequest",
    "envelope",
    "fault",
    "parse_envelope",
    "read_answer",
]
