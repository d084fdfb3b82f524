"""StdlibTransport against real sockets on loopback: keep-alive, stale connections, every fault.

A scripted server (:mod:`tests.support.scripted_server`) runs one function per connection, so each
test decides what the receiver does byte by byte. HTTPS is tested in test_tls.py.
"""

from __future__ import annotations

import http.client
import socket
import threading

import httpx
import pytest

from gateway.relay import Deliverer, Outcome, RetryPolicy, Routes, classify
from gateway.relay.transport import Answer, StdlibTransport, _closed_by_peer
from tests.support.receiver import free_port
from tests.support.scripted_server import OK, PAYLOAD, TIMEOUTS, post, read_request, scripted, serve_ok


def test_posts_the_exact_bytes_and_headers_and_reads_the_answer() -> None:
    """The request line, Host, Content-Length, our headers and the body go out as given; status,
    reason, headers and body come back."""
    seen: list[bytes] = []

    def session(conn: socket.socket) -> None:
        seen.append(read_request(conn))
        conn.sendall(b"HTTP/1.1 202 Accepted\r\nContent-Length: 5\r\nX-Trace: t-1\r\n\r\nthanks")

    with scripted(session) as server, StdlibTransport() as transport:
        response = post(transport, server.url + "?v=2", **{"Content-Type": "application/xml"})
    assert response.status_code == 202 and response.reason_phrase == "Accepted"
    assert response.headers["X-Trace"] == "t-1" and response.content == b"thanks"[:5]
    head, _, body = seen[0].partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    assert lines[0] == b"POST /ijw?v=2 HTTP/1.1"
    assert f"Host: 127.0.0.1:{server.port}".encode() in lines
    assert f"Content-Length: {len(PAYLOAD)}".encode() in lines
    assert b"Idempotency-Key: m-1" in lines and b"Content-Type: application/xml" in lines
    assert not any(line.lower().startswith(b"accept-encoding") for line in lines)
    assert body == PAYLOAD


def test_post_sends_what_handle_request_sends_and_reads_status_reason_and_retry_after() -> None:
    """The Deliverer's door: the same bytes on the wire as an httpx Request of the same POST, and
    the answer's status, reason and Retry-After (looked up in any case)."""
    seen: list[bytes] = []

    def session(conn: socket.socket) -> None:
        for _ in range(2):
            seen.append(read_request(conn))
            conn.sendall(b"HTTP/1.1 503 Busy Now\r\nretry-after: 30\r\nContent-Length: 0\r\n\r\n")

    headers = [("Content-Type", "application/xml"), ("Idempotency-Key", "m-1")]
    with scripted(session) as server, StdlibTransport() as transport:
        answer = transport.post(httpx.URL(server.url + "?v=2"), PAYLOAD, headers, TIMEOUTS)
        request = httpx.Request(
            "POST", server.url + "?v=2", content=PAYLOAD, headers=headers, extensions={"timeout": TIMEOUTS}
        )
        transport.handle_request(request).read()
    assert answer == Answer(503, "Busy Now", "30")
    assert seen[0] == seen[1]  # byte for byte
    assert seen[0].startswith(b"POST /ijw?v=2 HTTP/1.1\r\n") and seen[0].endswith(b"\r\n\r\n" + PAYLOAD)
    assert server.connections == 1


def test_post_errors_are_httpx_errors_without_a_request() -> None:
    """On the post() door there is no httpx Request; the errors still classify as before."""
    with StdlibTransport() as transport, pytest.raises(httpx.ConnectError) as caught:
        transport.post(httpx.URL(f"http://127.0.0.1:{free_port()}/ijw"), PAYLOAD, [], TIMEOUTS)
    assert classify(caught.value) is Outcome.RETRY


def test_keeps_the_connection_alive_between_requests() -> None:
    """Three requests from one thread share one TCP connection."""
    with scripted(serve_ok(3)) as server, StdlibTransport() as transport:
        statuses = [post(transport, server.url).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    assert server.connections == 1 and len(server.requests) == 3


def test_threads_do_not_share_a_connection() -> None:
    """Each worker thread has its own connection: no request waits for another thread's answer."""
    barrier = threading.Barrier(2)

    def session(conn: socket.socket) -> None:
        read_request(conn)
        barrier.wait(timeout=5)  # both requests are in flight at once, on two connections
        conn.sendall(OK)

    results: list[int] = []
    with scripted(session) as server, StdlibTransport() as transport:
        threads = [
            threading.Thread(target=lambda: results.append(post(transport, server.url).status_code)) for _ in "ab"
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
    assert results == [200, 200] and server.connections == 2


def test_a_connection_the_receiver_closed_while_idle_is_replaced() -> None:
    """The receiver answers once and closes; the next request goes out on a fresh connection and
    arrives (nothing is sent into the closed one, so nothing fails)."""
    closed = threading.Event()

    def once_then_close(conn: socket.socket) -> None:
        read_request(conn)
        conn.sendall(OK)
        conn.close()
        closed.set()

    with scripted(once_then_close, serve_ok(1)) as server, StdlibTransport() as transport:
        first = post(transport, server.url)
        assert closed.wait(5)
        threading.Event().wait(0.05)  # the FIN reaches our socket
        second = post(transport, server.url)
    assert (first.status_code, second.status_code) == (200, 200)
    assert server.connections == 2 and len(server.requests) == 2


def test_an_idle_connection_reads_as_closed_once_the_receiver_closed_it() -> None:
    """The check before reuse: an open idle connection is usable; after the peer's FIN it is not.
    (The send of a request's body into a closed connection fails too, which the test above also
    survives; this check keeps the request from being written into it at all.)"""
    release = threading.Event()

    def answer_then_close_on_cue(conn: socket.socket) -> None:
        read_request(conn)
        conn.sendall(OK)
        release.wait(5)

    with scripted(answer_then_close_on_cue) as server:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=2)
        connection.request("POST", "/", body=b"x")
        connection.getresponse().read()
        assert not _closed_by_peer(connection)
        release.set()
        deadline = threading.Event()
        for _ in range(100):  # until the FIN arrives
            if _closed_by_peer(connection):
                break
            deadline.wait(0.01)
        assert _closed_by_peer(connection)
        connection.close()
        assert _closed_by_peer(connection)  # no socket at all


def test_an_idle_connection_past_its_expiry_is_not_reused() -> None:
    """An idle connection older than keepalive_expiry_s is closed; the request opens a new one."""
    now = [0.0]
    with scripted(serve_ok(5)) as server, StdlibTransport(clock=lambda: now[0], keepalive_expiry_s=4.0) as transport:
        post(transport, server.url)
        now[0] = 3.9
        post(transport, server.url)  # within the expiry: same connection
        now[0] = 8.0
        post(transport, server.url)
    assert server.connections == 2 and len(server.requests) == 3


def test_connection_close_in_the_answer_is_honoured() -> None:
    """A receiver that answers ``Connection: close`` gets each request on a new connection."""

    def session(conn: socket.socket) -> None:
        read_request(conn)
        conn.sendall(b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")

    with scripted(session) as server, StdlibTransport() as transport:
        assert [post(transport, server.url).status_code for _ in range(2)] == [200, 200]
    assert server.connections == 2


def test_refused_connection_is_a_connect_error() -> None:
    """Nothing listening: ConnectError, which the relay retries."""
    with StdlibTransport() as transport, pytest.raises(httpx.ConnectError) as caught:
        post(transport, f"http://127.0.0.1:{free_port()}/ijw")
    assert classify(caught.value) is Outcome.RETRY


def test_a_receiver_that_never_answers_is_a_read_timeout() -> None:
    """The request is read but no answer comes: ReadTimeout after the read timeout, and the
    connection is not reused."""
    release = threading.Event()

    def hang(conn: socket.socket) -> None:
        read_request(conn)
        release.wait(10)

    with scripted(hang, serve_ok(1)) as server, StdlibTransport() as transport:
        with pytest.raises(httpx.ReadTimeout):
            post(transport, server.url)
        release.set()
        assert post(transport, server.url).status_code == 200
    assert server.connections == 2


def test_a_reset_after_the_request_is_not_sent_again() -> None:
    """The receiver reads the request and resets the connection: one request seen, a transport
    error raised (the relay records a failed attempt and retries with backoff)."""

    def reset(conn: socket.socket) -> None:
        read_request(conn)
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")

    with scripted(reset) as server, StdlibTransport() as transport, pytest.raises(httpx.TransportError) as caught:
        post(transport, server.url)
    assert classify(caught.value) is Outcome.RETRY
    assert len(server.requests) == 1


def test_a_reset_on_a_reused_connection_is_not_sent_again() -> None:
    """Answered once, then reset on the second request: the second is not repeated behind the
    relay's back, since the receiver read it."""

    def once_then_reset(conn: socket.socket) -> None:
        read_request(conn)
        conn.sendall(OK)
        read_request(conn)
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")

    with scripted(once_then_reset, serve_ok(5)) as server, StdlibTransport() as transport:
        assert post(transport, server.url).status_code == 200
        with pytest.raises(httpx.TransportError):
            post(transport, server.url)
    assert len(server.requests) == 2 and server.connections == 1


@pytest.mark.parametrize(
    "answer",
    [
        b"SMTP ready\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
        b"HTTP/1.1 200 OK\r\n" + b"X-Long: " + b"a" * 70_000 + b"\r\n\r\n",
    ],
    ids=["not-http", "body-cut-short", "header-too-long"],
)
def test_malformed_answers_are_protocol_errors(answer: bytes) -> None:
    """Garbage, a truncated body or an endless header line: RemoteProtocolError, retried by the relay."""

    def session(conn: socket.socket) -> None:
        read_request(conn)
        conn.sendall(answer)
        conn.shutdown(socket.SHUT_WR)

    with (
        scripted(session) as server,
        StdlibTransport() as transport,
        pytest.raises(httpx.RemoteProtocolError) as caught,
    ):
        post(transport, server.url)
    assert classify(caught.value) is Outcome.RETRY


def test_a_long_answer_is_cut_at_the_cap_and_the_connection_dropped() -> None:
    """A receiver cannot make the worker buffer more than max_response_bytes."""
    big = b"x" * 5000

    def session(conn: socket.socket) -> None:
        while read_request(conn):
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(big) + big)

    with scripted(session) as server, StdlibTransport(max_response_bytes=1000) as transport:
        first = post(transport, server.url)
        second = post(transport, server.url)
    assert first.status_code == 200 and first.content == big[:1000]
    assert second.status_code == 200 and server.connections == 2


def test_chunked_answers_are_read_whole_and_the_connection_kept() -> None:
    def session(conn: socket.socket) -> None:
        while read_request(conn):
            conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n")

    with scripted(session) as server, StdlibTransport() as transport:
        responses = [post(transport, server.url) for _ in range(2)]
    assert [r.content for r in responses] == [b"ok", b"ok"] and server.connections == 1


def test_a_header_value_with_a_line_break_is_refused_before_sending() -> None:
    """Header injection never reaches the wire: httpx lets the value through, http.client refuses
    it, and the relay sees a permanent LocalProtocolError."""
    with (
        scripted(serve_ok(1)) as server,
        StdlibTransport() as transport,
        pytest.raises(httpx.LocalProtocolError) as caught,
    ):
        post(transport, server.url, **{"X-Bad": "a\r\nInjected: 1"})
    assert classify(caught.value) is Outcome.PERMANENT
    assert server.requests == []


def test_a_scheme_other_than_http_is_permanent() -> None:
    with StdlibTransport() as transport, pytest.raises(httpx.UnsupportedProtocol) as caught:
        post(transport, "ftp://127.0.0.1/ijw")
    assert classify(caught.value) is Outcome.PERMANENT


def test_close_closes_every_threads_connections() -> None:
    """After close() the receiver sees each kept-alive connection end."""
    ended = threading.Event()

    def session(conn: socket.socket) -> None:
        read_request(conn)
        conn.sendall(OK)
        if not conn.recv(1):  # end of stream: the transport closed it
            ended.set()

    with scripted(session) as server:
        transport = StdlibTransport()
        post(transport, server.url)
        transport.close()
        assert ended.wait(5)


# -- through the Deliverer ------------------------------------------------------------------


def test_the_deliverer_uses_it_by_default_and_classifies_its_answers() -> None:
    """Deliverer's default transport: 503 asks for a retry, 200 delivers, on one connection."""

    def session(conn: socket.socket) -> None:
        read_request(conn)
        conn.sendall(b"HTTP/1.1 503 Busy\r\nRetry-After: 7\r\nContent-Length: 0\r\n\r\n")
        read_request(conn)
        conn.sendall(OK)

    with scripted(session) as server:
        deliverer = Deliverer(Routes({"0034": server.url}), RetryPolicy(base_s=0.5, cap_s=60.0))
        assert isinstance(deliverer._poster, StdlibTransport)
        with deliverer:
            busy = deliverer.deliver("m-1", "0034", PAYLOAD, 1)
            done = deliverer.deliver("m-1", "0034", PAYLOAD, 2)
    assert busy.outcome is Outcome.RETRY and busy.error == "HTTP 503 Busy" and busy.retry_delay_s == 7.0
    assert done.outcome is Outcome.DELIVERED and server.connections == 1
