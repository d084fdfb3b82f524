"""Relay: route a message to its receiver and deliver it reliably over HTTP.

Public surface::

    routes = load_routes(path, default)            # Routes; RouteConfigError on a bad file
    routes.resolve("0034") -> str | None
    policy = RetryPolicy(base_s, cap_s, max_attempts, max_age_s)
    policy.next_delay(attempt, retry_after, rng) -> float
    policy.exhausted(attempts, first_attempt_at, now) -> bool
    classify(status | exception) -> Outcome
    with Deliverer(routes, policy, ...) as d:
        d.deliver(message_id, receiver, payload, attempt) -> DeliveryResult

Modules: ``routes`` (receiver → URL), ``policy`` (outcomes, backoff), ``breaker`` (per
destination circuit breakers), ``deliver`` (the httpx edge), ``transport`` (its default
transport, over http.client), ``tls`` (trusted roots and our client certificate). Nothing here loops or sleeps;
the relay worker owns the schedule.
"""

from __future__ import annotations

from gateway.relay.breaker import Breakers, BreakerState, CircuitBreaker, destination_of
from gateway.relay.deliver import Deliverer, DeliveryResult
from gateway.relay.policy import (
    Outcome,
    RetryPolicy,
    RetryRequested,
    classify,
    parse_retry_after,
)
from gateway.relay.routes import RouteConfigError, Routes, load_routes
from gateway.relay.tls import TLSConfigError, relay_ssl_context

__all__ = [
    "BreakerState",
    "Breakers",
    "CircuitBreaker",
    "Deliverer",
    "DeliveryResult",
    "Outcome",
    "RetryPolicy",
    "RetryRequested",
    "RouteConfigError",
    "Routes",
    "TLSConfigError",
    "classify",
    "destination_of",
    "load_routes",
    "parse_retry_after",
    "relay_ssl_context",
]
