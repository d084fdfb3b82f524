"""A tiny loopback receiver for ``ketenpoort demo``: answers 200 and remembers every Idempotency-Key.

It stands in for a partner endpoint so the demo needs nothing but this machine; a key seen
twice is answered 200 again and counted once, the way a real receiver deduplicates.
"""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self

import structlog

log = structlog.get_logger(__name__)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: the demo prints its own summary."""

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        key = self.headers.get("Idempotency-Key")
        self.server.owner.seen(key)
        if self.server.owner.announce:  # the compose demo receiver: show that messages arrive
            log.info("receiver.received", path=self.path, idempotency_key=key, size=length)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, owner: DemoReceiver, host: str, port: int) -> None:
        super().__init__((host, port), _Handler)
        self.owner = owner


class DemoReceiver:
    """Runs on 127.0.0.1 on a free port (or ``host``/``port``) in a background thread."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, announce: bool = False) -> None:
        """Bind the socket; :meth:`start` begins serving. ``announce`` logs each arrival (never its content)."""
        self.announce = announce
        self._lock = threading.Lock()
        self.requests = 0
        self.keys: set[str] = set()
        self.first_seen: dict[str, float] = {}
        """Key → wall-clock time (``time.time()``) of its first request, for latency measurements."""
        self._server = _Server(self, host, port)
        self._thread = threading.Thread(target=self._server.serve_forever, name="demo-receiver", daemon=True)

    @property
    def url(self) -> str:
        """Where to POST messages."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/berichten"

    def seen(self, key: str | None) -> None:
        """Count one request and remember its key."""
        with self._lock:
            self.requests += 1
            if key and key not in self.keys:
                self.keys.add(key)
                self.first_seen[key] = time.time()

    def start(self) -> Self:
        """Serve in the background."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> Self:
        """Start on entry."""
        return self.start()

    def __exit__(self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        """Stop on exit."""
        self.stop()


__all__ = ["DemoReceiver"]
