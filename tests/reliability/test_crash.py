"""Crash tests: ``ketenpoort worker`` processes SIGKILLed at random moments while messages flow.

A killed worker commits nothing of the job in hand; its lease expires and another process (or
its own restart) runs the job again. Afterwards nothing may be lost, nothing may be marked
delivered that the receiver did not accept, each message is marked delivered exactly once
(the receiver may have seen its Idempotency-Key more than once: that is what the key is for),
and the audit chain must verify.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.generate.stuf import stuf_traffic
from gateway.intake import submit
from gateway.pseudonym import Pseudonymiser
from gateway.store import Store
from tests.reliability.checks import audit_counts, delivered_rows, open_jobs, statuses
from tests.reliability.harness import WorkerPool, worker_env
from tests.support.databases import TEST_PSEUDONYM_KEY, fresh_postgres_database
from tests.support.receiver import Receiver

BROKEN = [b"<kapot>", b"<?xml version='1.0'?><onbekend xmlns='urn:x'/>"]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as rx:
        yield rx


class Feeder(threading.Thread):
    """Submits ``count`` StUF messages and a few broken documents, as a sender would while workers run."""

    def __init__(self, store: Store, count: int, seed: int) -> None:
        super().__init__(name="feeder")
        self.store, self.count, self.seed = store, count, seed
        self.submitted: list[str] = []
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            for index, (_, data) in enumerate(stuf_traffic(self.count, seed=self.seed, duplicate_ratio=0.0)):
                self.submitted.append(submit(self.store, data, sender=None).message_id)
                if index % 500 == 0:
                    broken = BROKEN[(index // 500) % 2]
                    self.submitted.append(submit(self.store, broken, sender=f"s{index}").message_id)
        except BaseException as exc:  # surfaced by the test, not lost in a thread
            self.error = exc

    def finished(self) -> bool:
        if self.error is not None:
            raise AssertionError("intake failed") from self.error
        return not self.is_alive()


def _crash_run(
    db_url: str,
    tmp_path: Path,
    receiver: Receiver,
    *,
    messages: int,
    workers: int,
    kills: int,
    preload: bool,
    concurrency: int = 2,
) -> None:
    store = Store.open(db_url, migrate=True, pseudonymiser=Pseudonymiser(TEST_PSEUDONYM_KEY))
    rng = random.Random(20261125)
    env = worker_env(db_url, tmp_path, receiver.url, KETENPOORT_PSEUDONYM_KEY=TEST_PSEUDONYM_KEY.decode())
    try:
        feeder = Feeder(store, messages, rng.randrange(10**6))
        if preload:  # SQLite has one writer: a sender in a tight loop would mostly starve the workers
            feeder.run()
        with WorkerPool(env, workers, concurrency=concurrency, log_dir=tmp_path) as pool:
            if not preload:
                feeder.start()
            pool.chaos(kills, rng, done=lambda: feeder.finished() and open_jobs(store.db.engine) == 0, gap_s=(0.3, 1.5))
            if not preload:
                feeder.join()
            assert pool.kills >= kills
        final = statuses(store.db.engine)
        assert set(final) == set(feeder.submitted)  # nothing lost, nothing invented
        outcome = Counter(final.values())
        assert set(outcome) <= {"delivered", "rejected"}, outcome
        delivered = {mid for mid, status in final.items() if status == "delivered"}
        rejected = {mid for mid, status in final.items() if status == "rejected"}
        assert len(rejected) == sum(1 for i in range(messages) if i % 500 == 0)
        accepted_by_receiver = receiver.delivered_keys()
        assert delivered <= accepted_by_receiver  # nothing marked delivered that the receiver did not accept
        assert accepted_by_receiver == delivered  # and every deliverable message reached it
        assert delivered_rows(store.db.engine) == Counter(dict.fromkeys(delivered, 1))  # marked delivered once
        assert audit_counts(store.db.engine, "message.delivered") == Counter(dict.fromkeys(delivered, 1))
        verdict = store.verify_audit()
        assert verdict.ok, verdict
    finally:
        store.close()


@pytest.mark.slow
def test_a_worker_killed_twenty_times_loses_nothing_and_delivers_each_message_once(
    db_url: str, tmp_path: Path, receiver: Receiver
) -> None:
    _crash_run(db_url, tmp_path, receiver, messages=2000, workers=1, kills=20, preload=True)


@pytest.mark.slow
@pytest.mark.postgres
def test_three_worker_processes_on_postgresql_killed_at_random_while_5000_messages_flow(
    tmp_path: Path, receiver: Receiver
) -> None:
    for url in fresh_postgres_database():
        _crash_run(url, tmp_path, receiver, messages=5000, workers=3, kills=24, preload=False, concurrency=4)
