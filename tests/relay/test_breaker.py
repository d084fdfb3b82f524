"""Circuit breaker transitions, driven by a fake clock."""

from __future__ import annotations

import threading

from gateway.relay import Breakers, BreakerState, CircuitBreaker, destination_of
from tests.support.clock import FakeClock


def test_opens_after_threshold_consecutive_failures() -> None:
    """The breaker stays closed below the threshold and opens exactly at it."""
    clock = FakeClock(start=1000.0)
    breaker = CircuitBreaker(3, 30.0, clock=clock)
    assert breaker.record_failure() is BreakerState.CLOSED
    assert breaker.record_failure() is BreakerState.CLOSED
    assert breaker.acquire() == 0.0
    assert breaker.record_failure() is BreakerState.OPEN
    assert breaker.acquire() == 30.0


def test_success_resets_the_failure_count() -> None:
    """Failures must be consecutive: a success in between starts counting again."""
    breaker = CircuitBreaker(2, 30.0, clock=FakeClock(start=1000.0))
    breaker.record_failure()
    breaker.record_success()
    assert breaker.record_failure() is BreakerState.CLOSED


def test_open_reports_remaining_time_then_half_open_allows_one_probe() -> None:
    """While open the wait shrinks with time; after the timeout one probe passes and others wait."""
    clock = FakeClock(start=1000.0)
    breaker = CircuitBreaker(1, 30.0, clock=clock, probe_busy_delay_s=1.0)
    breaker.record_failure()
    clock.advance(10)
    assert breaker.acquire() == 20.0
    clock.advance(20)
    assert breaker.state is BreakerState.HALF_OPEN
    assert breaker.acquire() == 0.0
    assert breaker.acquire() == 1.0


def test_successful_probe_closes() -> None:
    """A successful half-open probe closes the breaker."""
    clock = FakeClock(start=1000.0)
    breaker = CircuitBreaker(1, 5.0, clock=clock)
    breaker.record_failure()
    clock.advance(5)
    assert breaker.acquire() == 0.0
    assert breaker.record_success() is BreakerState.HALF_OPEN
    assert breaker.state is BreakerState.CLOSED
    assert breaker.acquire() == 0.0


def test_failed_probe_reopens_for_a_full_timeout() -> None:
    """A failed half-open probe opens the breaker again for the whole reset timeout."""
    clock = FakeClock(start=1000.0)
    breaker = CircuitBreaker(2, 5.0, clock=clock)
    breaker.record_failure()
    breaker.record_failure()
    clock.advance(6)
    assert breaker.acquire() == 0.0
    assert breaker.record_failure() is BreakerState.OPEN
    assert breaker.acquire() == 5.0


def test_lost_probe_is_forgotten_after_the_timeout() -> None:
    """If a probe never reports back, another probe is allowed after reset_timeout_s."""
    clock = FakeClock(start=1000.0)
    breaker = CircuitBreaker(1, 5.0, clock=clock)
    breaker.record_failure()
    clock.advance(5)
    assert breaker.acquire() == 0.0
    clock.advance(5)
    assert breaker.acquire() == 0.0


def test_released_probe_can_be_taken_again() -> None:
    """A probe slot given back unused lets the next caller probe."""
    clock = FakeClock(start=1000.0)
    breaker = CircuitBreaker(1, 5.0, clock=clock)
    breaker.record_failure()
    clock.advance(5)
    assert breaker.acquire() == 0.0
    breaker.release_probe()
    assert breaker.acquire() == 0.0


def test_only_one_probe_among_many_threads() -> None:
    """Under concurrency exactly one caller gets the half-open probe."""
    clock = FakeClock(start=1000.0)
    breaker = CircuitBreaker(1, 5.0, clock=clock)
    breaker.record_failure()
    clock.advance(5)
    results: list[float] = []
    lock = threading.Lock()
    barrier = threading.Barrier(16)

    def take() -> None:
        barrier.wait()
        got = breaker.acquire()
        with lock:
            results.append(got)

    threads = [threading.Thread(target=take) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(0.0) == 1


def test_breakers_are_per_destination() -> None:
    """Opening the breaker of one destination leaves the others closed."""
    breakers = Breakers(1, 30.0, clock=FakeClock(start=1000.0))
    breakers.get(destination_of("http://dead.test:81/x")).record_failure()
    assert breakers.get("dead.test:81").state is BreakerState.OPEN
    assert breakers.get(destination_of("http://alive.test/x")).acquire() == 0.0
    assert breakers.states() == {"dead.test:81": BreakerState.OPEN, "alive.test:80": BreakerState.CLOSED}


def test_destination_fills_default_ports() -> None:
    """The breaker key is host:port with 80/443 filled in and the host lower-cased."""
    assert destination_of("https://Example.TEST/a?b") == "example.test:443"
    assert destination_of("http://127.0.0.1:8080/") == "127.0.0.1:8080"
