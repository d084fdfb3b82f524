"""The ``corv`` channel: a stored Di01 leaves as the SOAP 1.1 request of its CORV operation (WUS 2W-be / 2W-be-S).

Route (routes file, see :mod:`gateway.relay.routes`)::

    [routes."00000001823288444000"]
    url = "https://corv.example/soap/stuf-jz/jzberichten"
    channel = "corv"
    client_cert = "pki/ketenpoort.pem"     # two-sided TLS: Ketenpoort's PKIoverheid certificate
    client_key = "pki/ketenpoort.key"
    ca_file = "pki/pkioverheid-roots.pem"
    signing = { key = "pki/sign.key", cert = "pki/sign.pem" }            # optional: 2W-be-S
    options = { oin = "00000001003214345000", from_address = "https://ketenpoort.example/soap" }

The request carries wsa:Action (= SOAPAction, the operation's official soapAction), wsa:MessageID
(derived from the message id, so every attempt of one message has the same one), wsa:To (the route URL
with ``?OIN=`` the receiver the message is routed by: the ontvanger in its stuurgegevens) and wsa:From
(``from_address`` with ``?OIN=`` the route's ``oin``, else the zender's). The answer is judged as
:func:`gateway.relay.channel.judge_stuf` says: Bv03 delivered; a Fo03 with plek client, or a Client
fault, permanent; everything else retried.
"""

from __future__ import annotations

import functools
import re
import uuid
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from gateway.corv.addressing import with_oin
from gateway.corv.envelope import WSA_ANONYMOUS, build_request
from gateway.corv.services import GROUPS, JZ_NS, STUF_NS, soap_action
from gateway.corv.wssec import sign_envelope
from gateway.relay.channel import ChannelError, Judgement, Outbound, Wrapped, judge_stuf
from gateway.relay.policy import Outcome
from gateway.relay.routes import Route
from gateway.relay.transport import MAX_RESPONSE_BYTES, Answer
from gateway.soap import SOAP11_NS, SOAP_CONTENT_TYPE
from gateway.xmlsafe import DocumentRefusedError, parse

_ROOTS = frozenset(root for roots in GROUPS.values() for root in roots)
_START_TAG = re.compile(rb"<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)((?:\s[^>]*)?)>")
_STUF = f"{{{STUF_NS}}}"


def _root_name(payload: bytes) -> str | None:
    """The Di01 root of a stored message, read from its start tag without parsing the whole document.

    The relay only sends messages the validate stage parsed and accepted, so the document is well formed;
    what is checked here is that its root is a StUF-Jeugdzorg Di01 in the jz0100 namespace.
    """
    pos = 0
    while True:  # skip the XML declaration, comments and processing instructions before the root
        pos = payload.find(b"<", pos)
        if pos < 0 or payload[pos + 1 : pos + 2] not in (b"?", b"!"):
            break
        pos = payload.find(b">", pos) + 1
    match = _START_TAG.match(payload, pos) if pos >= 0 else None
    if match is None or match.group(2).decode("ascii", "replace") not in _ROOTS:
        return None
    prefix = (match.group(1) or b":")[:-1]
    declaration = b"xmlns:" + prefix if prefix else b"xmlns"
    if declaration + b'="' + JZ_NS.encode() + b'"' not in match.group(3):
        return None
    return match.group(2).decode("ascii")


_ENVELOPE, _BODY, _BV03 = f"{{{SOAP11_NS}}}Envelope", f"{{{SOAP11_NS}}}Body", f"{_STUF}Bv03Bericht"


def _is_bv03(body: bytes) -> bool:
    """True when ``body`` is a SOAP 1.1 envelope whose Body holds exactly one element, a StUF Bv03Bericht."""
    try:
        root = parse(body, MAX_RESPONSE_BYTES)
    except DocumentRefusedError:
        return False
    if root.tag != _ENVELOPE:
        return False
    holders = [child for child in root if child.tag == _BODY]
    if len(holders) != 1:
        return False
    payloads = [child for child in holders[0] if isinstance(child.tag, str)]
    return len(payloads) == 1 and payloads[0].tag == _BV03


def _zender(payload: bytes) -> str | None:
    """The zender's organisatie of the message (only read when the route names no oin of its own)."""
    try:
        root = parse(payload)
    except DocumentRefusedError:
        return None
    organisatie = root.find(f"{{*}}stuurgegevens/{_STUF}zender/{_STUF}organisatie")
    return (organisatie.text or "").strip() or None if organisatie is not None else None


@functools.lru_cache(maxsize=32)
def _read(path: str) -> bytes:
    """A signing certificate file, read once per process."""
    return Path(path).read_bytes()


@functools.lru_cache(maxsize=32)
def _key(path: str) -> rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey:
    """A signing key, loaded once per process (loading checks an RSA key, which costs tens of milliseconds)."""
    key = load_pem_private_key(Path(path).read_bytes(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise ChannelError(f"signing key {Path(path).name} is neither RSA nor EC")
    return key


_CROCKFORD = str.maketrans("0123456789ABCDEFGHJKMNPQRSTVWXYZ", "0123456789abcdefghijklmnopqrstuv")
_ULID = re.compile(r"[0-7][0-9A-HJKMNP-TV-Z]{25}")


def message_id_for(message_id: str) -> str:
    """The wsa:MessageID of every attempt to deliver Ketenpoort's message ``message_id``.

    A ULID is 128 bits, so it is written as the UUID with the same bits; any other id gets a name-based one.
    """
    if _ULID.fullmatch(message_id):
        return f"urn:uuid:{uuid.UUID(int=int(message_id.translate(_CROCKFORD), 32))}"
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'ketenpoort:{message_id}')}"


class CorvChannel:
    """StUF-Jeugdzorg Di01 over Digikoppeling WUS; stateless, shared by every worker thread."""

    name = "corv"

    def wrap(self, message: Outbound, route: Route) -> Wrapped:
        """The SOAP request for the Di01 ``message``; ChannelError for anything that is not a Di01."""
        root = _root_name(message.payload)
        if root is None:
            raise ChannelError("the corv channel carries StUF-Jeugdzorg Di01 messages, and this is none")
        sender_oin = route.option("oin") or _zender(message.payload)
        if sender_oin is None:
            raise ChannelError("no OIN for wsa:From: set the route's oin option or the message's zender")
        action = soap_action(root)
        body = build_request(
            message.payload,
            action=action,
            to=with_oin(route.url, message.receiver),
            from_=with_oin(route.option("from_address", WSA_ANONYMOUS) or WSA_ANONYMOUS, sender_oin),
            message_id=message_id_for(message.message_id),
        )
        key, cert = route.signing.get("key"), route.signing.get("cert")
        if key is not None and cert is not None:
            body = sign_envelope(body, key=_key(str(key)), cert_pem=_read(str(cert)))
        elif route.signing.get("required"):
            raise ChannelError("the route requires signing but names no signing key and certificate")
        return Wrapped(body, SOAP_CONTENT_TYPE, (("SOAPAction", f'"{action}"'),))

    def judge(self, answer: Answer, route: Route) -> Judgement:
        """Bv03 delivered, a client Fo03 or Client fault permanent, the rest retried (:func:`judge_stuf`)."""
        if 200 <= answer.status < 300 and _is_bv03(answer.body):  # the usual answer, read with one parse
            return Judgement(Outcome.DELIVERED)
        return judge_stuf(answer)


__all__ = ["CorvChannel", "message_id_for"]
