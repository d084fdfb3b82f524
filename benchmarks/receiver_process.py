"""The benchmark's loopback receiver: a lean HTTP/1.1 endpoint in a process of its own.

It stands in for a partner's endpoint, which in production runs on someone else's machine. Two
things kept it from doing so faithfully when it was :class:`workers.receiver.DemoReceiver` inside
the benchmark's own process:

* it shared a GIL with the intake, so a worker's POST waited for the intake thread to give up the
  interpreter (up to the 5 ms switch interval) before it was answered, and the workers sat idle;
* ``http.server`` parses every request's headers with the ``email`` package, ~0.16 ms of CPU per
  request taken from the two cores the gateway is measured on.

This one answers from asyncio with httptools (llhttp, the parser uvicorn uses; installed with
``uvicorn[standard]``): 200 with an empty body, keep-alive, pipelining allowed. It shares only the
CPU with the gateway, and reports how much it used, so the benchmark can show it.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import subprocess
import sys
import time
from types import TracebackType
from typing import Self

import httptools

_OK = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
ANSWER_FILE_ENV = "KP_BENCH_ANSWER_FILE"
"""When set, the child answers every request with this file's bytes as a text/xml body (a SOAP Bv03, say)."""


def _answer() -> bytes:
    path = os.environ.get(ANSWER_FILE_ENV)
    if not path:
        return _OK
    with open(path, "rb") as fh:  # noqa: PTH123 - the child imports nothing it does not need
        body = fh.read()
    head = f"HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: {len(body)}\r\n\r\n"
    return head.encode("ascii") + body


class _Protocol(asyncio.Protocol):
    """One connection: parse requests as bytes arrive, answer each when its body is complete."""

    def __init__(self, first_seen: dict[str, float], answer: bytes = _OK) -> None:
        self._first_seen = first_seen
        self._answer = answer
        self._parser = httptools.HttpRequestParser(self)
        self._transport: asyncio.Transport | None = None
        self._key: str | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError:
            if self._transport is not None:
                self._transport.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                self._transport.close()

    # httptools callbacks
    def on_header(self, name: bytes, value: bytes) -> None:
        if name.lower() == b"idempotency-key":
            self._key = value.decode("ascii", "replace")

    def on_message_complete(self) -> None:
        key, self._key = self._key, None
        if key is not None and key not in self._first_seen:
            self._first_seen[key] = time.time()
        if self._transport is not None:
            self._transport.write(self._answer)


async def _serve_until_stopped(first_seen: dict[str, float]) -> None:
    loop = asyncio.get_running_loop()
    answer = _answer()
    server = await loop.create_server(lambda: _Protocol(first_seen, answer), "127.0.0.1", 0)
    host, port = server.sockets[0].getsockname()[:2]
    print(f"http://{host}:{port}/berichten", flush=True)
    stopped = asyncio.Event()
    loop.add_reader(sys.stdin.fileno(), stopped.set)  # the parent writes a line (or closes the pipe)
    await stopped.wait()
    server.close()


def serve() -> None:
    """Child: print the URL, serve until stdin has a line, then print what was seen and the CPU it took."""
    first_seen: dict[str, float] = {}
    asyncio.run(_serve_until_stopped(first_seen))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"first_seen": first_seen, "cpu_s": usage.ru_utime + usage.ru_stime}), flush=True)


class ReceiverProcess:
    """The receiver in a child process; ``first_seen`` and ``cpu_s`` are filled when it stops."""

    def __init__(self, answer_file: str | None = None) -> None:
        """Nothing runs until entered; ``answer_file``: the body of every answer (default: an empty 200)."""
        self.answer_file = answer_file
        self._process: subprocess.Popen[str] | None = None
        self.url = ""
        self.first_seen: dict[str, float] = {}
        """Idempotency-Key → wall-clock time of its first request (after :meth:`stop`)."""
        self.cpu_s = 0.0
        """CPU seconds the receiver process used, start-up included (after :meth:`stop`)."""

    def start(self) -> Self:
        """Start the child (a plain interpreter on this file: nothing of the benchmark is imported) and read its URL."""
        env = {**os.environ, ANSWER_FILE_ENV: self.answer_file} if self.answer_file else None
        self._process = subprocess.Popen(
            [sys.executable, __file__], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
        )
        assert self._process.stdout is not None
        self.url = self._process.stdout.readline().strip()
        if not self.url:
            raise RuntimeError(f"the receiver did not start (exit code {self._process.wait(10)})")
        return self

    def stop(self) -> None:
        """Stop the child and collect what it saw (once)."""
        process, self._process = self._process, None
        if process is None:
            return
        report, _ = process.communicate("stop\n", timeout=30)
        seen = json.loads(report)
        self.first_seen, self.cpu_s = seen["first_seen"], seen["cpu_s"]

    def __enter__(self) -> Self:
        """Start on entry."""
        return self.start()

    def __exit__(self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        """Stop on exit."""
        self.stop()


__all__ = ["ReceiverProcess"]


if __name__ == "__main__":
    serve()
