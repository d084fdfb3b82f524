"""A scripted TCP server on loopback for transport tests: each connection runs a function the test wrote.

So a test decides what the receiver does byte by byte: answer, keep the connection, close it,
reset it, hang, or send garbage. :func:`read_request` and :func:`serve_ok` are the common steps.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx

PAYLOAD = b"<?xml version='1.0'?><Bericht>synthetic</Bericht>"
TIMEOUTS = {"connect": 1.0, "read": 0.5, "write": 0.5, "pool": 1.0}
OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"

Session = Callable[[socket.socket], None]
"""What the server does with one accepted connection."""


def read_request(conn: socket.socket) -> bytes:
    """One whole request (headers and a Content-Length body) from ``conn``; b"" at end of stream."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        (int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")),
        0,
    )
    while len(body) < length:
        body += conn.recv(65536)
    return head + b"\r\n\r\n" + body


def serve_ok(times: int) -> Session:
    """Answer ``times`` requests with 200 on one connection, then close it."""

    def session(conn: socket.socket) -> None:
        for _ in range(times):
            if not read_request(conn):
                return
            conn.sendall(OK)

    return session


class Scripted:
    """A loopback TCP server running the next scripted session on each connection it accepts."""

    def __init__(self, *sessions: Session) -> None:
        """Start listening; connection i runs ``sessions[i]`` (the last one repeats)."""
        self.sessions = list(sessions)
        self.requests: list[bytes] = []
        self.connections = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/ijw"
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            session = self.sessions[min(self.connections, len(self.sessions) - 1)]
            self.connections += 1
            threading.Thread(target=self._run, args=(conn, session), daemon=True).start()

    def _run(self, conn: socket.socket, session: Session) -> None:
        recording = _Recording(conn, self.requests)
        try:
            session(recording)  # type: ignore[arg-type]
        except OSError:
            pass
        finally:
            conn.close()

    def close(self) -> None:
        """Stop accepting."""
        self._listener.close()


class _Recording:
    """A socket that notes each request a session reads through :func:`read_request`."""

    def __init__(self, conn: socket.socket, requests: list[bytes]) -> None:
        self._conn = conn
        self._requests = requests
        self._buffer = b""

    def recv(self, size: int) -> bytes:
        data = self._conn.recv(size)
        self._buffer += data
        if b"\r\n\r\n" in self._buffer:  # a request head came in (bodies are small here)
            self._requests.append(self._buffer)
            self._buffer = b""
        return data

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


@contextmanager
def scripted(*sessions: Session) -> Iterator[Scripted]:
    server = Scripted(*sessions)
    try:
        yield server
    finally:
        server.close()


def post(transport: httpx.BaseTransport, url: str, body: bytes = PAYLOAD, **headers: str) -> httpx.Response:
    request = httpx.Request(
        "POST", url, content=body, headers={"Idempotency-Key": "m-1", **headers}, extensions={"timeout": TIMEOUTS}
    )
    response = transport.handle_request(request)
    response.read()
    return response
