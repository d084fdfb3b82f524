"""Outage tests with real ``ketenpoort worker`` processes and a scriptable loopback receiver, on both backends.

A receiver that answers 503, resets connections and hangs for a while still gets everything once
it recovers; a budget too small sends messages to the dead-letter queue and ``ketenpoort dlq
replay --all`` delivers them; a permanent 400 gets no retries; a dead receiver does not hold up
another one. Retry-After is honoured by the schedule the store keeps.
"""

from __future__ import annotations

import random
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from gateway.generate.stuf import stuf_traffic
from gateway.intake import submit
from gateway.model import Stage
from gateway.pseudonym import Pseudonymiser
from gateway.relay import Deliverer, RetryPolicy, Routes
from gateway.store import Store
from gateway.store.schema import deliveries, jobs
from tests.reliability.checks import open_jobs, statuses
from tests.reliability.harness import WorkerPool, worker_env
from tests.support.databases import TEST_PSEUDONYM_KEY
from tests.support.receiver import Receiver
from workers.loop import Worker
from workers.pipeline import handlers


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as rx:
        yield rx


@pytest.fixture
def opened(db_url: str) -> Iterator[Store]:
    store = Store.open(db_url, migrate=True, pseudonymiser=Pseudonymiser(TEST_PSEUDONYM_KEY))
    try:
        yield store
    finally:
        store.close()


def _submit(store: Store, count: int, seed: int) -> list[tuple[str, str]]:
    """(message id, receiver) of ``count`` fresh StUF messages."""
    out = []
    for _, data in stuf_traffic(count, seed=seed, duplicate_ratio=0.0):
        result = submit(store, data, sender=None)
        view = store.get_message(result.message_id)
        assert view is not None and view.receiver is not None
        out.append((result.message_id, view.receiver))
    return out


def _env(store: Store, db_url: str, tmp_path: Path, route: str, **extra: str) -> dict[str, str]:
    return worker_env(db_url, tmp_path, route, KETENPOORT_PSEUDONYM_KEY=TEST_PSEUDONYM_KEY.decode(), **extra)


def _settled(store: Store, count: int) -> bool:
    return open_jobs(store.db.engine) == 0 and len(statuses(store.db.engine)) == count


@pytest.mark.slow
def test_receiver_503s_resets_and_hangs_for_a_while_then_everything_arrives(
    opened: Store, db_url: str, tmp_path: Path, receiver: Receiver
) -> None:
    ids = [mid for mid, _ in _submit(opened, 12, seed=31)]
    receiver.fail_next(10, status=503, retry_after="0")
    receiver.reset_next(4)
    receiver.slow_next(2, seconds=3.0)  # past the worker's 1 s read timeout
    env = _env(opened, db_url, tmp_path, receiver.url, KETENPOORT_BREAKER_RESET_S="0.5")
    with WorkerPool(env, 1, concurrency=2, log_dir=tmp_path) as pool:
        pool.wait(lambda: _settled(opened, len(ids)))
    assert set(statuses(opened.db.engine).values()) == {"delivered"}
    assert receiver.delivered_keys() == set(ids)
    answered = Counter(rec.status for rec in receiver.records)
    assert answered[503] == 10 and answered[None] == 4  # the outage really happened, then recovered
    failed_attempts = sum(1 for mid in ids for d in opened.deliveries(mid) if d.verdict == "retry")
    assert failed_attempts >= 16  # every failure was recorded as an attempt before the success
    assert opened.verify_audit().ok


@pytest.mark.slow
def test_budget_too_small_dead_letters_then_dlq_replay_delivers(
    opened: Store, db_url: str, tmp_path: Path, receiver: Receiver
) -> None:
    ids = [mid for mid, _ in _submit(opened, 6, seed=32)]
    receiver.always(503)
    env = _env(
        opened, db_url, tmp_path, receiver.url, KETENPOORT_RETRY_MAX_ATTEMPTS="2", KETENPOORT_BREAKER_FAILURES="1000"
    )
    with WorkerPool(env, 1, concurrency=2, log_dir=tmp_path) as pool:
        pool.wait(lambda: _settled(opened, len(ids)))
        assert {m.id for m in opened.dead_letters()} == set(ids)
        assert len(receiver.records) == 12  # two attempts each, then no more
        receiver.respond_ok()
        replay = subprocess.run(
            [sys.executable, "-m", "gateway", "dlq", "replay", "--all"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert replay.returncode == 0, replay.stderr[-2000:]
        pool.wait(lambda: _settled(opened, len(ids)))
    assert set(statuses(opened.db.engine).values()) == {"delivered"}
    assert receiver.delivered_keys() == set(ids)
    assert opened.verify_audit().ok


@pytest.mark.slow
def test_a_permanent_400_gets_no_retries(opened: Store, db_url: str, tmp_path: Path, receiver: Receiver) -> None:
    ids = [mid for mid, _ in _submit(opened, 5, seed=33)]
    receiver.always(400)
    with WorkerPool(_env(opened, db_url, tmp_path, receiver.url), 1, log_dir=tmp_path) as pool:
        pool.wait(lambda: _settled(opened, len(ids)))
    assert pool.exit_codes == [0]  # SIGTERM: the worker finished and exited cleanly
    assert set(statuses(opened.db.engine).values()) == {"dead"}
    assert Counter(r.idempotency_key for r in receiver.records) == Counter(dict.fromkeys(ids, 1))


def _dead_url() -> str:
    with socket.socket() as sock:  # a port nobody listens on: connection refused
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/berichten"


@pytest.mark.slow
def test_a_dead_receiver_does_not_hold_up_the_others(
    opened: Store, db_url: str, tmp_path: Path, receiver: Receiver
) -> None:
    sent = _submit(opened, 40, seed=34)
    down = Counter(rcv for _, rcv in sent).most_common(1)[0][0]
    routes = tmp_path / "routes.toml"
    routes.write_text(f'default = "{receiver.url}"\n\n[routes]\n"{down}" = "{_dead_url()}"\n')
    env = _env(opened, db_url, tmp_path, receiver.url, KETENPOORT_ROUTES_FILE=str(routes),
               KETENPOORT_BREAKER_FAILURES="3", KETENPOORT_BREAKER_RESET_S="600",
               KETENPOORT_RELAY_PER_DESTINATION="2")  # fmt: skip
    healthy = {mid for mid, rcv in sent if rcv != down}
    stuck = {mid for mid, rcv in sent if rcv == down}
    with WorkerPool(env, 1, concurrency=2, log_dir=tmp_path) as pool:
        pool.wait(lambda: {statuses(opened.db.engine)[mid] for mid in healthy} == {"delivered"})
        final = statuses(opened.db.engine)
    assert {final[mid] for mid in healthy} == {"delivered"}
    assert {final[mid] for mid in stuck} <= {"relaying", "accepted"}  # still waiting for their receiver
    assert len(receiver.records) == len(healthy)  # the healthy receiver needed no retries
    with opened.db.engine.connect() as conn:
        tried = conn.execute(
            sa.select(sa.func.count()).where(
                deliveries.c.message_id.in_(sorted(stuck)), deliveries.c.verdict == "retry"
            )
        ).scalar_one()
    assert tried <= 3 + 2  # the breaker opened after 3 refusals (+ the POSTs already in flight to it: 2 at most)


def test_retry_after_sets_the_next_attempt_no_earlier_than_asked(opened: Store, receiver: Receiver) -> None:
    (mid, _), = _submit(opened, 1, seed=35)  # fmt: skip
    receiver.fail_next(1, status=503, retry_after="7")
    policy = RetryPolicy(base_s=0.01, cap_s=60.0, max_attempts=5, max_age_s=3600.0)
    with Deliverer(Routes({}, default=receiver.url), policy, rng=random.Random(1)) as deliverer:
        worker = Worker(opened, handlers(opened, deliverer, Pseudonymiser(TEST_PSEUDONYM_KEY), max_bytes=1 << 20))
        while worker.run_batch():  # validate+map, and the one relay attempt that gets the 503
            pass
    (attempt,) = opened.deliveries(mid)
    assert attempt.status_code == 503
    with opened.db.engine.connect() as conn:
        run_after = conn.execute(
            sa.select(jobs.c.run_after).where(jobs.c.message_id == mid, jobs.c.stage == str(Stage.RELAY),
                                              sa.not_(jobs.c.done))
        ).scalar_one()  # fmt: skip
    assert run_after - attempt.at.timestamp() >= 7.0 - 0.01
    assert run_after > time.time() + 5  # so nobody claims it now
