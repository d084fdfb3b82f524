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
with ``?OIN=`` the ontvanger in the stuurgegevens) and wsa:From (``from_address`` with ``?OIN=`` the
route's ``oin``, else the zender's). The answer is judged by :func:`gateway.relay.channel.judge_stuf`:
Bv03 delivered; a Fo03 with plek client, or a Client fault, permanent; everything else retried.
"""

from __future__ import annotations

import functools
import uuid
from pathlib import Path

from lxml import etree

from gateway.corv.addressing import with_oin
from gateway.corv.envelope import WSA_ANONYMOUS, build_request
from gateway.corv.services import GROUPS, JZ_NS, soap_action
from gateway.corv.wssec import sign_envelope
from gateway.relay.channel import ChannelError, Judgement, Outbound, Wrapped, judge_stuf
from gateway.relay.routes import Route
from gateway.relay.transport import Answer
from gateway.soap import SOAP_CONTENT_TYPE
from gateway.standards.stuf_jz import read_header
from gateway.xmlsafe import DocumentRefusedError, parse

_ROOTS = frozenset(root for roots in GROUPS.values() for root in roots)


@functools.lru_cache(maxsize=32)
def _read(path: str) -> bytes:
    """A signing key or certificate file, read once per process."""
    return Path(path).read_bytes()


def message_id_for(message_id: str) -> str:
    """The wsa:MessageID of every attempt to deliver Ketenpoort's message ``message_id``."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'ketenpoort:{message_id}')}"


class CorvChannel:
    """StUF-Jeugdzorg Di01 over Digikoppeling WUS; stateless, shared by every worker thread."""

    name = "corv"

    def wrap(self, message: Outbound, route: Route) -> Wrapped:
        """The SOAP request for the Di01 ``message``; ChannelError for anything that is not a Di01."""
        try:
            root = parse(message.payload)
        except DocumentRefusedError:
            raise ChannelError("the stored message is not a well-formed XML document") from None
        qname = etree.QName(root)
        if qname.namespace != JZ_NS or qname.localname not in _ROOTS:
            raise ChannelError(f"the corv channel carries StUF-Jeugdzorg Di01 messages, not {qname.localname}")
        header = read_header(root)
        ontvanger = header.receiver or message.receiver
        sender_oin = route.option("oin") or header.sender
        if sender_oin is None:
            raise ChannelError("no OIN for wsa:From: set the route's oin option or the message's zender")
        action = soap_action(qname.localname)
        body = build_request(
            message.payload,
            action=action,
            to=with_oin(route.url, ontvanger),
            from_=with_oin(route.option("from_address", WSA_ANONYMOUS) or WSA_ANONYMOUS, sender_oin),
            message_id=message_id_for(message.message_id),
        )
        key, cert = route.signing.get("key"), route.signing.get("cert")
        if key is not None and cert is not None:
            body = sign_envelope(body, key_pem=_read(str(key)), cert_pem=_read(str(cert)))
        elif route.signing.get("required"):
            raise ChannelError("the route requires signing but names no signing key and certificate")
        return Wrapped(body, SOAP_CONTENT_TYPE, (("SOAPAction", f'"{action}"'),))

    def judge(self, answer: Answer, route: Route) -> Judgement:
        """Bv03 delivered, a client Fo03 or Client fault permanent, the rest retried (:func:`judge_stuf`)."""
        return judge_stuf(answer)


__all__ = ["CorvChannel", "message_id_for"]
