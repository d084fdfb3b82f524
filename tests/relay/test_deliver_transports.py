"""The Deliverer's decisions over both relay transports, against a real loopback receiver.

``test_deliver.py`` pins every decision with respx, which fakes httpx's own transport only; the
default transport (``stdlib``, over http.client) is what production runs. So the same decisions are
made here over real sockets for each transport (``KETENPOORT_RELAY_TRANSPORT``): headers and bytes on
the wire, every status class, Retry-After in both forms, the breaker on a controlled clock, and logs
that hold no payload.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from hashlib import sha256

import pytest
from structlog.testing import capture_logs

from gateway.relay import Deliverer, Outcome, RetryPolicy, Routes
from gateway.relay.deliver import transport_for
from tests.support.clock import FakeClock
from tests.support.receiver import Behaviour, Receiver

PAYLOAD = b"<Bericht><Client><Bsn>123456782</Bsn></Client></Bericht>"


@pytest.fixture
def rx() -> Iterator[Receiver]:
    """A loopback receiver answering 200 unless scripted otherwise."""
    with Receiver() as receiver:
        yield receiver


@pytest.fixture
def clock() -> FakeClock:
    """The breakers' clock."""
    return FakeClock()


@pytest.fixture(params=["stdlib", "httpx"])
def deliverer(request: pytest.FixtureRequest, rx: Receiver, clock: FakeClock) -> Iterator[Deliverer]:
    """A Deliverer routing 0034 to the receiver over one transport, with seeded jitter and the fake clock."""
    policy = RetryPolicy(base_s=1.0, cap_s=60.0, max_attempts=5, max_age_s=3600.0)
    with Deliverer(
        Routes({"0034": rx.url}),
        policy,
        connect_timeout_s=2.0,
        read_timeout_s=5.0,
        breaker_failures=3,
        breaker_reset_s=30.0,
        clock=clock,
        rng=random.Random(7),
        transport=transport_for(request.param),
    ) as d:
        yield d


def test_the_exact_bytes_go_out_with_their_headers(deliverer: Deliverer, rx: Receiver) -> None:
    """The payload arrives byte for byte as application/xml, with the message id as Idempotency-Key."""
    result = deliverer.deliver("msg-1", "0034", PAYLOAD, attempt=1)
    assert result.outcome is Outcome.DELIVERED and result.status_code == 200
    (record,) = rx.records
    assert record.body_sha256 == sha256(PAYLOAD).hexdigest() and record.body_len == len(PAYLOAD)
    assert record.content_type == "application/xml"
    assert record.idempotency_key == "msg-1" and record.message_id == "msg-1"


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_retryable_statuses_ask_for_a_bounded_delay(deliverer: Deliverer, rx: Receiver, status: int) -> None:
    """Retryable statuses give RETRY with a delay inside the policy's jitter window."""
    rx.fail_next(1, status)
    result = deliverer.deliver("msg-1", "0034", PAYLOAD, attempt=3)
    assert result.outcome is Outcome.RETRY and result.status_code == status
    assert result.retry_delay_s is not None and 0.0 <= result.retry_delay_s <= 4.0


@pytest.mark.parametrize("status", [301, 400, 401, 403, 404, 409, 413, 422])
def test_other_statuses_are_permanent_without_delay(deliverer: Deliverer, rx: Receiver, status: int) -> None:
    """Other 4xx (and redirects, which the relay never follows) are permanent and carry no delay."""
    rx.push(Behaviour(status=status, body=PAYLOAD))
    result = deliverer.deliver("msg-1", "0034", PAYLOAD, attempt=1)
    assert result.outcome is Outcome.PERMANENT and result.status_code == status
    assert result.retry_delay_s is None
    assert result.error is not None and "Bsn" not in result.error and "123456782" not in result.error


def test_retry_after_seconds_is_a_lower_bound(deliverer: Deliverer, rx: Receiver) -> None:
    """A Retry-After in seconds is a lower bound on the delay."""
    rx.fail_next(1, 429, retry_after="45")
    result = deliverer.deliver("msg-1", "0034", PAYLOAD, attempt=1)
    assert result.retry_delay_s is not None and result.retry_delay_s >= 45.0


def test_retry_after_as_a_date_is_honoured_up_to_the_cap(deliverer: Deliverer, rx: Receiver) -> None:
    """A Retry-After HTTP-date two hours away is honoured up to cap_s (60 s here)."""
    rx.fail_next(1, 503, retry_after=format_datetime(datetime.now(UTC) + timedelta(hours=2), usegmt=True))
    assert deliverer.deliver("msg-1", "0034", PAYLOAD, attempt=1).retry_delay_s == 60.0


def test_an_open_breaker_sends_nothing_until_its_probe_succeeds(
    deliverer: Deliverer, rx: Receiver, clock: FakeClock
) -> None:
    """Three failures open the breaker: no request while open; after the reset one probe closes it again."""
    rx.fail_next(3, 503)
    for attempt in (1, 2, 3):
        assert deliverer.deliver("m", "0034", PAYLOAD, attempt).outcome is Outcome.RETRY
    assert len(rx.records) == 3
    clock.now += 12.0
    turned_away = deliverer.deliver("m", "0034", PAYLOAD, 4)
    assert turned_away.error == "circuit open" and turned_away.retry_delay_s == pytest.approx(18.0)
    assert len(rx.records) == 3  # nothing went out
    clock.now += 18.0
    assert deliverer.deliver("m", "0034", PAYLOAD, 5).outcome is Outcome.DELIVERED
    assert deliverer.deliver("m2", "0034", PAYLOAD, 1).outcome is Outcome.DELIVERED
    assert len(rx.records) == 5


def test_a_refusing_receiver_keeps_its_breaker_closed(deliverer: Deliverer, rx: Receiver) -> None:
    """A receiver that answers 400 is alive: every request still goes out."""
    rx.set_default(Behaviour(status=400))
    for attempt in range(1, 6):
        assert deliverer.deliver("m", "0034", PAYLOAD, attempt).outcome is Outcome.PERMANENT
    assert len(rx.records) == 5


def test_log_lines_hold_no_payload_or_bsn(deliverer: Deliverer, rx: Receiver) -> None:
    """relay.* events over the real transports name the message, never its content."""
    rx.push(Behaviour(status=503, body=PAYLOAD))
    with capture_logs() as logs:
        deliverer.deliver("msg-9", "0034", PAYLOAD, 1)
        deliverer.deliver("msg-9", "0034", PAYLOAD, 2)
    assert [entry["event"] for entry in logs] == ["relay.attempt", "relay.attempt"]
    assert [entry["outcome"] for entry in logs] == ["RETRY", "DELIVERED"]
    assert "123456782" not in repr(logs) and "Bericht" not in repr(logs)
