"""WS-Security for Digikoppeling WUS 2W-be-S: signing a request and verifying a signed one (signxml).

What WUS asks (WB002, WB004, WB007, WB009, WB010): a ``wsse:Security`` header with a ``wsu:Timestamp``
(Created required), the signing certificate as a ``wsse:BinarySecurityToken`` referred to from the
signature's KeyInfo, and one reference per signed part: the Body, every WS-Addressing header and the
Timestamp, canonicalised with exclusive c14n. Verification refuses a missing or broken signature, a
signature that leaves one of those parts out (so a wrapped or moved Body is not accepted), a duplicate
wsu:Id, a signing certificate that no trusted CA issued, and a Timestamp outside its window.
"""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding, load_pem_private_key
from lxml import etree
from signxml import methods
from signxml.exceptions import SignXMLException
from signxml.signer import XMLSigner
from signxml.verifier import SignatureConfiguration, XMLVerifier

from gateway.corv.envelope import SOAP_NS, WSA_NS, CorvFaultError
from gateway.xmlsafe import parse

WSSE_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
DS_NS = "http://www.w3.org/2000/09/xmldsig#"
X509_TOKEN = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"  # noqa: S105 - a URI, not a password
BASE64 = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
SKEW = timedelta(minutes=5)
"""Clock difference allowed on Timestamp Created (WB002's timestampSkew)."""
_WSU_ID = f"{{{WSU_NS}}}Id"
_ADDRESSING = ("Action", "MessageID", "To", "From", "ReplyTo", "RelatesTo")


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _mark(element: etree._Element, prefix: str) -> str:
    ident = element.get(_WSU_ID) or f"{prefix}-{uuid.uuid4().hex}"
    element.set(_WSU_ID, ident)
    return ident


def sign_envelope(
    envelope: bytes,
    *,
    key: bytes | rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
    cert_pem: bytes,
    now: datetime | None = None,
) -> bytes:
    """Sign a SOAP 1.1 request as 2W-be-S: Body, WS-Addressing headers and Timestamp, one reference each.

    ``key``: the PEM bytes of the private key, or the loaded key (a sender signing often loads it once).
    """
    root = parse(envelope)
    header = root.find(f"{{{SOAP_NS}}}Header")
    body = root.find(f"{{{SOAP_NS}}}Body")
    if header is None or body is None:
        raise ValueError("a signed request needs a SOAP Header (WS-Addressing) and a Body")
    moment = now or datetime.now(UTC)
    security = etree.Element(f"{{{WSSE_NS}}}Security", nsmap={"wsse": WSSE_NS, "wsu": WSU_NS})
    security.set(f"{{{SOAP_NS}}}mustUnderstand", "1")
    header.insert(0, security)
    cert = x509.load_pem_x509_certificate(cert_pem)
    token = etree.SubElement(security, f"{{{WSSE_NS}}}BinarySecurityToken", EncodingType=BASE64, ValueType=X509_TOKEN)
    token.text = base64.b64encode(cert.public_bytes(encoding=Encoding.DER)).decode("ascii")
    token_id = _mark(token, "X509")
    stamp = etree.SubElement(security, f"{{{WSU_NS}}}Timestamp")
    etree.SubElement(stamp, f"{{{WSU_NS}}}Created").text = _utc(moment)
    etree.SubElement(stamp, f"{{{WSU_NS}}}Expires").text = _utc(moment + SKEW)
    refs = [_mark(body, "Body"), _mark(stamp, "TS")]
    refs += [_mark(h, "WSA") for h in header if isinstance(h.tag, str) and etree.QName(h).namespace == WSA_NS]
    key_info = etree.Element(f"{{{DS_NS}}}KeyInfo")
    token_ref = etree.SubElement(key_info, f"{{{WSSE_NS}}}SecurityTokenReference")
    etree.SubElement(token_ref, f"{{{WSSE_NS}}}Reference", URI=f"#{token_id}", ValueType=X509_TOKEN)
    if isinstance(key, bytes):
        loaded = load_pem_private_key(key, password=None)
        if not isinstance(loaded, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
            raise ValueError("the signing key must be RSA or EC")
        key = loaded
    algorithm = "ecdsa-sha256" if isinstance(key, ec.EllipticCurvePrivateKey) else "rsa-sha256"
    signer = XMLSigner(method=methods.detached, signature_algorithm=algorithm, digest_algorithm="sha256",
                       c14n_algorithm=EXC_C14N)  # fmt: skip
    signature = signer.sign(root, key=key, reference_uri=[f"#{r}" for r in refs], key_info=key_info)
    security.append(signature)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _refuse(message: str) -> CorvFaultError:
    return CorvFaultError(f"WS-Security: {message}", stuf_code="StUF052")


def _parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _check_timestamp(security: etree._Element, now: datetime) -> etree._Element:
    stamp = security.find(f"{{{WSU_NS}}}Timestamp")
    if stamp is None:
        raise _refuse("Timestamp is missing (WB002)")
    created = _parse_time(stamp.findtext(f"{{{WSU_NS}}}Created"))
    if created is None:
        raise _refuse("Timestamp Created is missing or not a UTC time (WB002)")
    if created > now + SKEW:
        raise _refuse("Timestamp Created lies in the future")
    expires = _parse_time(stamp.findtext(f"{{{WSU_NS}}}Expires"))
    if expires is not None and expires < now - SKEW:
        raise _refuse("Timestamp has expired")
    return stamp


def _token_certificate(security: etree._Element) -> x509.Certificate:
    tokens = security.findall(f"{{{WSSE_NS}}}BinarySecurityToken")
    if len(tokens) != 1 or tokens[0].get("ValueType") != X509_TOKEN:
        raise _refuse("exactly one X.509 BinarySecurityToken is required (WB009, WB010)")
    try:
        return x509.load_der_x509_certificate(base64.b64decode((tokens[0].text or "").strip(), validate=True))
    except ValueError:
        raise _refuse("the BinarySecurityToken is not an X.509 certificate") from None


def _check_issuer(cert: x509.Certificate, trusted: list[x509.Certificate]) -> None:
    for ca in trusted:
        try:
            cert.verify_directly_issued_by(ca)
        except (ValueError, TypeError, InvalidSignature):  # not this CA: try the next
            continue
        return
    raise _refuse("the signing certificate is not issued by a trusted CA")


def verify_envelope(request_root: etree._Element, *, trusted: list[x509.Certificate],
                    now: datetime | None = None) -> x509.Certificate:  # fmt: skip
    """Verify the 2W-be-S signature of a parsed request; its signing certificate, or a Client fault (StUF052)."""
    header = request_root.find(f"{{{SOAP_NS}}}Header")
    body = request_root.find(f"{{{SOAP_NS}}}Body")
    security = header.find(f"{{{WSSE_NS}}}Security") if header is not None else None
    if header is None or body is None or security is None:
        raise _refuse("the request is not signed (no wsse:Security header)")
    stamp = _check_timestamp(security, now or datetime.now(UTC))
    cert = _token_certificate(security)
    _check_issuer(cert, trusted)
    ids = [el.get(_WSU_ID) for el in request_root.iter() if isinstance(el.tag, str) and el.get(_WSU_ID)]
    if len(ids) != len(set(ids)):
        raise _refuse("a wsu:Id occurs more than once")
    must = [body, stamp, *(h for h in header if isinstance(h.tag, str) and etree.QName(h).localname in _ADDRESSING
                             and etree.QName(h).namespace == WSA_NS)]  # fmt: skip
    signature = security.find(f"{{{DS_NS}}}Signature")
    if signature is None:
        raise _refuse("the Security header holds no ds:Signature")
    uris = {ref.get("URI") for ref in signature.iter(f"{{{DS_NS}}}Reference")}
    for part in must:
        if part.get(_WSU_ID) is None or f"#{part.get(_WSU_ID)}" not in uris:
            raise _refuse(f"{etree.QName(part).localname} is not signed (WB004)")
    pem = cert.public_bytes(Encoding.PEM).decode("ascii")
    config = SignatureConfiguration(expect_references=len(uris), require_x509=False)
    try:
        XMLVerifier().verify(request_root, x509_cert=pem, expect_config=config)
    except (SignXMLException, ValueError) as exc:
        raise _refuse(f"the signature does not verify ({type(exc).__name__})") from None
    return cert


__all__ = ["DS_NS", "WSSE_NS", "WSU_NS", "sign_envelope", "verify_envelope"]
