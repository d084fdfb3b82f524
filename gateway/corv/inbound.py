"""The CORV inbound adapter: one SOAP request to one intake, answered with Bv03 or a Fault carrying Fo03.

The checks run in the order of StUF's table of error situations, all before anything is stored (they are
the "soort 3" checks a StUF end node makes before it sends Bv03): envelope and WS-Addressing, operation
(StUF022/StUF025), receiver (StUF010), the client certificate's OIN against the zender (StUF052), the
2W-be-S signature where the partner's profile requires it (StUF052), then the intake, whose dedup on
(zender, referentienummer) gives StUF016. As StUF 03.01 prescribes for a resend, an identical message
with a known referentienummer is answered with Bv03 again and not stored twice; a different message
with the same referentienummer gets StUF016. A store failure is a Server fault (StUF046), which the
sender may retry. The schema check of the body (StUF055) is the validate stage's, as for every intake.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import structlog
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree

from gateway import intake
from gateway.config import MAX_MESSAGE_BYTES
from gateway.corv.addressing import Addressing, check_to, read_addressing
from gateway.corv.envelope import (
    WSA_NS,
    CorvFaultError,
    envelope_of,
    fault_envelope,
    header_text,
    payload_bytes,
    response_envelope,
)
from gateway.corv.parties import Partner, Partners, certificate_oin
from gateway.corv.services import BV03_ACTION, JZ_NS, is_unsupported_action, operation_for_action
from gateway.corv.wssec import verify_envelope
from gateway.errors import StoreError
from gateway.model import MessageStatus
from gateway.ports import CorvStore
from gateway.retour.stuf import build_bv03, build_fo03
from gateway.soap import SoapRequest
from gateway.standards.stuf_jz import read_header
from gateway.stufjz_policy import REFUSAL, WARNINGS, StufJzMode, stuf_jz_mode

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class CorvService:
    """What the CORV endpoints need besides the store: partners, trusted CAs for signatures, limits."""

    partners: Partners
    trusted: list[x509.Certificate] = field(default_factory=list)
    max_bytes: int = MAX_MESSAGE_BYTES + 1024 * 1024
    allow_without_certificate: bool = False
    """Development only: without TLS the partner is the one named by the OIN in wsa:From."""
    stuf_jz_envelope_only: bool = False
    """Without the installed StUF-JZ package: accept on the envelope only instead of refusing (StUF058)."""


@dataclass(frozen=True, slots=True)
class SoapAnswer:
    """The HTTP status and SOAP body of the answer; ``message_id`` when a message was stored."""

    status: int
    body: bytes
    message_id: str | None = None
    created: bool = False


_UNKNOWN = etree.Element(f"{{{JZ_NS}}}onbekend")


def _fault(fault: CorvFaultError, payload: etree._Element | None, relates_to: str | None) -> SoapAnswer:
    plek = "client" if fault.client else "server"
    fo03 = build_fo03(payload if payload is not None else _UNKNOWN, fault.stuf_code, plek, fault.message)
    log.info("corv.refused", stuf_code=fault.stuf_code, reason=fault.message)
    return SoapAnswer(500, fault_envelope(fault, fo03, relates_to=relates_to))


def refuse_unread(message: str, *, stuf_code: str) -> SoapAnswer:
    """The Fault for a request refused before it could be read (not SOAP, too large, too slow)."""
    return _fault(CorvFaultError(message, stuf_code=stuf_code), None, None)


def _operation(group: str, request: SoapRequest, addressing: Addressing) -> str:
    if is_unsupported_action(addressing.action):
        raise CorvFaultError("Berichtcode niet ondersteund", stuf_code="StUF025", client=False)
    root = operation_for_action(group, addressing.action)
    if root is None:
        raise CorvFaultError(f"Action is no operation of the {group} service", stuf_code="StUF022")
    if request.payload.tag != f"{{{JZ_NS}}}{root}":
        raise CorvFaultError(f"The Body does not hold the {root} the Action names", stuf_code="StUF055")
    return root


def _partner(service: CorvService, cert_pem: str | None, addressing: Addressing) -> Partner:
    if cert_pem is not None:
        oin = certificate_oin(cert_pem)
        if oin is None:
            raise CorvFaultError(
                "The client certificate carries no OIN in its subject serialNumber", stuf_code="StUF052"
            )
    elif service.allow_without_certificate:
        oin = addressing.from_oin
    else:
        raise CorvFaultError("A client certificate (two-sided TLS) is required", stuf_code="StUF052")
    partner = service.partners.partner(oin)
    if partner is None:
        raise CorvFaultError("The OIN of the client certificate is not a known partner", stuf_code="StUF052")
    return partner


def _authorise(service: CorvService, request: SoapRequest, partner: Partner, zender: str | None,
               addressing: Addressing) -> None:  # fmt: skip
    if not partner.may_send(zender):
        raise CorvFaultError("The client certificate's OIN may not send for this zender", stuf_code="StUF052")
    if addressing.from_oin is not None and addressing.from_oin not in (partner.oin, zender):
        raise CorvFaultError("The OIN in WS-Addressing From is neither the certificate's nor the zender's",
                             stuf_code="StUF052")  # fmt: skip
    if partner.signed:
        signer = verify_envelope(envelope_of(request), trusted=service.trusted)
        signer_oin = certificate_oin(signer.public_bytes(Encoding.PEM))
        if signer_oin not in (partner.oin, zender):
            raise CorvFaultError("WS-Security: the signing certificate's OIN is not the partner's", stuf_code="StUF052")


def _content_checkable(service: CorvService) -> None:
    """Refuse (StUF058, server) when the content cannot be validated and envelope-only was not chosen."""
    mode = stuf_jz_mode(service.stuf_jz_envelope_only)
    if mode is StufJzMode.REFUSED:
        log.error("corv.stuf_jz_refused", reason=WARNINGS[mode])
        raise CorvFaultError(REFUSAL, stuf_code="StUF058", client=False)
    if mode is StufJzMode.ENVELOPE_ONLY:
        log.warning("corv.stuf_jz_envelope_only", reason=WARNINGS[mode])


def _intake(store: CorvStore, request: SoapRequest, max_bytes: int) -> tuple[intake.IntakeRecord, intake.SubmitResult]:
    record = intake.prepare(payload_bytes(request), sender=None, source="corv", max_bytes=max_bytes)
    if record.status is MessageStatus.REJECTED:  # pragma: no cover - the payload was parsed once already
        raise CorvFaultError("The StUF message cannot be read", stuf_code="StUF055")
    try:
        result: intake.SubmitResult = store.intake(record)
    except StoreError as exc:
        log.error("corv.store_failed", error=type(exc).__name__)
        raise CorvFaultError("Opslaan bericht niet mogelijk", stuf_code="StUF046", client=False) from None
    return record, result


def handle(service: CorvService, store: CorvStore | None, *, group: str, path: str, request: SoapRequest,
           soap_action: str | None, client_cert_pem: str | None) -> SoapAnswer:  # fmt: skip
    """Answer one parsed POST to ``/soap/stuf-jz/{group}``; nothing is stored unless every check passed."""
    relates_to = header_text(request, f"{{{WSA_NS}}}MessageID")
    payload: etree._Element | None = request.payload
    try:
        addressing = read_addressing(request, soap_action)
        _operation(group, request, addressing)
        header = read_header(request.payload)
        check_to(addressing, path, header.receiver)
        if not service.partners.accepts_receiver(header.receiver):
            raise CorvFaultError("Ontvanger (OIN) is not served here", stuf_code="StUF010")
        partner = _partner(service, client_cert_pem, addressing)
        _authorise(service, request, partner, header.sender, addressing)
        if store is None:
            raise CorvFaultError("Opslaan bericht niet mogelijk", stuf_code="StUF046", client=False)
        _content_checkable(service)
        record, result = _intake(store, request, service.max_bytes)
        if not result.created:
            earlier = store.get_message(result.message_id)
            if earlier is None or earlier.payload_sha256 != record.payload_sha256:
                raise CorvFaultError("Combinatie zender en referentienummer niet uniek", stuf_code="StUF016")
    except CorvFaultError as fault:
        return _fault(fault, payload, relates_to)
    bv03 = build_bv03(request.payload)
    answer = response_envelope(bv03, action=BV03_ACTION, relates_to=addressing.message_id)
    return SoapAnswer(200, answer, message_id=str(result.message_id), created=result.created)


__all__ = ["CorvService", "SoapAnswer", "handle", "refuse_unread"]
