"""The relay's POST over the standard library's ``http.client``, at about half the CPU of httpx's.

Why: a worker spends its time on CPU, and the POST was a quarter of it. CPU per POST through the
Deliverer on loopback (interleaved, 6 x 800 each, median): httpx's ``HTTPTransport`` (httpcore +
h11) 264 µs, this module's :meth:`StdlibTransport.handle_request` 187, its
:meth:`StdlibTransport.post` 134 (no httpx Request and Response built). The relay needs little of
what httpcore offers: it sends one message held in memory and reads a short answer, over HTTP/1.1.

Two doors to one engine. :meth:`StdlibTransport.post` takes and gives plain values and is what
the Deliverer calls. :meth:`StdlibTransport.handle_request` is the seam httpx documents for custom
transports, for any httpx caller. Any other httpx transport (httpx's own, respx's fake of it)
reaches the Deliverer through :class:`HttpxPoster`. Either way:

* keep-alive, one connection per worker thread and origin (threads never share a connection);
* TLS verified against certifi's roots, as httpx verifies by default, or the context
  :func:`~gateway.relay.tls.relay_ssl_context` builds from the relay's TLS settings;
* httpx's connect, write and read timeouts (for ``handle_request``, the request's ``timeout`` extension);
* a capped response body: a receiver cannot make a worker buffer more than ``max_response_bytes``;
* httpx's exception types (ConnectError, ReadTimeout, RemoteProtocolError, ...), so the relay
  decides retry or permanent exactly as before.

Stale keep-alive: a connection idle longer than ``keepalive_expiry_s``, or one the receiver closed
while it was idle (its socket reads as ready), is replaced before use. A request whose sending
fails on a reused connection goes out once more on a fresh one (the receiver had closed it under
us; the Idempotency-Key makes a repeat harmless). Once a request is out, a failure is the relay's
to retry with backoff, and is recorded as a failed attempt: the receiver may have read it.

Not supported, on purpose: proxies, HTTP/2, redirects, streamed request bodies.
``KETENPOORT_RELAY_TRANSPORT=httpx`` switches the relay back to httpx's transport.
"""

from __future__ import annotations

import http.client
import select
import ssl
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import httpx

from gateway.errors import RelayError
from gateway.ports import Poster
from gateway.relay.tls import relay_ssl_context

MAX_RESPONSE_BYTES = 1024 * 1024
"""A receiver's answer is a status and a short text; the rest of a longer body is not read."""

KEEPALIVE_EXPIRY_S = 4.0
"""An idle connection older than this is closed rather than reused: under the 5 s after which
common servers (uvicorn's default among them) close an idle one, so we rarely race their close."""

_DEFAULT_PORTS = {"http": 80, "https": 443}

Origin = tuple[str, str, int]


Timeouts = Mapping[str, "float | None"]
"""httpx's timeout extension: ``connect``, ``read``, ``write`` (and ``pool``, unused here) in seconds."""


@dataclass(frozen=True, slots=True)
class Answer:
    """What the relay reads of a receiver's answer."""

    status: int
    reason: str
    retry_after: str | None
    body: bytes = b""
    """The answer's body, at most ``max_response_bytes`` of it (channels read a Bv03 or a Fault here)."""
    content_type: str | None = None


class HttpxPoster:
    """Any httpx transport as a :class:`Poster`: httpx's own, or the one respx fakes in unit tests."""

    def __init__(self, transport: httpx.BaseTransport) -> None:
        """Wrap ``transport`` (closed with this poster)."""
        self.transport = transport

    def post(self, url: httpx.URL, body: bytes, headers: Sequence[tuple[str, str]], timeouts: Timeouts) -> Answer:
        """Build the httpx Request, read the whole Response."""
        request = httpx.Request("POST", url, content=body, headers=headers, extensions={"timeout": dict(timeouts)})
        response = self.transport.handle_request(request)
        try:
            response.read()
        finally:
            response.close()
        got = response.headers
        return Answer(
            response.status_code,
            response.reason_phrase,
            got.get("Retry-After"),
            response.content[:MAX_RESPONSE_BYTES],
            got.get("Content-Type"),
        )

    def close(self) -> None:
        """Close the transport."""
        self.transport.close()


@dataclass(frozen=True, slots=True)
class _Received:
    status: int
    reason: str
    message: http.client.HTTPMessage
    content: bytes


class _StaleConnectionError(RelayError):
    """A reused connection failed before the receiver answered: try once more on a fresh one."""


@dataclass(slots=True)
class _Pooled:
    connection: http.client.HTTPConnection
    idle_since: float


class StdlibTransport(httpx.BaseTransport):
    """HTTP/1.1 over ``http.client`` with per-thread keep-alive connections; a :class:`Poster` too."""

    def __init__(
        self,
        *,
        ssl_context: ssl.SSLContext | None = None,
        keepalive_expiry_s: float = KEEPALIVE_EXPIRY_S,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``ssl_context``: for https (default: certifi's roots, host names checked, no client certificate)."""
        self._ssl_context = ssl_context
        self._expiry_s = keepalive_expiry_s
        self._max_response_bytes = max_response_bytes
        self._clock = clock
        self._local = threading.local()
        self._open: set[http.client.HTTPConnection] = set()
        self._open_lock = threading.Lock()

    # ------------------------------------------------------------------------------------
    def post(self, url: httpx.URL, body: bytes, headers: Sequence[tuple[str, str]], timeouts: Timeouts) -> Answer:
        """POST ``body`` with ``headers`` plus Host and Content-Length; the answer (status, headers, capped body)."""
        lines: list[tuple[str | bytes, str | bytes]] = [("Host", url.netloc), *headers]
        lines.append(("Content-Length", str(len(body))))
        outgoing = _Outgoing("POST", url.raw_path.decode("ascii"), lines, body, None)
        got = self._round_trip(_origin(url), outgoing, timeouts)
        message = got.message
        return Answer(got.status, got.reason, message.get("Retry-After"), got.content, message.get("Content-Type"))

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` and read its whole (capped) answer; errors are httpx's exception types."""
        body = request.read()
        timeouts = request.extensions.get("timeout", {})
        raw = request.headers.raw  # httpx set Host and Content-Length already
        outgoing = _Outgoing(request.method, request.url.raw_path.decode("ascii"), raw, body, request)
        got = self._round_trip(_origin(request.url), outgoing, timeouts)
        return httpx.Response(
            got.status,
            headers=got.message.items(),
            stream=httpx.ByteStream(got.content),
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": got.reason.encode("ascii", "replace")},
            request=request,
        )

    def close(self) -> None:
        """Close every connection this transport opened, in every thread."""
        with self._open_lock:
            connections, self._open = self._open, set()
        for connection in connections:
            connection.close()
        self._local = threading.local()

    # ------------------------------------------------------------------------------------
    def _round_trip(self, origin: Origin, outgoing: _Outgoing, timeouts: Timeouts) -> _Received:
        """On this thread's kept connection when it is still good (once more on a fresh one when the
        sending failed on it), else on a fresh one."""
        pooled = self._take(origin)
        if pooled is not None:
            try:
                return self._exchange(origin, pooled, outgoing, timeouts, reused=True)
            except _StaleConnectionError:
                pass  # closed already; a fresh connection follows
        connection = self._connect(origin, timeouts.get("connect"), outgoing.request)
        return self._exchange(origin, connection, outgoing, timeouts, reused=False)

    def _pool(self) -> dict[Origin, _Pooled]:
        pool: dict[Origin, _Pooled] | None = getattr(self._local, "pool", None)
        if pool is None:
            pool = self._local.pool = {}
        return pool

    def _take(self, origin: Origin) -> http.client.HTTPConnection | None:
        """This thread's idle connection to ``origin`` when it is still usable, else None."""
        pooled = self._pool().pop(origin, None)
        if pooled is None:
            return None
        connection = pooled.connection
        if self._clock() - pooled.idle_since > self._expiry_s or _closed_by_peer(connection):
            self._close(connection)
            return None
        return connection

    def _give_back(self, origin: Origin, connection: http.client.HTTPConnection) -> None:
        pool = self._pool()
        old = pool.get(origin)
        if old is not None:  # cannot happen with one request per thread at a time; never leak one
            self._close(old.connection)
        pool[origin] = _Pooled(connection, self._clock())

    def _close(self, connection: http.client.HTTPConnection) -> None:
        with self._open_lock:
            self._open.discard(connection)
        connection.close()

    def _connect(
        self, origin: Origin, timeout: float | None, request: httpx.Request | None
    ) -> http.client.HTTPConnection:
        scheme, host, port = origin
        connection: http.client.HTTPConnection
        if scheme == "https":
            connection = http.client.HTTPSConnection(host, port, timeout=timeout, context=self._context())
        else:
            connection = http.client.HTTPConnection(host, port, timeout=timeout)
        try:
            connection.connect()
        except TimeoutError as exc:
            connection.close()
            raise httpx.ConnectTimeout(f"connect timed out: {exc}", request=request) from exc
        except OSError as exc:  # refused, unreachable, name not known, TLS handshake or certificate
            connection.close()
            raise httpx.ConnectError(str(exc) or type(exc).__name__, request=request) from exc
        with self._open_lock:
            self._open.add(connection)
        return connection

    def _context(self) -> ssl.SSLContext:
        if self._ssl_context is None:
            self._ssl_context = relay_ssl_context()
        return self._ssl_context

    def _exchange(
        self,
        origin: Origin,
        connection: http.client.HTTPConnection,
        outgoing: _Outgoing,
        timeouts: Timeouts,
        *,
        reused: bool,
    ) -> _Received:
        """One request and its answer on ``connection``; it goes back to the pool only when both were whole."""
        try:
            _send(connection, outgoing, timeouts.get("write"), reused=reused)
            received, reusable = self._receive(connection, outgoing.request, timeouts.get("read"))
        except BaseException:
            self._close(connection)
            raise
        if reusable:
            self._give_back(origin, connection)
        else:
            self._close(connection)
        return received

    def _receive(
        self, connection: http.client.HTTPConnection, request: httpx.Request | None, timeout: float | None
    ) -> tuple[_Received, bool]:
        """The answer, and whether the connection may carry another request."""
        sock = connection.sock
        assert sock is not None
        sock.settimeout(timeout)
        with _read_errors(request):
            answer = connection.getresponse()
            content = answer.read(self._max_response_bytes + 1)
        whole = len(content) <= self._max_response_bytes
        if whole and not answer.isclosed():  # read(amt) returns what came before the end of the stream
            raise httpx.RemoteProtocolError(
                "peer closed connection without sending complete message body", request=request
            )
        received = _Received(answer.status, answer.reason, answer.msg, content[: self._max_response_bytes])
        return received, whole and not answer.will_close


@contextmanager
def _read_errors(request: httpx.Request | None) -> Iterator[None]:
    """Reading the answer's errors as httpx's: the relay retries each of them later, never at once."""
    try:
        yield
    except TimeoutError as exc:
        raise httpx.ReadTimeout(f"read timed out: {exc}", request=request) from exc
    except http.client.RemoteDisconnected as exc:  # not sent again: the receiver may have read it
        raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request) from exc
    except http.client.HTTPException as exc:  # a malformed status line or headers, a body cut short
        raise httpx.RemoteProtocolError(f"{type(exc).__name__}: {exc}", request=request) from exc
    except OSError as exc:
        raise httpx.ReadError(str(exc) or type(exc).__name__, request=request) from exc


@dataclass(frozen=True, slots=True)
class _Outgoing:
    method: str
    target: str
    headers: Sequence[tuple[str | bytes, str | bytes]]
    body: bytes
    request: httpx.Request | None
    """The httpx request behind it, for the exceptions (None on the :meth:`StdlibTransport.post` path)."""


def _send(connection: http.client.HTTPConnection, outgoing: _Outgoing, timeout: float | None, *, reused: bool) -> None:
    sock = connection.sock
    assert sock is not None
    sock.settimeout(timeout)
    request = outgoing.request
    try:
        connection.putrequest(outgoing.method, outgoing.target, skip_host=True, skip_accept_encoding=True)
        for name, value in outgoing.headers:
            connection.putheader(name, value)
        connection.endheaders(outgoing.body)
    except TimeoutError as exc:
        raise httpx.WriteTimeout(f"write timed out: {exc}", request=request) from exc
    except ValueError as exc:  # a header http.client refuses (a control character, say)
        raise httpx.LocalProtocolError(str(exc), request=request) from exc
    except OSError as exc:
        if reused:
            raise _StaleConnectionError from exc
        raise httpx.WriteError(str(exc) or type(exc).__name__, request=request) from exc


def _origin(url: httpx.URL) -> Origin:
    scheme = url.scheme
    port = url.port or _DEFAULT_PORTS.get(scheme)
    if port is None:
        raise httpx.UnsupportedProtocol(f"the relay posts over http or https, not {scheme!r}")
    return scheme, url.host, port


def _closed_by_peer(connection: http.client.HTTPConnection) -> bool:
    """An idle keep-alive socket that is readable was closed by the peer (or sent what nobody asked for)."""
    sock = connection.sock
    if sock is None:
        return True
    try:
        if hasattr(select, "poll"):  # no limit on the descriptor's number, unlike select()
            poller = select.poll()
            poller.register(sock, select.POLLIN)
            return bool(poller.poll(0))
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):  # closed under us
        return True
    return bool(readable)


__all__ = ["KEEPALIVE_EXPIRY_S", "MAX_RESPONSE_BYTES", "Answer", "HttpxPoster", "Poster", "StdlibTransport", "Timeouts"]
