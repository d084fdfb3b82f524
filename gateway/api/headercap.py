"""A 64 KiB cap on a request's head (request line and headers), answered with 431, under either HTTP parser.

uvicorn leaves header size to the parser: h11 stops at ``h11_max_incomplete_event_size`` (with a
400), httptools, the parser uvicorn picks when it is installed, not at all: a 100 MB header was
read for 19 s (+162 MB) before the request was even routed. The protocol classes here count the
bytes of each request's head as they arrive, before the parser sees them, and close the
connection with a 431 once a head passes :data:`MAX_HEAD_BYTES`. Pass one to uvicorn as ``http=``
(:func:`protocol_class`).
"""

from __future__ import annotations

import importlib.util
import json
from typing import Any, Literal

import h11
import structlog
from uvicorn.protocols.http.h11_impl import H11Protocol

log = structlog.get_logger("gateway.api")

MAX_HEAD_BYTES = 64 * 1024
"""Request line plus headers, in total; the largest legitimate head (a token, cookies) is a few KiB."""

_END = b"\r\n\r\n"


class HeadMeter:
    """Counts the bytes of one request head across chunks, up to and including its blank line."""

    def __init__(self, limit: int = MAX_HEAD_BYTES) -> None:
        """A meter at the start of a head."""
        self.limit = limit
        self.seen = 0
        self._tail = b""
        self.counting = True

    def restart(self) -> None:
        """The next bytes begin a new head."""
        self.seen, self._tail, self.counting = 0, b"", True

    def stop(self) -> None:
        """The head is complete (the parser says so): what follows is body."""
        self.counting = False

    def over(self, data: bytes) -> bool:
        """Count ``data``; True once the head has passed the limit."""
        if not self.counting:
            return False
        window = self._tail + data
        end = window.find(_END)
        if end >= 0:
            self.seen += end + len(_END) - len(self._tail)
            self.counting = False
        else:
            self.seen += len(data)
            self._tail = window[-(len(_END) - 1) :]
        return self.seen > self.limit


def _refusal(limit: int) -> bytes:
    body = json.dumps({"error": "header_too_large", "message": f"request headers over {limit} bytes"}).encode()
    return (
        b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: application/json\r\n"
        b"content-length: " + str(len(body)).encode() + b"\r\nconnection: close\r\n\r\n" + body
    )


def _refuse(protocol: Any, meter: HeadMeter) -> None:
    """Answer 431 (unless a response is still being written on this connection) and close it."""
    cycle = protocol.cycle
    if cycle is None or cycle.response_complete:
        protocol.transport.write(_refusal(meter.limit))
    log.warning("http.header_too_large", head_bytes=meter.seen, limit=meter.limit)
    protocol.transport.close()


class CappedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with the head cap (431 rather than h11's own 400)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """As uvicorn's, plus a head meter."""
        super().__init__(*args, **kwargs)
        # h11's own limit (default 16 KiB) would answer 400 first; it stays as a backstop behind the cap
        self.conn = h11.Connection(h11.SERVER, max(2 * MAX_HEAD_BYTES, self.conn._max_incomplete_event_size))
        self._meter = HeadMeter()
        self._in_body = False
        self._refused = False

    def data_received(self, data: bytes) -> None:
        """Count head bytes before h11 buffers them."""
        if self._refused:
            return
        waiting_for_head = self.conn.their_state in (h11.IDLE, h11.DONE)
        if not waiting_for_head:
            self._in_body = True
        elif self._in_body:  # the previous request is over: this is the next one's head
            self._in_body = False
            self._meter.restart()
        if waiting_for_head and self._meter.over(data):
            self._refused = True
            _refuse(self, self._meter)
            return
        super().data_received(data)


def _httptools_class() -> type[Any] | None:
    if importlib.util.find_spec("httptools") is None:
        return None
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol  # optional parser

    class CappedHttpToolsProtocol(HttpToolsProtocol):
        """uvicorn's httptools protocol with the head cap (httptools itself has none)."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            """As uvicorn's, plus a head meter."""
            super().__init__(*args, **kwargs)
            self._meter = HeadMeter()
            self._refused = False

        def data_received(self, data: bytes) -> None:
            """Count head bytes before httptools buffers them."""
            if self._refused:
                return
            if self._meter.over(data):
                self._refused = True
                _refuse(self, self._meter)
                return
            super().data_received(data)

        def on_headers_complete(self) -> None:
            """The head is in; stop counting."""
            self._meter.stop()
            super().on_headers_complete()

        def on_message_complete(self) -> None:
            """What follows this request is the next one's head."""
            self._meter.restart()
            super().on_message_complete()

    return CappedHttpToolsProtocol


_HTTPTOOLS = _httptools_class()

Parser = Literal["auto", "httptools", "h11"]


def protocol_class(parser: Parser = "auto") -> type[Any]:
    """The capped protocol for ``parser``; ``auto`` takes httptools when installed, as uvicorn does."""
    if parser == "h11" or (parser == "auto" and _HTTPTOOLS is None):
        return CappedH11Protocol
    if _HTTPTOOLS is None:
        raise ValueError("httptools is not installed")
    return _HTTPTOOLS


__all__ = ["MAX_HEAD_BYTES", "CappedH11Protocol", "HeadMeter", "Parser", "protocol_class"]
