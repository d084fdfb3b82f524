"""Deliverer against the real loopback receiver: actual sockets, timeouts, resets and isolation."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait

import pytest

from gateway.relay import Deliverer, Outcome, RetryPolicy, Routes
from gateway.relay.deliver import transport_for
from tests.support.receiver import Behaviour, Receiver, free_port

PAYLOAD = b"<?xml version='1.0'?><Bericht>synthetic</Bericht>"
SLOW_S = 30.0


@pytest.fixture
def healthy() -> Iterator[Receiver]:
    """A receiver that answers 200 unless scripted otherwise."""
    with Receiver() as rx:
        yield rx


@pytest.fixture
def slow() -> Iterator[Receiver]:
    """A receiver that holds every request far longer than any client timeout."""
    with Receiver() as rx:
        rx.set_default(Behaviour(delay_s=SLOW_S))
        yield rx


Make = Callable[..., Deliverer]


@pytest.fixture(params=["stdlib", "httpx"])
def make_deliverer(request: pytest.FixtureRequest) -> Make:
    """Deliverers over each relay transport (KETENPOORT_RELAY_TRANSPORT): both must survive every fault."""

    def make(routes: dict[str, str], read_timeout_s: float = 5.0, **kw: int) -> Deliverer:
        return Deliverer(
            Routes(routes),
            RetryPolicy(base_s=0.5, cap_s=10.0),
            connect_timeout_s=1.0,
            read_timeout_s=read_timeout_s,
            transport=transport_for(request.param),
            **kw,  # type: ignore[arg-type]
        )

    return make


def test_receiver_records_key_and_body_hash(healthy: Receiver, make_deliverer: Make) -> None:
    """A delivered message arrives byte-for-byte with its Idempotency-Key, answered 200."""
    with make_deliverer({"0034": healthy.url}) as d:
        result = d.deliver("m-1", "0034", PAYLOAD, 1)
    assert result.outcome is Outcome.DELIVERED and result.status_code == 200
    (record,) = healthy.records
    assert record.idempotency_key == "m-1" and record.message_id == "m-1"
    assert record.body_sha256 == hashlib.sha256(PAYLOAD).hexdigest()
    assert record.content_type == "application/xml"
    assert healthy.delivered_keys() == {"m-1"}


def test_503_with_retry_after_then_recovery(healthy: Receiver, make_deliverer: Make) -> None:
    """Two 503s with Retry-After give RETRY (delay >= 2 s), the third attempt is delivered."""
    healthy.fail_next(2, status=503, retry_after="2")
    with make_deliverer({"0034": healthy.url}) as d:
        results = [d.deliver("m-1", "0034", PAYLOAD, attempt) for attempt in (1, 2, 3)]
    assert [r.outcome for r in results] == [Outcome.RETRY, Outcome.RETRY, Outcome.DELIVERED]
    assert all(r.retry_delay_s is not None and r.retry_delay_s >= 2.0 for r in results[:2])
    assert [r.status for r in healthy.records] == [503, 503, 200]
    assert healthy.keys() == ["m-1", "m-1", "m-1"]


def test_connection_reset_is_retried(healthy: Receiver, make_deliverer: Make) -> None:
    """A TCP reset mid-request is a RETRY, and the next attempt on a fresh connection succeeds."""
    healthy.reset_next(1)
    with make_deliverer({"0034": healthy.url}) as d:
        first = d.deliver("m-1", "0034", PAYLOAD, 1)
        second = d.deliver("m-1", "0034", PAYLOAD, 2)
    assert first.outcome is Outcome.RETRY and first.error is not None
    assert second.outcome is Outcome.DELIVERED


def test_always_400_is_permanent(healthy: Receiver, make_deliverer: Make) -> None:
    """A receiver that rejects with 400 yields PERMANENT and no retry delay."""
    healthy.always(400)
    with make_deliverer({"0034": healthy.url}) as d:
        result = d.deliver("m-1", "0034", PAYLOAD, 1)
    assert result.outcome is Outcome.PERMANENT and result.retry_delay_s is None


def test_slow_receiver_hits_the_read_timeout(slow: Receiver, make_deliverer: Make) -> None:
    """A receiver slower than the read timeout gives RETRY with a ReadTimeout error."""
    with make_deliverer({"0034": slow.url}, read_timeout_s=0.2) as d:
        result = d.deliver("m-1", "0034", PAYLOAD, 1)
    assert result.outcome is Outcome.RETRY
    assert result.error is not None and "ReadTimeout" in result.error


def test_dead_port_is_retried_and_opens_its_breaker(make_deliverer: Make) -> None:
    """Connection refused on a down port is RETRY; after the threshold the breaker answers alone."""
    dead = f"http://127.0.0.1:{free_port()}/in"
    with make_deliverer({"0034": dead}, breaker_failures=2) as d:
        results = [d.deliver("m", "0034", PAYLOAD, attempt) for attempt in (1, 2, 3)]
    assert all(r.outcome is Outcome.RETRY for r in results)
    assert "ConnectError" in (results[0].error or "")
    assert results[2].error == "circuit open"


def test_dead_and_slow_receivers_do_not_hold_up_a_healthy_one(
    healthy: Receiver, slow: Receiver, make_deliverer: Make
) -> None:
    """While requests to a slow and a dead receiver are stuck, a healthy one gets everything."""
    routes = {
        "slow": slow.url,
        "dead": f"http://127.0.0.1:{free_port()}/in",
        "ok": healthy.url,
    }
    with make_deliverer(routes, read_timeout_s=SLOW_S / 2) as d, ThreadPoolExecutor(8) as pool:
        stuck = [pool.submit(d.deliver, f"s-{i}", "slow", PAYLOAD, 1) for i in range(4)]
        dead = [pool.submit(d.deliver, f"d-{i}", "dead", PAYLOAD, 1) for i in range(4)]
        assert slow.wait_for(lambda records: len(records) == 4)
        good = [pool.submit(d.deliver, f"h-{i}", "ok", PAYLOAD, 1) for i in range(40)]
        wait(good + dead, return_when=FIRST_EXCEPTION)
        assert not any(f.done() for f in stuck), "healthy traffic finished before the slow one"
        assert all(f.result().outcome is Outcome.DELIVERED for f in good)
        assert all(f.result().outcome is Outcome.RETRY for f in dead)
        assert healthy.delivered_keys() == {f"h-{i}" for i in range(40)}
        slow.stop()
        assert all(f.result().outcome is Outcome.RETRY for f in stuck)


def test_slow_destination_is_capped_in_flight(slow: Receiver, make_deliverer: Make) -> None:
    """A hanging destination holds at most max_in_flight requests; the next one is told to retry."""
    with (
        make_deliverer({"slow": slow.url}, read_timeout_s=SLOW_S / 2, max_in_flight_per_destination=2) as d,
        ThreadPoolExecutor(2) as pool,
    ):
        stuck = [pool.submit(d.deliver, f"s-{i}", "slow", PAYLOAD, 1) for i in range(2)]
        assert slow.wait_for(lambda records: len(records) == 2)
        busy = d.deliver("s-3", "slow", PAYLOAD, 1)
        assert busy.outcome is Outcome.RETRY and busy.error == "destination busy"
        assert len(slow.records) == 2
        slow.stop()
        assert all(f.result().outcome is Outcome.RETRY for f in stuck)
