"""Deliverer against respx-faked HTTP: headers, every status class, Retry-After, transport faults.

respx fakes httpx's own transport (at httpcore), so these Deliverers use it; the same decisions
are made over both real transports (the default one over http.client, and httpx's) against a
loopback receiver in test_deliver_transports.py, and the http.client transport's own faults in
test_transport.py.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
import respx
from structlog.testing import capture_logs

from gateway.relay import Deliverer, Outcome, RetryPolicy, Routes
from gateway.relay.deliver import transport_for
from tests.support.clock import FakeClock

URL = "http://almere.test/ijw"
PAYLOAD = b"<Bericht><Client><Bsn>123456782</Bsn></Client></Bericht>"


@pytest.fixture
def clock() -> FakeClock:
    """A controllable clock for the breakers."""
    return FakeClock()


@pytest.fixture
def deliverer(clock: FakeClock) -> Iterator[Deliverer]:
    """A Deliverer routing 0034 to URL, with seeded jitter and a fake breaker clock."""
    routes = Routes({"0034": URL, "0363": "http://amsterdam.test/ijw"})
    policy = RetryPolicy(base_s=1.0, cap_s=60.0, max_attempts=5, max_age_s=3600.0)
    with Deliverer(
        routes,
        policy,
        breaker_failures=3,
        breaker_reset_s=30.0,
        clock=clock,
        rng=random.Random(7),
        transport=transport_for("httpx"),
    ) as d:
        yield d


@respx.mock
def test_posts_original_bytes_with_idempotency_headers(deliverer: Deliverer) -> None:
    """The exact payload bytes go out as application/xml with the message id as Idempotency-Key."""
    route = respx.post(URL).mock(return_value=httpx.Response(202))
    result = deliverer.deliver("msg-1", "0034", PAYLOAD, attempt=1)
    assert result.outcome is Outcome.DELIVERED
    assert result.status_code == 202
    assert result.retry_delay_s is None and result.error is None and result.retry is None
    assert result.latency_ms >= 0.0
    request = route.calls.last.request
    assert request.content == PAYLOAD
    assert request.headers["Content-Type"] == "application/xml"
    assert request.headers["Idempotency-Key"] == "msg-1"
    assert request.headers["X-Ketenpoort-Message-Id"] == "msg-1"


@respx.mock
@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_retryable_statuses_ask_for_a_bounded_delay(deliverer: Deliverer, status: int) -> None:
    """Retryable statuses give RETRY with a delay inside the policy's jitter window."""
    respx.post(URL).mock(return_value=httpx.Response(status))
    result = deliverer.deliver("msg-1", "0034", PAYLOAD, attempt=3)
    assert result.outcome is Outcome.RETRY
    assert result.status_code == status
    assert result.retry_delay_s is not None and 0.0 <= result.retry_delay_s <= 4.0
    assert result.retry is not None and result.retry.reason.startswith(f"HTTP {status}")


@respx.mock
@pytest.mark.parametrize("status", [301, 400, 401, 403, 404, 409, 413, 422])
def test_other_statuses_are_permanent_without_delay(deliverer: Deliverer, status: int) -> None:
    """Other 4xx (and redirects) are permanent and carry no retry delay."""
    respx.post(URL).mock(return_value=httpx.Response(status, content=PAYLOAD))
    result = deliverer.deliver("msg-1", "0034", PAYLOAD, attempt=1)
    assert result.outcome is Outcome.PERMANENT
    assert result.retry_delay_s is None
    assert result.error is not None and "Bsn" not in result.error


@respx.mock
def test_retry_after_seconds_is_honoured(deliverer: Deliverer) -> None:
    """A Retry-After in seconds is a lower bound on the delay."""
    respx.post(URL).mock(return_value=httpx.Response(429, headers={"Retry-After": "45"}))
    result = deliverer.deliver("msg-1", "0034", PAYLOAD, attempt=1)
    assert result.retry_delay_s is not None and result.retry_delay_s >= 45.0


@respx.mock
def test_retry_after_http_date_is_honoured_and_capped(deliverer: Deliverer) -> None:
    """A Retry-After HTTP-date far away is honoured up to cap_s (60 s here)."""
    later = format_datetime(datetime.now(UTC) + timedelta(hours=2), usegmt=True)
    respx.post(URL).mock(return_value=httpx.Response(503, headers={"Retry-After": later}))
    result = deliverer.deliver("msg-1", "0034", PAYLOAD, attempt=1)
    assert result.retry_delay_s == 60.0


@respx.mock
@pytest.mark.parametrize(
    "exc",
    [
        httpx.ConnectTimeout("connect timed out"),
        httpx.ReadTimeout("read timed out"),
        httpx.ConnectError("[Errno 111] Connection refused"),
        httpx.ReadError("[Errno 104] Connection reset by peer"),
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
    ],
)
def test_transport_errors_become_retry_not_exceptions(deliverer: Deliverer, exc: Exception) -> None:
    """Timeouts, refused connections and resets are translated to RETRY at the edge."""
    respx.post(URL).mock(side_effect=exc)
    result = deliverer.deliver("msg-1", "0034", PAYLOAD, attempt=2)
    assert result.outcome is Outcome.RETRY
    assert result.status_code is None
    assert result.error is not None and type(exc).__name__ in result.error
    assert result.retry_delay_s is not None and 0.0 <= result.retry_delay_s <= 2.0


def test_unknown_receiver_is_no_route_without_traffic(deliverer: Deliverer) -> None:
    """A receiver without a route and no default gives NO_ROUTE and makes no request."""
    with respx.mock(assert_all_called=False) as mock:
        result = deliverer.deliver("msg-1", "0599", PAYLOAD, attempt=1)
        assert mock.calls.call_count == 0
    assert result.outcome is Outcome.NO_ROUTE


@respx.mock
def test_open_breaker_short_circuits_without_network(deliverer: Deliverer, clock: FakeClock) -> None:
    """After 3 failures the breaker opens: RETRY with the remaining open time and no request."""
    route = respx.post(URL).mock(return_value=httpx.Response(503))
    for attempt in (1, 2, 3):
        assert deliverer.deliver("m", "0034", PAYLOAD, attempt).outcome is Outcome.RETRY
    assert route.call_count == 3
    clock.now += 12.0
    result = deliverer.deliver("m", "0034", PAYLOAD, 4)
    assert route.call_count == 3
    assert result.outcome is Outcome.RETRY
    assert result.retry_delay_s == pytest.approx(18.0)
    assert result.error == "circuit open"


@respx.mock
def test_a_failure_that_opens_the_breaker_sits_out_the_next_probe(deliverer: Deliverer, clock: FakeClock) -> None:
    """The failed attempt that opens the breaker, and a failed probe, wait one reset period past the next probe.

    Otherwise the failed message would be due with the ones the breaker turned away, would often be
    the next probe too, and would take every failure of an outage until its own budget ran out.
    """
    respx.post(URL).mock(return_value=httpx.Response(503, headers={"Retry-After": "0"}))
    first, second = (deliverer.deliver("m", "0034", PAYLOAD, attempt) for attempt in (1, 2))
    assert first.retry_delay_s is not None and first.retry_delay_s <= 1.0  # breaker still closed: plain backoff
    assert second.retry_delay_s is not None and second.retry_delay_s <= 2.0
    opening = deliverer.deliver("m", "0034", PAYLOAD, 3)
    assert opening.retry_delay_s == pytest.approx(60.0)
    clock.now += 30.0
    probe = deliverer.deliver("other", "0034", PAYLOAD, 1)
    assert probe.outcome is Outcome.RETRY and probe.error != "circuit open"
    assert probe.retry_delay_s == pytest.approx(60.0)
    clock.now += 1.0
    turned_away = deliverer.deliver("third", "0034", PAYLOAD, 1)
    assert turned_away.error == "circuit open" and turned_away.retry_delay_s == pytest.approx(29.0)
    assert turned_away.retry_delay_s < probe.retry_delay_s  # the one turned away probes next


@respx.mock
def test_breaker_recovers_through_a_successful_probe(deliverer: Deliverer, clock: FakeClock) -> None:
    """Once the reset timeout passes one probe goes out; its success closes the breaker."""
    route = respx.post(URL).mock(side_effect=[httpx.Response(500)] * 3 + [httpx.Response(200)] * 2)
    for attempt in (1, 2, 3):
        deliverer.deliver("m", "0034", PAYLOAD, attempt)
    clock.now += 30.0
    assert deliverer.deliver("m", "0034", PAYLOAD, 4).outcome is Outcome.DELIVERED
    assert deliverer.deliver("m2", "0034", PAYLOAD, 1).outcome is Outcome.DELIVERED
    assert route.call_count == 5


@respx.mock
def test_open_breaker_does_not_affect_other_destinations(deliverer: Deliverer) -> None:
    """A dead receiver's open breaker never stops delivery to another destination."""
    respx.post(URL).mock(side_effect=httpx.ConnectError("refused"))
    healthy = respx.post("http://amsterdam.test/ijw").mock(return_value=httpx.Response(200))
    for attempt in range(1, 6):
        deliverer.deliver("dead", "0034", PAYLOAD, attempt)
    assert deliverer.breakers.get("almere.test:80").state == "open"
    assert deliverer.deliver("ok", "0363", PAYLOAD, 1).outcome is Outcome.DELIVERED
    assert healthy.call_count == 1


@respx.mock
def test_permanent_4xx_does_not_open_the_breaker(deliverer: Deliverer) -> None:
    """A receiver that answers 400 is alive: its breaker stays closed and requests keep flowing."""
    route = respx.post(URL).mock(return_value=httpx.Response(400))
    for attempt in range(1, 6):
        assert deliverer.deliver("m", "0034", PAYLOAD, attempt).outcome is Outcome.PERMANENT
    assert route.call_count == 5


@respx.mock
def test_logs_events_without_payload_or_bsn(deliverer: Deliverer) -> None:
    """Log events are named relay.* and never contain payload bytes or the BSN inside them."""
    respx.post(URL).mock(side_effect=[httpx.Response(503), httpx.Response(200)])
    with capture_logs() as logs:
        deliverer.deliver("msg-9", "0034", PAYLOAD, 1)
        deliverer.deliver("msg-9", "0034", PAYLOAD, 2)
        deliverer.deliver("msg-9", "9999", PAYLOAD, 1)
    events = [entry["event"] for entry in logs]
    assert events == ["relay.attempt", "relay.attempt", "relay.no_route"]
    assert logs[0]["outcome"] == "RETRY" and logs[1]["outcome"] == "DELIVERED"
    assert all(entry["message_id"] == "msg-9" for entry in logs)
    text = repr(logs)
    assert "123456782" not in text and "Bericht" not in text
