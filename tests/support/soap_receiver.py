"""A scriptable SOAP 1.1 receiver on loopback that checks every request and answers Bv03, Fo03, 500 or a timeout.

It stands in for a GGk or CORV endpoint in relay tests::

    with SoapReceiver(check=ggk_request_errors) as rx:   # check: the official schemas' verdict
        rx.answer_next(2, "fo03")        # the next two requests get a Fault with a Fo03 (client)
        rx.answer_next(1, "timeout")     # sleep past the client's read timeout
        rx.always("status500")           # from now on: HTTP 500 without a SOAP body
        rx.always("bv03")                # back to Bv03 for everything
        assert rx.invalid() == []        # every request passed ``check``

Answers: ``bv03`` (200 with a StUF Bv03Bericht), ``fo03`` (500 Fault ``soapenv:Client``, Fo03 with
plek client in the detail), ``server_fault`` (500 Fault ``soapenv:Server``, Fo03 with plek
server), ``status500`` (500, plain text) and ``timeout`` (no answer for ``delay_s``).
A request that ``check`` refuses is recorded and answered ``fo03`` whatever the script says,
so a test can never pass on a request the official schemas would refuse. A request whose body
ends before its Content-Length (the client was killed mid-send) is recorded as ``torn``, not judged
and not answered, as any server would drop it.

Records are appended before the answer is written: a record answered ``bv03`` means the
receiver accepted it (``answered`` turns true once the bytes were handed to the socket).
"""

from __future__ import annotations

import collections
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self

from lxml import etree

from gateway.soap import SOAP11_NS, SoapFaultError, envelope, fault, parse_envelope

STUF_NS = "http://www.egem.nl/StUF/StUF0301"
ANSWERS = frozenset({"bv03", "fo03", "server_fault", "status500", "timeout"})

Check = Callable[[etree._Element], list[str]]
"""The body element of a request → the schema errors (empty: valid)."""


@dataclass
class SoapRecord:
    """One request as the receiver saw it."""

    action: str | None
    idempotency_key: str | None
    payload_tag: str | None
    body: bytes
    errors: list[str]
    answer: str
    answered: bool = False
    payload: etree._Element | None = field(default=None, repr=False)
    torn: bool = False
    """The client went away before its body was complete (fewer bytes than Content-Length): not judged."""


def _text(payload: etree._Element, name: str) -> str | None:
    found = payload.find(f".//{{{STUF_NS}}}{name}")
    return None if found is None or found.text is None else found.text.strip()


def _party(parent: etree._Element, tag: str, organisatie: str | None, applicatie: str) -> None:
    party = etree.SubElement(parent, f"{{{STUF_NS}}}{tag}")
    if organisatie:
        etree.SubElement(party, f"{{{STUF_NS}}}organisatie").text = organisatie
    etree.SubElement(party, f"{{{STUF_NS}}}applicatie").text = applicatie


def _stuurgegevens(parent: etree._Element, code: str, request: etree._Element | None) -> None:
    """Stuurgegevens answering ``request``: zender and ontvanger swapped, crossRefnummer its referentienummer."""
    sg = etree.SubElement(parent, f"{{{STUF_NS}}}stuurgegevens")
    etree.SubElement(sg, f"{{{STUF_NS}}}berichtcode").text = code
    zender = request.find(f".//{{{STUF_NS}}}zender") if request is not None else None
    ontvanger = request.find(f".//{{{STUF_NS}}}ontvanger") if request is not None else None
    _party(sg, "zender", _text(ontvanger, "organisatie") if ontvanger is not None else None, "Receiver")
    _party(sg, "ontvanger", _text(zender, "organisatie") if zender is not None else None, "Sender")
    etree.SubElement(sg, f"{{{STUF_NS}}}referentienummer").text = str(uuid.uuid4())
    etree.SubElement(sg, f"{{{STUF_NS}}}tijdstipBericht").text = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    cross = _text(request, "referentienummer") if request is not None else None
    etree.SubElement(sg, f"{{{STUF_NS}}}crossRefnummer").text = cross or "onbekend"


def bv03(request: etree._Element | None) -> bytes:
    """A Bv03Bericht envelope acknowledging ``request``."""
    root = etree.Element(f"{{{STUF_NS}}}Bv03Bericht", nsmap={"StUF": STUF_NS})
    _stuurgegevens(root, "Bv03", request)
    return envelope(root)


def fo03(request: etree._Element | None, *, plek: str, code: str = "StUF055", text: str = "refused") -> bytes:
    """A Fault with a Fo03Bericht in its detail (``soapenv:Client`` for plek client, else Server)."""
    root = etree.Element(f"{{{STUF_NS}}}Fo03Bericht", nsmap={"StUF": STUF_NS})
    _stuurgegevens(root, "Fo03", request)
    body = etree.SubElement(root, f"{{{STUF_NS}}}body")
    etree.SubElement(body, f"{{{STUF_NS}}}code").text = code
    etree.SubElement(body, f"{{{STUF_NS}}}plek").text = plek
    etree.SubElement(body, f"{{{STUF_NS}}}omschrijving").text = text
    return fault("Client" if plek == "client" else "Server", text, root)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stall
    receiver: SoapReceiver

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        rx = self.receiver
        if len(body) < length:  # a client killed between headers and body, as a real server sees it: no request
            rx.record(SoapRecord(self.headers.get("SOAPAction"), self.headers.get("Idempotency-Key"), None, body, [],
                                 "none", torn=True))  # fmt: skip
            self.close_connection = True
            return
        payload: etree._Element | None = None
        try:
            payload = parse_envelope(body, 64 * 1024 * 1024).payload
            errors = rx.check(payload) if rx.check is not None else []
        except SoapFaultError as exc:
            errors = [f"not a SOAP request: {exc.text}"]
        answer = "fo03" if errors else rx.next_answer()
        record = SoapRecord(
            self.headers.get("SOAPAction"),
            self.headers.get("Idempotency-Key"),
            None if payload is None else str(payload.tag),
            body,
            errors,
            answer,
            payload=payload,
        )
        rx.record(record)
        if answer == "timeout":
            rx.stopping.wait(rx.delay_s)
            self.close_connection = True
            return
        if answer == "bv03":
            self._send(200, bv03(payload), "text/xml; charset=utf-8")
        elif answer == "fo03":
            text = "; ".join(errors)[:500] if errors else "refused by script"
            self._send(500, fo03(payload, plek="client", text=text), "text/xml; charset=utf-8")
        elif answer == "server_fault":
            self._send(500, fo03(payload, plek="server", code="StUF058", text="try later"), "text/xml; charset=utf-8")
        else:
            self._send(500, b"internal error", "text/plain")
        record.answered = True

    def _send(self, status: int, body: bytes, ctype: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        del format, args


class SoapReceiver:
    """A threaded SOAP endpoint on 127.0.0.1 with a script of answers (see the module docstring)."""

    def __init__(self, check: Check | None = None, *, delay_s: float = 30.0, path: str = "/soap") -> None:
        """Listen on a free port; ``check`` validates each request's body element."""
        self.check = check
        self.delay_s = delay_s
        self.records: list[SoapRecord] = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._script: collections.deque[str] = collections.deque()
        self._default = "bv03"
        handler = type("Handler", (_Handler,), {"receiver": self})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}{path}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def answer_next(self, count: int, answer: str) -> None:
        """The next ``count`` requests get ``answer``."""
        if answer not in ANSWERS:
            raise ValueError(f"unknown answer {answer!r}")
        with self._lock:
            self._script.extend([answer] * count)

    def always(self, answer: str) -> None:
        """Every request after the scripted ones gets ``answer``; the script is cleared."""
        if answer not in ANSWERS:
            raise ValueError(f"unknown answer {answer!r}")
        with self._lock:
            self._script.clear()
            self._default = answer

    def next_answer(self) -> str:
        """The answer for the request being handled."""
        with self._lock:
            return self._script.popleft() if self._script else self._default

    def record(self, record: SoapRecord) -> None:
        """Keep ``record``."""
        with self._lock:
            self.records.append(record)

    def invalid(self) -> list[SoapRecord]:
        """The requests ``check`` refused."""
        with self._lock:
            return [r for r in self.records if r.errors]

    def accepted_keys(self) -> set[str]:
        """Idempotency-Keys of the requests answered Bv03 (the receiver took them)."""
        with self._lock:
            return {r.idempotency_key for r in self.records if r.answer == "bv03" and r.idempotency_key}

    def stop(self) -> None:
        """Stop serving and wake handlers sleeping on a ``timeout`` answer."""
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> Self:
        """Serve until the block ends."""
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Stop."""
        self.stop()


__all__ = ["ANSWERS", "SOAP11_NS", "Check", "SoapReceiver", "SoapRecord", "bv03", "fo03"]
