"""A scriptable HTTP receiver on loopback, for relay, crash and outage tests.

The receiver stands in for a partner endpoint (gemeente, aanbieder, CORV). It listens on
``127.0.0.1`` on a free port, answers every ``POST`` according to a script that tests change
at runtime, and records every request it saw::

    with Receiver() as rx:                      # starts a server thread, stops it on exit
        deliver_to(rx.url)
        rx.fail_next(3, status=503, retry_after="2")    # the next 3 requests get 503
        rx.slow_next(1, seconds=5.0)            # sleep longer than the client's read timeout
        rx.reset_next(2)                        # drop the connection with a TCP RST
        rx.always(400)                          # from now on every request gets 400
        rx.respond_ok()                         # back to 200 for everything, script cleared
        assert rx.delivered_keys() == {"m-1"}   # Idempotency-Keys answered with 2xx

Scripting model: a FIFO of one-shot :class:`Behaviour` steps is consumed first (one step per
request); when it is empty the *default* behaviour applies. Every request is recorded as a
:class:`Record` (Idempotency-Key, X-Ketenpoort-Message-Id, sha256 of the body, the status
answered or ``None`` for a reset). Records are appended *before* the answer is written, so a
record with status 2xx means the receiver decided to accept; ``answered`` turns true only once
the response bytes were handed to the socket.

The receiver is thread-safe (``ThreadingHTTPServer``, HTTP/1.1 keep-alive, one lock around the
script and the records). :meth:`Receiver.stop` wakes sleeping handlers so a test never waits
for a "slow" step after it is done.

Standalone (for tests that run the receiver in another process)::

    python -m tests.support.receiver --port 8765 [--status 503 --count 10] [--jsonl FILE]

In that mode the receiver prints one JSON line per request to stdout (or ``--jsonl``) and
accepts runtime control on ``POST /_receiver/script`` with a JSON body such as
``{"status": 503, "count": 5, "retry_after": "1"}``, ``{"reset": true, "count": 2}``,
``{"delay_s": 3}``, ``{"default": {"status": 400}}`` or ``{"ok": true}``;
``GET /_receiver/records`` returns all records as a JSON array. The same control endpoints
work in-process.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import hashlib
import json
import socket
import struct
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TextIO

CONTROL_PREFIX = "/_receiver/"


@dataclass(frozen=True)
class Behaviour:
    """How the receiver answers one request: a status, an optional delay, or a connection reset."""

    status: int = 200
    delay_s: float = 0.0
    reset: bool = False
    retry_after: str | None = None
    body: bytes = b""


@dataclass(frozen=True)
class Record:
    """One request the receiver saw and what it decided to answer (``status`` None = reset)."""

    seq: int
    path: str
    idempotency_key: str | None
    message_id: str | None
    content_type: str | None
    body_sha256: str
    body_len: int
    status: int | None
    received_at: float
    answered: bool = field(default=False, compare=False)

    def to_json(self) -> dict[str, Any]:
        """The record as a JSON-serialisable dict."""
        return asdict(self)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], owner: Receiver) -> None:
        self.owner = owner
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Client disconnects and resets are normal in fault tests; keep stderr quiet."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default per-request stderr line."""

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)
        self.wfile.flush()

    def do_GET(self) -> None:
        """Serve ``/_receiver/records`` and a trivial health answer for anything else."""
        if self.path.startswith(CONTROL_PREFIX + "records"):
            payload = json.dumps([r.to_json() for r in self.server.owner.records]).encode()
            self._send(200, payload, {"Content-Type": "application/json"})
        else:
            self._send(200, b"ok", {"Content-Type": "text/plain"})

    def do_POST(self) -> None:
        """Record the request, then answer it according to the current script."""
        body = self._read_body()
        owner = self.server.owner
        if self.path.startswith(CONTROL_PREFIX):
            try:
                owner.apply_control(json.loads(body or b"{}"))
            except (ValueError, TypeError) as exc:
                self._send(400, str(exc).encode(), {"Content-Type": "text/plain"})
                return
            self._send(204, b"")
            return
        behaviour = owner.next_behaviour()
        record = owner.record(self, body, behaviour)
        if behaviour.delay_s > 0 and owner.stopping.wait(behaviour.delay_s):
            self.close_connection = True
            return
        if behaviour.reset:
            self._reset()
            return
        headers = {"Content-Type": "text/plain"}
        if behaviour.retry_after is not None:
            headers["Retry-After"] = behaviour.retry_after
        try:
            self._send(behaviour.status, behaviour.body, headers)
        except OSError:
            self.close_connection = True
            return
        owner.mark_answered(record)

    def _reset(self) -> None:
        """Close the socket with SO_LINGER 0 so the client sees a TCP RST, not a clean close."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()


class Receiver:
    """A threaded loopback HTTP receiver whose answers are scripted at runtime and recorded."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, sink: TextIO | None = None) -> None:
        """Prepare a receiver on ``host:port`` (port 0 picks a free port); call start() or use ``with``."""
        self._lock = threading.Lock()
        self._script: collections.deque[Behaviour] = collections.deque()
        self._default = Behaviour()
        self._records: list[Record] = []
        self._sink = sink
        self.stopping = threading.Event()
        self._server = _Server((host, port), self)
        self._thread: threading.Thread | None = None

    # lifecycle -------------------------------------------------------------------------
    @property
    def port(self) -> int:
        """The TCP port the receiver listens on."""
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """Base URL to POST to, e.g. ``http://127.0.0.1:54321/berichten``."""
        return f"http://127.0.0.1:{self.port}/berichten"

    def start(self) -> Self:
        """Start serving in a daemon thread and return self."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"receiver-{self.port}",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, wake sleeping handlers and close the listening socket."""
        self.stopping.set()
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> Self:
        """Start the receiver for the duration of a ``with`` block."""
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Stop the receiver at the end of a ``with`` block."""
        self.stop()

    # scripting -------------------------------------------------------------------------
    def respond_ok(self) -> None:
        """Answer 200 to everything from now on and drop any queued steps."""
        self.set_default(Behaviour())

    def always(self, status: int, retry_after: str | None = None) -> None:
        """Answer ``status`` to everything from now on (queued steps are dropped)."""
        self.set_default(Behaviour(status=status, retry_after=retry_after))

    def set_default(self, behaviour: Behaviour) -> None:
        """Make ``behaviour`` the answer for every request and clear the one-shot queue."""
        with self._lock:
            self._script.clear()
            self._default = behaviour

    def push(self, behaviour: Behaviour, count: int = 1) -> None:
        """Queue ``behaviour`` for the next ``count`` requests (after steps already queued)."""
        with self._lock:
            self._script.extend([behaviour] * count)

    def fail_next(self, count: int, status: int = 503, retry_after: str | None = None) -> None:
        """Answer ``status`` (default 503) to the next ``count`` requests, with optional Retry-After."""
        self.push(Behaviour(status=status, retry_after=retry_after), count)

    def slow_next(self, count: int, seconds: float, status: int = 200) -> None:
        """Sleep ``seconds`` before answering the next ``count`` requests (use > client timeout)."""
        self.push(Behaviour(status=status, delay_s=seconds), count)

    def reset_next(self, count: int) -> None:
        """Reset the TCP connection (RST) instead of answering the next ``count`` requests."""
        self.push(Behaviour(reset=True), count)

    def next_behaviour(self) -> Behaviour:
        """Pop the next one-shot step, or return the default behaviour."""
        with self._lock:
            return self._script.popleft() if self._script else self._default

    def apply_control(self, spec: dict[str, Any]) -> None:
        """Apply a JSON control command (see the module docstring)."""
        if spec.get("ok"):
            self.respond_ok()
            return
        if "default" in spec:
            self.set_default(_behaviour_from(spec["default"]))
            return
        if spec.get("clear_records"):
            self.clear()
            return
        self.push(_behaviour_from(spec), int(spec.get("count", 1)))

    # records ---------------------------------------------------------------------------
    def record(self, handler: BaseHTTPRequestHandler, body: bytes, behaviour: Behaviour) -> Record:
        """Append a record for one request (called by the handler before it answers)."""
        with self._lock:
            rec = Record(
                seq=len(self._records),
                path=handler.path,
                idempotency_key=handler.headers.get("Idempotency-Key"),
                message_id=handler.headers.get("X-Ketenpoort-Message-Id"),
                content_type=handler.headers.get("Content-Type"),
                body_sha256=hashlib.sha256(body).hexdigest(),
                body_len=len(body),
                status=None if behaviour.reset else behaviour.status,
                received_at=time.monotonic(),
            )
            self._records.append(rec)
        if self._sink is not None:
            self._sink.write(json.dumps(rec.to_json()) + "\n")
            self._sink.flush()
        return rec

    def mark_answered(self, rec: Record) -> None:
        """Note that the response for ``rec`` was written to the socket."""
        with self._lock:
            self._records[rec.seq] = Record(**{**asdict(rec), "answered": True})

    @property
    def records(self) -> list[Record]:
        """A snapshot of every request recorded so far, in arrival order."""
        with self._lock:
            return list(self._records)

    def keys(self) -> list[str | None]:
        """Idempotency-Keys of all requests in arrival order (duplicates included)."""
        return [r.idempotency_key for r in self.records]

    def delivered_keys(self) -> set[str]:
        """Idempotency-Keys the receiver answered with a 2xx status."""
        return {
            r.idempotency_key
            for r in self.records
            if r.idempotency_key is not None and r.status is not None and 200 <= r.status < 300
        }

    def clear(self) -> None:
        """Forget all records (the script is kept)."""
        with self._lock:
            self._records.clear()

    def wait_for(self, predicate: Callable[[list[Record]], bool], timeout: float = 10.0) -> bool:
        """Poll until ``predicate(records)`` holds or ``timeout`` passes; return whether it held."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(self.records):
                return True
            time.sleep(0.01)
        return predicate(self.records)


def _behaviour_from(spec: dict[str, Any]) -> Behaviour:
    """Build a Behaviour from a JSON control object."""
    retry_after = spec.get("retry_after")
    return Behaviour(
        status=int(spec.get("status", 200)),
        delay_s=float(spec.get("delay_s", 0.0)),
        reset=bool(spec.get("reset", False)),
        retry_after=None if retry_after is None else str(retry_after),
    )


@contextlib.contextmanager
def running_receiver(**kwargs: Any) -> Iterator[Receiver]:
    """Context manager yielding a started :class:`Receiver` (kwargs go to its constructor)."""
    rx = Receiver(**kwargs).start()
    try:
        yield rx
    finally:
        rx.stop()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now (for 'dead receiver' tests)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main(argv: list[str] | None = None) -> int:
    """Run a receiver in the foreground until interrupted, printing one JSON line per request."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--status", type=int, default=None, help="answer this for --count requests")
    parser.add_argument("--count", type=int, default=0, help="how many requests get --status")
    parser.add_argument("--jsonl", default=None, help="append records here instead of stdout")
    args = parser.parse_args(argv)
    sink: TextIO = Path(args.jsonl).open("a", encoding="utf-8") if args.jsonl else sys.stdout  # noqa: SIM115
    rx = Receiver(args.host, args.port, sink=sink)
    if args.status is not None:
        if args.count > 0:
            rx.fail_next(args.count, status=args.status)
        else:
            rx.always(args.status)
    print(json.dumps({"listening": rx.url, "port": rx.port}), file=sys.stderr, flush=True)
    rx.start()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        rx.stop()
        if sink is not sys.stdout:
            sink.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
