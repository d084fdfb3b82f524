"""Hand the TLS client certificate to the ASGI app, as the ASGI TLS extension describes, under uvicorn.

uvicorn terminates TLS but puts nothing about the peer into the scope. These protocol classes (pass one
as uvicorn's ``http=``) read the client certificate once per connection from the transport
(``ssl_object.getpeercert(binary_form=True)``) and add ``scope["extensions"]["tls"]`` with
``client_cert_chain`` (PEM strings, the leaf first; empty without a certificate) to every request on it.
"""

from __future__ import annotations

import asyncio
import ssl
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


def _peer_chain(transport: asyncio.BaseTransport) -> list[str]:
    ssl_object: ssl.SSLObject | None = transport.get_extra_info("ssl_object")
    if ssl_object is None:
        return []
    der = ssl_object.getpeercert(binary_form=True)
    return [ssl.DER_cert_to_PEM_cert(der)] if der else []


def _with_tls(app: Any, chain: list[str]) -> Any:
    """``app`` wrapped so that each HTTP scope carries the connection's TLS extension."""
    info = {"client_cert_chain": chain, "server_cert": None}

    async def tls_app(scope: Any, receive: Any, send: Any) -> None:
        if scope.get("type") == "http":
            scope.setdefault("extensions", {})["tls"] = info
        await app(scope, receive, send)

    return tls_app


def with_tls_peer(protocol: type[Any]) -> type[Any]:
    """A subclass of the uvicorn HTTP protocol ``protocol`` that adds the peer certificate to each request's scope.

    A subclass rather than a class of its own, so that it composes with the head cap of
    :mod:`gateway.api.headercap` (whose protocol classes are uvicorn's, subclassed).
    """

    def connection_made(self: Any, transport: asyncio.Transport) -> None:
        """Read the peer certificate once for this connection."""
        protocol.connection_made(self, transport)
        if transport.get_extra_info("ssl_object") is not None:
            self.app = _with_tls(self.app, _peer_chain(transport))

    return type(f"TlsPeer{protocol.__name__}", (protocol,), {"connection_made": connection_made})


TlsPeerHttpToolsProtocol = with_tls_peer(HttpToolsProtocol)
"""uvicorn's httptools protocol that adds the peer certificate to each request's scope."""
TlsPeerH11Protocol = with_tls_peer(H11Protocol)
"""uvicorn's h11 protocol that adds the peer certificate to each request's scope."""


__all__ = ["TlsPeerH11Protocol", "TlsPeerHttpToolsProtocol", "with_tls_peer"]
