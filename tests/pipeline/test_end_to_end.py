"""submit → validate → map → relay to a real loopback receiver, through the real stages and worker loop.

The store here is an in-memory stand-in for the PipelineStore contract; the parametrised
sqlite/postgres runs follow when gateway/store lands.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator

import pytest
from lxml import etree

from gateway.generate.stuf import STUF_DI01_ROOTS, generate_di01, stuf_traffic
from gateway.intake import submit
from gateway.model import MessageStatus
from gateway.pseudonym import Pseudonymiser
from gateway.relay import Deliverer, RetryPolicy, Routes
from tests.pipeline.memstore import MemStore
from tests.support.receiver import Receiver
from workers.loop import Worker
from workers.pipeline import handlers

HANG_GUARD_S = 20.0


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as rx:
        yield rx


def _run_until_drained(store: MemStore, deliverer: Deliverer) -> None:
    worker = Worker(
        store, handlers(store, deliverer, Pseudonymiser(b"k" * 32), max_bytes=1 << 20), concurrency=3,
        poll_interval_s=0.005,
    )  # fmt: skip
    thread = threading.Thread(target=worker.run)
    thread.start()
    deadline = time.monotonic() + HANG_GUARD_S
    try:
        while store.pending() and time.monotonic() < deadline:
            threading.Event().wait(0.01)
        assert not store.pending(), store.stuck()
    finally:
        worker.request_stop()
        thread.join(HANG_GUARD_S)


def _deliverer(url: str, max_attempts: int = 8) -> Deliverer:
    policy = RetryPolicy(base_s=0.01, cap_s=0.05, max_attempts=max_attempts, max_age_s=3600.0)
    return Deliverer(Routes({}, default=url), policy, read_timeout_s=2.0, breaker_failures=1000)


def test_mixed_batch_is_delivered_with_message_ids_as_idempotency_keys(receiver: Receiver) -> None:
    store = MemStore()
    results = [submit(store, data, sender=None) for _, data in stuf_traffic(60, seed=11, duplicate_ratio=0.1)]
    bad = etree.fromstring(generate_di01(next(iter(STUF_DI01_ROOTS)), random.Random(2), sequence=999)[2])
    bad.append(etree.Element("{http://www.egem.nl/StUF/StUF0301}onbekend"))
    results.append(submit(store, etree.tostring(bad), sender=None))
    results.append(submit(store, b"<kapot>", sender="s"))
    with _deliverer(receiver.url) as d:
        _run_until_drained(store, d)
    created = [r for r in results if r.created]
    duplicates = [r for r in results if not r.created]
    assert duplicates and all(
        r.status is MessageStatus.DUPLICATE and b"StUF016" in (r.retour or b"") for r in duplicates
    )
    counts = store.counts()
    assert counts.get("rejected") == 2
    delivered = {mid for mid, m in store.messages.items() if m.status is MessageStatus.DELIVERED}
    assert len(delivered) == len(created) - 2
    assert receiver.delivered_keys() == delivered
    assert len(receiver.records) == len(delivered)  # nothing posted twice


def test_outage_retries_then_delivers_and_dead_letters_are_replayed(receiver: Receiver) -> None:
    store = MemStore()
    for _, data in stuf_traffic(10, seed=3, duplicate_ratio=0.0):
        submit(store, data, sender=None)
    receiver.always(503)
    with _deliverer(receiver.url, max_attempts=3) as d:
        _run_until_drained(store, d)
        assert store.counts() == {"dead": 10}
        assert len(receiver.records) == 30  # 3 attempts each, then no more
        receiver.respond_ok()
        for mid in list(store.messages):
            store.replay(mid)
        _run_until_drained(store, d)
    assert store.counts() == {"delivered": 10}
    assert receiver.delivered_keys() == set(store.messages)


def test_permanent_400_is_dead_without_retries(receiver: Receiver) -> None:
    store = MemStore()
    for _, data in stuf_traffic(5, seed=4, duplicate_ratio=0.0):
        submit(store, data, sender=None)
    receiver.always(400)
    with _deliverer(receiver.url) as d:
        _run_until_drained(store, d)
    assert store.counts() == {"dead": 5}
    assert len(receiver.records) == 5
