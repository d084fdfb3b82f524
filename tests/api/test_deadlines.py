"""Slow and oversized requests against a real uvicorn server on loopback, under both HTTP parsers.

A body that drips in is cut off by the total deadline (408) on every route, the anonymous login
included; a head over 64 KiB is refused with 431 before it is buffered; a client that hangs up
mid-body is logged as such (499), never as a server error.
"""

from __future__ import annotations

import io
import json
import logging
import select
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
import uvicorn

from gateway.api import create_app
from gateway.api.headercap import MAX_HEAD_BYTES, HeadMeter, Parser, protocol_class
from gateway.config import Settings
from gateway.store.memory import MemoryStore
from tests.api.conftest import Tokens
from tests.api.support import all_messages, free_port

PARSERS: list[Parser] = ["httptools", "h11"]
GUARD_S = 60.0
"""Hang guard only: a test that waits this long has failed anyway."""


@contextmanager
def live_server(settings: Settings, store: MemoryStore, parser: Parser) -> Iterator[tuple[str, int]]:
    """The app under uvicorn with the capped protocol for ``parser``; short body timeouts."""
    app = create_app(settings.model_copy(update={"body_deadline_s": 1.5}), store=store, body_timeout_s=1.0)
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, lifespan="off", log_config=None, http=protocol_class(parser)
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        yield "127.0.0.1", port
    finally:
        server.should_exit = True
        thread.join()


def _drip(address: tuple[str, int], head: str, total: int) -> tuple[bytes, int]:
    """Send ``head`` then one body byte every 0.1 s until the server answers; its answer and the bytes sent."""
    with socket.create_connection(address) as sock:
        sock.sendall(head.encode())
        sent = 0
        started = time.monotonic()
        while sent < total and time.monotonic() - started < GUARD_S:
            if select.select([sock], [], [], 0.1)[0]:
                return sock.recv(65536), sent
            sock.sendall(b"a")
            sent += 1
        raise AssertionError(f"no answer after {sent} of {total} bytes")


@pytest.mark.parametrize("parser", PARSERS)
def test_a_body_that_keeps_dripping_is_cut_off_by_the_total_deadline(
    settings: Settings, memory_store: MemoryStore, tokens: Tokens, parser: Parser
) -> None:
    """Each byte arrives well within the chunk timeout, yet the request ends in 408 at the deadline, storing nothing."""
    with live_server(settings, memory_store, parser) as address:
        head = (
            f"POST /v1/berichten HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {tokens.a}\r\n"
            "Content-Type: application/xml\r\nContent-Length: 5000\r\n\r\n"
        )
        reply, sent = _drip(address, head, 5000)
        assert reply.startswith(b"HTTP/1.1 408"), reply[:200]
        assert json.loads(reply.split(b"\r\n\r\n", 1)[1])["message"] == "request body not complete in time"
        assert sent < 5000
        assert httpx.get(f"http://{address[0]}:{address[1]}/healthz").status_code == 200
    assert all_messages(memory_store) == []


@pytest.mark.parametrize("parser", PARSERS)
def test_the_anonymous_login_form_has_the_same_deadline(
    settings: Settings, memory_store: MemoryStore, parser: Parser
) -> None:
    """POST /dashboard/login, dripping its form without a token, is answered 408 rather than held open."""
    with live_server(settings, memory_store, parser) as address:
        head = (
            "POST /dashboard/login HTTP/1.1\r\nHost: x\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 5000\r\n\r\ntoken="
        )
        reply, _ = _drip(address, head, 5000)
        assert reply.startswith(b"HTTP/1.1 408"), reply[:200]


def _send_head(address: tuple[str, int], head: bytes, piece: int = 16 * 1024) -> bytes:
    """Send ``head`` in pieces, stopping as soon as the server answers; the answer (b"" when closed unanswered)."""
    with socket.create_connection(address) as sock:
        sock.settimeout(GUARD_S)
        for start in range(0, len(head), piece):
            if select.select([sock], [], [], 0)[0]:
                break
            try:
                sock.sendall(head[start : start + piece])
            except (BrokenPipeError, ConnectionResetError):
                break
        try:
            return sock.recv(65536)
        except ConnectionResetError:
            return b""


@pytest.mark.parametrize("parser", PARSERS)
def test_a_giant_header_is_refused_with_431_before_it_is_read(
    settings: Settings, memory_store: MemoryStore, parser: Parser
) -> None:
    """A 4 MiB header, or many small ones over 64 KiB in total, gets 431 after at most a few pieces, not all of it."""
    with live_server(settings, memory_store, parser) as address:
        giant = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (4 * 1024 * 1024) + b"\r\n\r\n"
        reply = _send_head(address, giant)
        assert reply.startswith(b"HTTP/1.1 431"), reply[:200]
        assert b"header_too_large" in reply
        lines = b"".join(b"X-H%d: %s\r\n" % (i, b"b" * 100) for i in range(800))
        many = b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + lines
        assert _send_head(address, many + b"\r\n").startswith(b"HTTP/1.1 431")
        assert httpx.get(f"http://{address[0]}:{address[1]}/healthz").status_code == 200


@pytest.mark.parametrize("parser", PARSERS)
def test_a_large_but_legal_head_and_a_body_in_the_same_packet_are_served(
    settings: Settings, memory_store: MemoryStore, tokens: Tokens, parser: Parser
) -> None:
    """60 KiB of headers pass, and body bytes that follow the head in one write are not counted as head."""
    with live_server(settings, memory_store, parser) as address:
        url = f"http://{address[0]}:{address[1]}"
        with httpx.Client() as client:
            assert client.get(f"{url}/healthz", headers={"X-Pad": "p" * (60 * 1024)}).status_code == 200
            body = b"<a>" + b"x" * (512 * 1024) + b"</a>"  # big body, small head: never a 431
            headers = {"Authorization": f"Bearer {tokens.a}", "Content-Type": "application/xml"}
            answer = client.post(f"{url}/v1/berichten", content=body, headers=headers)
            assert answer.status_code == 202  # read in full and taken in
            assert client.get(f"{url}/healthz", headers={"X-Pad": "q" * (60 * 1024)}).status_code == 200


def test_the_head_meter_counts_only_up_to_the_blank_line_across_chunks() -> None:
    """A head split anywhere, even inside its CRLF CRLF, is counted exactly; the body after it is not."""
    head = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
    for cut in range(1, len(head)):
        meter = HeadMeter(limit=len(head))
        assert not meter.over(head[:cut])
        assert not meter.over(head[cut:] + b"body" * 100)
        assert meter.seen == len(head) and not meter.counting
    assert HeadMeter(limit=MAX_HEAD_BYTES).over(b"a" * (MAX_HEAD_BYTES + 1))


@pytest.mark.parametrize("parser", PARSERS)
def test_a_client_that_hangs_up_mid_body_is_logged_as_such_not_as_a_500(
    settings: Settings,
    memory_store: MemoryStore,
    tokens: Tokens,
    parser: Parser,
    access_log: io.StringIO,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """No ERROR record, no traceback; the access log says 499 and the server goes on serving."""
    caplog.set_level(logging.INFO)
    with live_server(settings, memory_store, parser) as address:
        with socket.create_connection(address) as sock:
            sock.sendall(
                f"POST /v1/berichten HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {tokens.a}\r\n"
                "Content-Type: application/xml\r\nContent-Length: 1000\r\n\r\n<a>".encode()
            )
            time.sleep(0.2)  # the handler is reading the body when the client leaves
        started = time.monotonic()
        while '"status": 499' not in access_log.getvalue() and time.monotonic() - started < GUARD_S:
            time.sleep(0.02)
        assert httpx.get(f"http://{address[0]}:{address[1]}/healthz").status_code == 200
    lines = [json.loads(line) for line in access_log.getvalue().splitlines() if line.startswith("{")]
    assert any(line["event"] == "http.client_disconnected" for line in lines)
    assert [line["status"] for line in lines if line["event"] == "request" and line["route"] == "/v1/berichten"] == [
        499
    ]
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert "Traceback" not in access_log.getvalue() and "ClientDisconnect" not in caplog.text
    assert all_messages(memory_store) == []
