"""The 64 KiB head cap over HTTPS, as ``ketenpoort serve`` runs it with ``KETENPOORT_API_TLS_*``: 431, not a hang.

An earlier version of this test hung about one run in four, and the server was not at fault. Its
client asked ``select()`` whether the server had answered before sending each piece of the head;
over TLS 1.3 the socket turns readable soon after the handshake with records that carry no
answer (the server's session tickets), so the client stopped sending after a piece or two and
waited for an answer, while the server, holding a head still under 64 KiB, waited for the rest.
The client here looks for an answer by reading without blocking, which consumes such records.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn

from gateway.api import create_app
from gateway.api.headercap import Parser, protocol_class
from gateway.api.server import tls_options
from gateway.config import Settings
from gateway.store.memory import MemoryStore
from tests.support.pki import Pki

PARSERS: list[Parser] = ["httptools", "h11"]
TIMEOUT_S = 30.0
"""Client socket timeout: a refusal that never comes fails the test instead of hanging it."""


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    """One development CA for the module (RSA keys are slow to make)."""
    return Pki(tmp_path_factory.mktemp("headercap-pki"))


@contextmanager
def https_server(settings: Settings, store: MemoryStore, pki: Pki, parser: Parser) -> Iterator[int]:
    """The app under uvicorn with the settings' TLS options and the capped protocol for ``parser``; its port."""
    server_id = pki.issue("ketenpoort", server=True)
    tls = settings.model_copy(update={"api_tls_cert_file": server_id.cert_file, "api_tls_key_file": server_id.key_file})
    options = tls_options(tls) | {"http": protocol_class(parser)}
    config = uvicorn.Config(create_app(tls, store=store), host="127.0.0.1", port=0, lifespan="off", log_config=None,
                            **options)  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started and thread.is_alive():
        time.sleep(0.01)
    assert server.started, "the server did not start"
    try:
        yield int(server.servers[0].sockets[0].getsockname()[1])
    finally:
        server.should_exit = True
        thread.join(TIMEOUT_S)


def _answer_if_any(sock: ssl.SSLSocket) -> bytes:
    """What the server has answered so far, without waiting (TLS records without data are consumed)."""
    sock.setblocking(False)
    try:
        return sock.recv(65536)
    except ssl.SSLWantReadError:
        return b""
    finally:
        sock.settimeout(TIMEOUT_S)


def _send_head_tls(port: int, ca_file: Path, head: bytes, piece: int = 16 * 1024) -> bytes:
    """Send ``head`` over TLS in pieces until the server answers; its answer."""
    context = ssl.create_default_context(cafile=str(ca_file))
    raw = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT_S)
    with raw, context.wrap_socket(raw, server_hostname="localhost") as sock:
        sock.settimeout(TIMEOUT_S)
        sent = 0
        while sent < len(head):
            answer = _answer_if_any(sock)
            if answer:
                return answer
            try:
                sock.sendall(head[sent : sent + piece])
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += piece
        return sock.recv(65536)


@pytest.mark.parametrize("parser", PARSERS)
def test_a_giant_header_over_tls_is_refused_with_431(
    settings: Settings, memory_store: MemoryStore, pki: Pki, parser: Parser
) -> None:
    """A 4 MiB header over HTTPS gets 431, three times over; the server goes on serving."""
    with https_server(settings, memory_store, pki, parser) as port:
        giant = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (4 * 1024 * 1024) + b"\r\n\r\n"
        for _ in range(3):  # each on a fresh connection (and fresh session tickets)
            reply = _send_head_tls(port, pki.ca_file, giant)
            assert reply.startswith(b"HTTP/1.1 431"), reply[:200]
            assert b"header_too_large" in reply
        context = ssl.create_default_context(cafile=str(pki.ca_file))
        with httpx.Client(verify=context, timeout=TIMEOUT_S) as client:
            assert client.get(f"https://localhost:{port}/healthz").status_code == 200
