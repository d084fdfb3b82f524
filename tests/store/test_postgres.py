"""PostgreSQL only: parallel claimers in several processes' worth of connections, SKIP LOCKED, LISTEN/NOTIFY."""

from __future__ import annotations

import threading
from collections import Counter

import pytest

from gateway.model import Stage
from gateway.store import Store
from tests.store.helpers import record

pytestmark = pytest.mark.postgres


def test_parallel_claimers_on_separate_stores_take_each_job_exactly_once(pg_url: str) -> None:
    setup = Store.open(pg_url, migrate=True)
    n = 300
    for i in range(n):
        setup.intake(record(f"ID-{i}"))
    stores = [Store.open(pg_url, pool_size=4) for _ in range(3)]  # three "machines", four threads each
    claimed: Counter[int] = Counter()
    lock = threading.Lock()
    start = threading.Barrier(12)

    def claimer(store: Store, name: str) -> None:
        start.wait()
        while True:
            job = store.claim([Stage.VALIDATE], name, 60)
            if job is None:
                return
            with lock:
                claimed[job.id] += 1
            store.skip(job)

    threads = [threading.Thread(target=claimer, args=(stores[i % 3], f"w{i}")) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert len(claimed) == n and set(claimed.values()) == {1}
        assert setup.verify_audit().ok
    finally:
        for s in [setup, *stores]:
            s.close()


def test_concurrent_audit_appends_from_separate_stores_form_one_chain(pg_url: str) -> None:
    stores = [Store.open(pg_url, migrate=(i == 0)) for i in range(3)]

    def writer(store: Store, k: int) -> None:
        for i in range(40):
            store.intake(record(f"S{k}-{i}"))

    threads = [threading.Thread(target=writer, args=(stores[k % 3], k)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        result = stores[0].verify_audit()
        assert result.ok and result.events == 240
    finally:
        for s in stores:
            s.close()


def test_a_new_job_wakes_a_waiting_worker(pg_url: str) -> None:
    store = Store.open(pg_url, migrate=True, notify=True)
    try:
        woke: list[bool] = []
        ready = threading.Event()
        thread = threading.Thread(target=lambda: woke.append(store.wait_for_jobs(30.0, ready=ready)))
        thread.start()
        assert ready.wait(10)
        store.intake(record("WAKE"))
        thread.join(30)
        assert woke == [True]
        assert store.wait_for_jobs(0.05) is False  # nothing new: times out
    finally:
        store.close()
