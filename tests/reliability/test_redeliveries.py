"""Few redeliveries after a crash: a SIGKILL costs at most the POSTs the killed worker had in flight.

A worker process with the default settings posts on ``KETENPOORT_RELAY_THREADS`` (16) relay threads and logs every 2xx
durably before a thread takes its next job (the attempt log). Killed 20 times while 2,000
messages flow, it may post again only what was posted and not yet logged when it died: at most
one POST per relay thread per kill. The receiver counts every POST; besides that bound, nothing
may be lost, each message is delivered once in the store, and the audit chain verifies. On both
backends.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.config import Settings
from gateway.pseudonym import Pseudonymiser
from gateway.store import Store
from tests.reliability.checks import audit_counts, delivered_rows, open_jobs, statuses
from tests.reliability.harness import WorkerPool, worker_env
from tests.reliability.test_crash import Feeder
from tests.support.databases import TEST_PSEUDONYM_KEY
from tests.support.receiver import Receiver

MESSAGES = 2000
KILLS = 20
RELAY_THREADS: int = Settings.model_fields["relay_threads"].default
"""The default, which the worker runs with: its environment sets no ``KETENPOORT_RELAY_THREADS``."""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as rx:
        yield rx


@pytest.mark.slow
def test_twenty_kills_cost_at_most_the_posts_in_flight_at_each(db_url: str, tmp_path: Path, receiver: Receiver) -> None:
    """Extra POSTs counted by the receiver stay within relay threads x kills; nothing lost, audit intact."""
    store = Store.open(db_url, migrate=True, pseudonymiser=Pseudonymiser(TEST_PSEUDONYM_KEY))
    rng = random.Random(20261207)
    env = worker_env(
        db_url,
        tmp_path,
        receiver.url,
        KETENPOORT_PSEUDONYM_KEY=TEST_PSEUDONYM_KEY.decode(),
    )
    try:
        feeder = Feeder(store, MESSAGES, rng.randrange(10**6))
        feeder.run()  # preloaded: the kills land while the worker relays, not while a sender competes
        with WorkerPool(env, 1, concurrency=2, log_dir=tmp_path) as pool:
            pool.chaos(KILLS, rng, done=lambda: open_jobs(store.db.engine) == 0, gap_s=(0.2, 0.8))
            assert pool.kills >= KILLS
        final = statuses(store.db.engine)
        assert set(final) == set(feeder.submitted)
        delivered = {mid for mid, status in final.items() if status == "delivered"}
        assert set(Counter(final.values())) <= {"delivered", "rejected"}
        posts = Counter(rec.idempotency_key for rec in receiver.records if rec.idempotency_key is not None)
        assert set(posts) == delivered == receiver.delivered_keys()  # every deliverable message reached it
        extra = sum(posts.values()) - len(posts)
        print(f"{extra} redeliveries over {pool.kills} kills (bound {RELAY_THREADS * pool.kills})")
        assert extra <= RELAY_THREADS * pool.kills
        assert delivered_rows(store.db.engine) == Counter(dict.fromkeys(delivered, 1))
        assert audit_counts(store.db.engine, "message.delivered") == Counter(dict.fromkeys(delivered, 1))
        verdict = store.verify_audit()
        assert verdict.ok, verdict
    finally:
        store.close()
