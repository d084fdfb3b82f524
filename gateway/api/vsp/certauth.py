"""Who calls the VSP APIs: a Bearer token, or a client certificate bound to a sender (mutual TLS, as VECOZO's).

The certificate comes from the ASGI TLS extension (``scope["extensions"]["tls"]["client_cert_chain"]``,
the leaf first, PEM), which the server puts there for connections over mutual TLS. A certificate
bound to a sender (``client_cert_sha256`` in the senders file) authenticates as that sender; with a
token beside it both must name the same sender. The certificate's own identity (its subject's
serialNumber, as PKIoverheid and VECOZO system certificates carry an OIN or AGB code there, and its
commonName) must then contain the afzender of every push. A sender bound to certificates must show
one of them: its token alone is refused.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID
from fastapi import HTTPException, Request

from gateway.api.auth import Sender, SenderBook
from gateway.api.deps import caller


@dataclass(frozen=True, slots=True)
class VspCaller:
    """The authenticated party; ``cert_identities`` is None unless a client certificate was shown."""

    sender: Sender
    cert_identities: frozenset[str] | None = None


def peer_certificate(scope: Mapping[str, Any]) -> x509.Certificate | None:
    """The client's leaf certificate from the ASGI TLS extension, if the connection had one."""
    chain = ((scope.get("extensions") or {}).get("tls") or {}).get("client_cert_chain") or []
    if not chain:
        return None
    return x509.load_pem_x509_certificate(str(chain[0]).encode("ascii"))


def certificate_identities(cert: x509.Certificate) -> frozenset[str]:
    """What a certificate says its holder is: subject serialNumber(s) and commonName(s)."""
    values = [
        a.value
        for oid in (NameOID.SERIAL_NUMBER, NameOID.COMMON_NAME)
        for a in cert.subject.get_attributes_for_oid(oid)
    ]
    return frozenset(v if isinstance(v, str) else v.decode("utf-8", "replace") for v in values)


def fingerprint(cert: x509.Certificate) -> str:
    """SHA-256 of the certificate's DER, hex (what ``client_cert_sha256`` lists)."""
    return hashlib.sha256(cert.public_bytes(Encoding.DER)).hexdigest()


def _refused(message: str) -> HTTPException:
    return HTTPException(401, detail={"error": "unauthorised", "message": message},
                         headers={"WWW-Authenticate": "Bearer"})  # fmt: skip


async def vsp_caller(request: Request) -> VspCaller:
    """The caller by client certificate (bound to a sender) or by Bearer token; 401 otherwise."""
    cert = peer_certificate(request.scope)
    if cert is None:
        who = await caller(request)
        if who.client_certs:
            raise _refused("this sender is bound to a client certificate: connect with it")
        return VspCaller(who)
    book: SenderBook = request.app.state.senders
    bound = book.by_certificate(fingerprint(cert))
    has_token = request.headers.get("authorization", "").lower().startswith("bearer ")
    if bound is None:
        if not has_token:
            raise _refused("this client certificate is bound to no sender")
        who = await caller(request)  # an unbound certificate adds nothing to a token ...
        if who.client_certs:  # ... unless the sender must use one of its own
            raise _refused("this sender is bound to another client certificate")
        return VspCaller(who)
    if has_token and (await caller(request)).name != bound.name:
        raise _refused("the token and the client certificate name different senders")
    return VspCaller(bound, certificate_identities(cert))


__all__ = ["VspCaller", "certificate_identities", "fingerprint", "peer_certificate", "vsp_caller"]
