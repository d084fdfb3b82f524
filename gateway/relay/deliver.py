"""Delivery of one message to its receiver over its route's channel: the network edge of the relay.

:class:`Deliverer` owns the routes, the retry policy, the per-destination circuit breakers and
one keep-alive transport per TLS identity (by default
:class:`~gateway.relay.transport.StdlibTransport`): the relay-wide identity from the settings, and
one more for each identity a route names. :meth:`Deliverer.deliver` makes at most one POST and
always returns a :class:`DeliveryResult`; httpx and socket errors are translated here and never
escape. The route's :class:`~gateway.relay.channel.Channel` wraps the message into the request
and judges the answer; whatever the channel, the request carries the ``Idempotency-Key`` (the
message id), and a transport fault is retried. Whether to try again *later* is the caller's
decision (the relay worker), made with ``policy.exhausted``.

Isolation: each destination has its own breaker and its own cap on requests in flight, so a
receiver that hangs ties up at most ``max_in_flight_per_destination`` worker threads for at
most the read timeout, and never the connection pool that other destinations use.
"""

from __future__ import annotations

import random
import ssl
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from types import TracebackType
from typing import TYPE_CHECKING, Self

import httpx
import structlog

from gateway.bsn import scrub
from gateway.ports import Poster
from gateway.relay.breaker import (
    Breakers,
    BreakerState,
    CircuitBreaker,
    Clock,
    destination_of,
)
from gateway.relay.channel import Channel, ChannelError, Outbound, channel_for
from gateway.relay.policy import (
    Outcome,
    RetryPolicy,
    RetryRequested,
    UniformSource,
    classify,
)
from gateway.relay.routes import Route, Routes, TlsIdentity, load_routes
from gateway.relay.tls import relay_ssl_context
from gateway.relay.transport import HttpxPoster, StdlibTransport

if TYPE_CHECKING:
    from gateway.config import Settings

log = structlog.get_logger("gateway.relay")

USER_AGENT = "ketenpoort-relay"


@dataclass(frozen=True)
class DeliveryResult:
    """The outcome of one delivery attempt; ``error`` never contains payload contents."""

    outcome: Outcome
    status_code: int | None = None
    latency_ms: float = 0.0
    retry_delay_s: float | None = None
    error: str | None = None
    destination: str | None = None
    channel: str = "http"

    @property
    def retry(self) -> RetryRequested | None:
        """The typed retry signal for the queue, or None when no retry is asked for."""
        if self.outcome is not Outcome.RETRY or self.retry_delay_s is None:
            return None
        return RetryRequested(self.retry_delay_s, self.error or "retry")


def transport_for(name: str, ssl_context: ssl.SSLContext | None = None) -> httpx.BaseTransport:
    """The relay transport ``KETENPOORT_RELAY_TRANSPORT`` names: ``stdlib`` (default) or ``httpx``.

    ``ssl_context``: for https receivers (default: certifi's roots, no client certificate).
    """
    context = ssl_context if ssl_context is not None else relay_ssl_context()
    if name == "httpx":
        limits = httpx.Limits(max_connections=None, max_keepalive_connections=64)
        return httpx.HTTPTransport(verify=context, limits=limits)
    return StdlibTransport(ssl_context=context)


def _error_text(exc: BaseException) -> str:
    """A short description of a transport error: its type and message, never request content."""
    text = str(exc).strip()
    name = type(exc).__name__
    return f"{name}: {text}"[:300] if text else name


TransportFactory = Callable[[ssl.SSLContext], httpx.BaseTransport]
"""Builds the transport for one TLS identity from its client context."""


def _poster_of(transport: httpx.BaseTransport) -> Poster:
    return transport if isinstance(transport, StdlibTransport) else HttpxPoster(transport)


def _stdlib_factory(context: ssl.SSLContext) -> httpx.BaseTransport:
    return StdlibTransport(ssl_context=context)


class Deliverer:
    """Delivers messages over one shared transport (keep-alive connections) with retries decided by policy."""

    def __init__(
        self,
        routes: Routes,
        policy: RetryPolicy | None = None,
        *,
        connect_timeout_s: float = 2.0,
        read_timeout_s: float = 10.0,
        breaker_failures: int = 5,
        breaker_reset_s: float = 30.0,
        max_in_flight_per_destination: int = 16,
        clock: Clock = time.monotonic,
        rng: UniformSource | None = None,
        transport: httpx.BaseTransport | None = None,
        transport_factory: TransportFactory | None = None,
        channels: Mapping[str, Channel] | None = None,
    ) -> None:
        """Create the transports; ``clock`` drives breakers, ``rng`` the jitter (tests inject both).

        ``transport`` carries the routes without a TLS identity of their own; ``transport_factory``
        builds one for each route that has one (default: the stdlib transport). Each route's
        channel and TLS files are checked here, so a bad routes file fails at start, not at the
        first message. ``channels`` (name → channel) come before the registry's (:func:`channel_for`).
        """
        self.routes = routes
        self.policy = policy if policy is not None else RetryPolicy()
        self.breakers = Breakers(breaker_failures, breaker_reset_s, clock=clock)
        self._rng: UniformSource = rng if rng is not None else random.Random()  # noqa: S311
        self._rng_lock = threading.Lock()
        self._max_in_flight = max_in_flight_per_destination
        self._slots: dict[str, threading.BoundedSemaphore] = {}
        self._slots_lock = threading.Lock()
        timeout = httpx.Timeout(
            connect=connect_timeout_s,
            read=read_timeout_s,
            write=read_timeout_s,
            pool=connect_timeout_s,
        )
        # A transport, not an httpx.Client: no auth, cookies, redirects or hooks to apply, and the
        # Client's layers cost more per POST than the connection pool underneath (~0.15 ms of ~0.5).
        # By default not even httpx's Request and Response: StdlibTransport.post (264 -> 134 µs per POST)
        chosen = transport if transport is not None else StdlibTransport()
        self._poster: Poster = _poster_of(chosen)
        """The http.client transport posts plain values; any other httpx transport gets an adapter."""
        factory = transport_factory if transport_factory is not None else _stdlib_factory
        self._posters: dict[TlsIdentity, Poster] = {}
        """One more transport per TLS identity a route names (its own connections and client certificate)."""
        self._channels: dict[str, Channel] = dict(channels or {})
        for route in routes.all():
            if route.channel not in self._channels:
                self._channels[route.channel] = channel_for(route.channel)
            identity = route.tls
            if identity is not None and identity not in self._posters:
                context = relay_ssl_context(identity.ca_file, identity.client_cert, identity.client_key)
                self._posters[identity] = _poster_of(factory(context))
        self._timeouts = timeout.as_dict()
        self._urls: dict[str, httpx.URL] = {}
        """Route URLs parsed once (httpx parses a string URL on every request, ~40% of building one)."""

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: object) -> Deliverer:
        """Build a Deliverer from KETENPOORT_* settings (routes file, timeouts, retry, breaker, TLS)."""
        routes = load_routes(settings.routes_file, settings.default_route)
        policy = RetryPolicy(
            base_s=settings.retry_base_s,
            cap_s=settings.retry_cap_s,
            max_attempts=settings.retry_max_attempts,
            max_age_s=settings.retry_max_age_s,
        )
        if "transport" not in overrides:
            context = relay_ssl_context(settings.relay_ca_file, settings.relay_client_cert, settings.relay_client_key)
            overrides["transport"] = transport_for(settings.relay_transport, context)
        if "transport_factory" not in overrides:
            name = settings.relay_transport
            overrides["transport_factory"] = lambda context: transport_for(name, context)
        return cls(
            routes,
            policy,
            connect_timeout_s=settings.connect_timeout_s,
            read_timeout_s=settings.read_timeout_s,
            breaker_failures=settings.breaker_failures,
            breaker_reset_s=settings.breaker_reset_s,
            **overrides,  # type: ignore[arg-type]
        )

    # ------------------------------------------------------------------------------------
    def _slot(self, destination: str) -> threading.BoundedSemaphore:
        with self._slots_lock:
            slot = self._slots.get(destination)
            if slot is None:
                slot = threading.BoundedSemaphore(self._max_in_flight)
                self._slots[destination] = slot
            return slot

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        with self._rng_lock:
            return self.policy.next_delay(attempt, retry_after, self._rng)

    def deliver(self, message_id: str, receiver: str, payload: bytes, attempt: int) -> DeliveryResult:
        """POST ``payload`` to the receiver once and classify the answer; never raises on network trouble."""
        return self.deliver_outbound(Outbound(message_id, receiver, payload, attempt))

    def deliver_outbound(self, message: Outbound) -> DeliveryResult:
        """Send ``message`` over its route's channel once and judge the answer; never raises on network trouble."""
        receiver, attempt = message.receiver, message.attempt
        context = {"message_id": message.message_id, "receiver": receiver, "attempt": attempt}  # of each log line
        route = self.routes.route(receiver)
        if route is None:
            log.warning("relay.no_route", **context)
            return DeliveryResult(Outcome.NO_ROUTE, error=f"no route for receiver {receiver!r}")
        url = route.url
        destination = destination_of(url)
        context["destination"] = destination
        context["channel"] = route.channel
        breaker = self.breakers.get(destination)
        wait = breaker.acquire()
        if wait > 0:
            log.info("relay.breaker_open", **context, retry_delay_s=round(wait, 3))
            return DeliveryResult(
                Outcome.RETRY, retry_delay_s=wait, error="circuit open", destination=destination, channel=route.channel
            )
        slot = self._slot(destination)
        if not slot.acquire(blocking=False):
            delay = self._delay(attempt, None)
            log.info("relay.destination_busy", **context, retry_delay_s=round(delay, 3))
            breaker.release_probe()
            return DeliveryResult(
                Outcome.RETRY,
                retry_delay_s=delay,
                error="destination busy",
                destination=destination,
                channel=route.channel,
            )
        try:
            result = self._post(message, route, destination)
        finally:
            slot.release()
        return self._record(breaker, result, context)

    def _channel(self, name: str) -> Channel:
        found = self._channels.get(name)
        if found is None:  # a route built after this Deliverer; looked up once
            found = self._channels[name] = channel_for(name)
        return found

    def _post(self, message: Outbound, route: Route, destination: str) -> DeliveryResult:
        message_id, attempt, name = message.message_id, message.attempt, route.channel
        channel = self._channel(name)
        try:
            wrapped = channel.wrap(message, route)
        except ChannelError as exc:
            return DeliveryResult(Outcome.PERMANENT, None, 0.0, None, scrub(str(exc))[:300], destination, name)
        headers = (
            ("User-Agent", USER_AGENT),
            ("Content-Type", wrapped.content_type),
            ("Idempotency-Key", message_id),
            ("X-Ketenpoort-Message-Id", message_id),
            *wrapped.headers,
        )
        poster = self._poster if route.tls is None else self._posters.get(route.tls, self._poster)
        started = time.perf_counter()
        try:
            target = self._urls.get(route.url)
            if target is None:
                target = self._urls[route.url] = httpx.URL(route.url)
            answer = poster.post(target, wrapped.body, headers, self._timeouts)
        except (httpx.HTTPError, OSError) as exc:
            latency = (time.perf_counter() - started) * 1000.0
            outcome = classify(exc)
            delay = self._delay(attempt, None) if outcome is Outcome.RETRY else None
            return DeliveryResult(outcome, None, latency, delay, _error_text(exc), destination, name)
        latency = (time.perf_counter() - started) * 1000.0
        status = answer.status
        judged = channel.judge(answer, route)
        outcome = judged.outcome
        error = None if judged.error is None else scrub(judged.error)[:500]
        if outcome is Outcome.RETRY:
            delay = self._delay(attempt, judged.retry_after_s)
            return DeliveryResult(outcome, status, latency, delay, error, destination, name)
        return DeliveryResult(outcome, status, latency, None, error, destination, name)

    def _record(
        self,
        breaker: CircuitBreaker,
        result: DeliveryResult,
        context: dict[str, object],
    ) -> DeliveryResult:
        """Tell the breaker how the attempt went; a failure that leaves it open sits out the next probe.

        The messages the open breaker turns away are due again when it lets a probe through. Were the
        message whose attempt failed due then too, it would often be that probe again, and one message
        would take every failure of an outage until its budget ran out. So it waits one reset period
        longer, and the probes rotate over the waiting messages.
        """
        fields = {
            "outcome": result.outcome.value,
            "status_code": result.status_code,
            "latency_ms": round(result.latency_ms, 2),
        }
        if result.outcome is Outcome.RETRY:
            state = breaker.record_failure()
            if state is BreakerState.OPEN and result.retry_delay_s is not None:
                after_next_probe = breaker.open_for() + breaker.reset_timeout_s
                result = replace(result, retry_delay_s=max(result.retry_delay_s, after_next_probe))
            log.info("relay.attempt", **context, **fields, retry_delay_s=result.retry_delay_s, error=result.error)
            if state is BreakerState.OPEN:
                log.warning("relay.breaker_opened", **context, failures=breaker.failures)
        else:
            previous = breaker.record_success()
            log.info("relay.attempt", **context, **fields, error=result.error)
            if previous is not BreakerState.CLOSED:
                log.info("relay.breaker_closed", **context)
        return result

    # ------------------------------------------------------------------------------------
    def close(self) -> None:
        """Close the pooled connections of every transport."""
        self._poster.close()
        for poster in self._posters.values():
            poster.close()

    def __enter__(self) -> Self:
        """Use the Deliverer as a context manager that closes its client on exit."""
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Close the client."""
        self.close()


__all__ = ["Deliverer", "DeliveryResult", "transport_for"]
