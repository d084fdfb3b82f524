"""Relay: route a message to its receiver and deliver it reliably over HTTP.

Public surface::

    routes = load_routes(path, default)            # Routes; RouteConfigError on a bad file
    routes.resolve("0034") -> str | None
    routes.route("0034") -> Route | None           # url, channel, tls, signing, options
    policy = RetryPolicy(base_s, cap_s, max_attempts, max_age_s)
    policy.next_delay(attempt, retry_after, rng) -> float
    policy.exhausted(attempts, first_attempt_at, now) -> bool
    classify(status | exception) -> Outcome
    with Deliverer(routes, policy, ...) as d:
        d.deliver(message_id, receiver, payload, attempt) -> DeliveryResult
        d.deliver_outbound(Outbound(...)) -> DeliveryResult     # a retour, with what the channel needs
    channel_for("ggk") -> Channel; register_channel(channel)

Modules: ``routes`` (receiver → route), ``channel`` (wrap a message for its transport, judge
the answer), ``policy`` (outcomes, backoff), ``breaker`` (per
destination circuit breakers), ``deliver`` (the httpx edge), ``transport`` (its default
transport, over http.client), ``tls`` (trusted roots and our client certificate). Nothing here loops or sleeps;
the relay worker owns the schedule.
"""

from __future__ import annotations

from gateway.relay.breaker import Breakers, BreakerState, CircuitBreaker, destination_of
from gateway.relay.channel import (
    Channel,
    ChannelError,
    Judgement,
    Outbound,
    Wrapped,
    channel_for,
    judge_http,
    judge_stuf,
    register_channel,
)
from gateway.relay.deliver import Deliverer, DeliveryResult
from gateway.relay.policy import (
    Outcome,
    RetryPolicy,
    RetryRequested,
    classify,
    parse_retry_after,
)
from gateway.relay.routes import Route, RouteConfigError, Routes, TlsIdentity, load_routes
from gateway.relay.tls import TLSConfigError, relay_ssl_context

__all__ = [
    "BreakerState",
    "Breakers",
    "Channel",
    "ChannelError",
    "CircuitBreaker",
    "Deliverer",
    "DeliveryResult",
    "Judgement",
    "Outbound",
    "Outcome",
    "RetryPolicy",
    "RetryRequested",
    "Route",
    "RouteConfigError",
    "Routes",
    "TLSConfigError",
    "TlsIdentity",
    "Wrapped",
    "channel_for",
    "classify",
    "destination_of",
    "judge_http",
    "judge_stuf",
    "load_routes",
    "parse_retry_after",
    "register_channel",
    "relay_ssl_context",
]
