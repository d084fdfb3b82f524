"""Under uvicorn, both HTTP protocol implementations hand the TLS client certificate to the app's scope."""

from __future__ import annotations

import ssl
import threading
import time
from typing import Any

import pytest
import uvicorn

from gateway.api.tlspeer import TlsPeerH11Protocol, TlsPeerHttpToolsProtocol
from gateway.corv.parties import certificate_oin
from tests.corv.conftest import Certs
from tests.support.corv import GI, tls_client


async def _echo_oin(scope: Any, receive: Any, send: Any) -> None:
    """Answer with the OIN of the client certificate in the scope (or "none")."""
    chain = scope.get("extensions", {}).get("tls", {}).get("client_cert_chain") or []
    body = (certificate_oin(chain[0]) if chain else None) or "none"
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": body.encode()})


@pytest.mark.parametrize("protocol", [TlsPeerHttpToolsProtocol, TlsPeerH11Protocol], ids=["httptools", "h11"])
def test_the_client_certificate_reaches_the_scope(certs: Certs, protocol: type) -> None:
    """A request with a client certificate sees its OIN; one without sees none, on the same server."""
    config = uvicorn.Config(_echo_oin, host="127.0.0.1", port=0, log_level="error", lifespan="off", http=protocol,
                            ssl_certfile=str(certs.server.cert_file), ssl_keyfile=str(certs.server.key_file),
                            ssl_ca_certs=str(certs.pki.ca_file), ssl_cert_reqs=ssl.CERT_OPTIONAL)  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    url = f"https://localhost:{server.servers[0].sockets[0].getsockname()[1]}/"
    try:
        with tls_client(certs.pki, certs.gi) as client:
            assert client.get(url).text == GI
        with tls_client(certs.pki, None) as client:
            assert client.get(url).text == "none"
    finally:
        server.should_exit = True
        thread.join()
