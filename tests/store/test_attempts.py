"""The attempt log: a 2xx is durable when ``record`` returns, read back by a retry, forgotten after the commit."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa

from gateway.model import Stage
from gateway.store import Store
from gateway.store.attempts import Answered, AttemptLog


def test_recorded_answers_are_read_back_and_forgotten(store: Store) -> None:
    """What one log records, a fresh log on the same store (another worker) reads; forget drops it."""
    log = AttemptLog.for_store(store.db.engine)
    log.record("m-1", 2, 201, 1.5)
    log.record("m-1", 3, 200, 2.5)  # a later attempt replaces the earlier
    other = AttemptLog.for_store(store.db.engine)
    answered = other.answered("m-1")
    assert answered is not None and (answered.attempt, answered.status_code) == (3, 200)
    assert other.answered("m-2") is None
    other.forget(["m-1"])
    assert log.answered("m-1") is None
    log.close()
    other.close()


def test_concurrent_records_share_commits_and_all_become_durable(store: Store) -> None:
    """Sixteen threads recording at once each return with their row in place."""
    log = AttemptLog.for_store(store.db.engine)
    threads = [threading.Thread(target=log.record, args=(f"m-{i}", 1, 200, 0.1)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(log.answered(f"m-{i}") is not None for i in range(16))
    log.close()


def test_on_sqlite_the_log_is_a_file_of_its_own(tmp_path: Path) -> None:
    """Its commits never take the store's write lock: the rows live beside the database, not in it."""
    store = Store.open(f"sqlite:///{tmp_path / 'k.db'}", migrate=True)
    try:
        log = AttemptLog.for_store(store.db.engine)
        log.record("m-1", 1, 200, 0.1)
        assert (tmp_path / "k.db-attempts").exists()
        with store.db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM relay_attempts")).scalar_one() == 0
        log.close()
    finally:
        store.close()


def test_on_postgresql_a_record_is_committed_at_once_without_a_transaction_left_open(pg_url: str) -> None:
    """The log's own connections autocommit with ``synchronous_commit`` off: the row is there for the store's
    connections as soon as ``record`` returns, and no log connection sits idle in a transaction."""
    store = Store.open(pg_url, migrate=True)
    try:
        log = AttemptLog.for_store(store.db.engine)
        log.record("m-1", 1, 200, 0.1)
        assert log.answered("m-1") is not None
        with store.db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM relay_attempts")).scalar_one() == 1
            idle_in_tx = (
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in%'"
            )
            assert conn.execute(sa.text(idle_in_tx)).scalar_one() == 0
        log.forget(["m-1"])
        with store.db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM relay_attempts")).scalar_one() == 0
        log.close()
    finally:
        store.close()


def test_answered_many_finds_the_logged_answers_among_many_ids_in_chunks(store: Store) -> None:
    """More ids than one statement takes (500): every logged one is found, with its own answer, no other."""
    log = AttemptLog.for_store(store.db.engine)
    for i in range(0, 1200, 7):
        log.record(f"m-{i}", i % 5 + 1, 200 + i % 3, float(i))
    found = log.answered_many([f"m-{i}" for i in range(1200)] + ["m-none"])
    assert set(found) == {f"m-{i}" for i in range(0, 1200, 7)}
    assert all((a.attempt, a.status_code, a.latency_ms) == (i % 5 + 1, 200 + i % 3, float(i))
               for i, a in ((int(k[2:]), v) for k, v in found.items()))  # fmt: skip
    assert log.answered_many([]) == {}
    log.close()


class _CountingLog(AttemptLog):
    """The real log, counting its lookups."""

    singles = 0
    batches = 0

    def answered(self, message_id: str) -> Answered | None:
        self.singles += 1
        return super().answered(message_id)

    def answered_many(self, message_ids: Sequence[str]) -> dict[str, Answered]:
        self.batches += 1
        return super().answered_many(message_ids)


def test_a_batch_looks_its_relay_jobs_up_in_the_attempt_log_at_once(store: Store) -> None:
    """BatchReads.load asks the log once for the batch's relay jobs; each job's answer is then handed out once."""
    from gateway.contracts import Job
    from workers.pipeline import BatchReads

    log = _CountingLog.for_store(store.db.engine)
    assert isinstance(log, _CountingLog)
    log.record("m-1", 2, 202, 3.0)
    reads = BatchReads(store, attempts=log)
    jobs = [Job(1, Stage.RELAY, "m-1"), Job(2, Stage.RELAY, "m-2"), Job(3, Stage.VALIDATE, "m-3")]
    reads.load(jobs)
    assert (log.batches, log.singles) == (1, 0)
    first = reads.answered("m-1")
    assert first is not None and (first.attempt, first.status_code) == (2, 202)
    assert reads.answered("m-2") is None
    assert log.singles == 0  # both came with the batch
    assert reads.answered("m-1") is not None and log.singles == 1  # handed out once: then asked afresh
    assert reads.answered("m-3") is None and log.singles == 2  # not a relay job: not looked up with the batch
    log.close()
