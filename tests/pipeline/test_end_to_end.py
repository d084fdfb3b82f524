"""submit → validate → map → relay to a real loopback receiver, through the real store, stages and worker loop.

Runs on both backends (``store`` fixture: a SQLite file, then a fresh PostgreSQL database) with
three worker threads, so claims, leases and the stage transactions really interleave.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from lxml import etree

from gateway.config import load_settings
from gateway.generate import ijw_traffic, small_jw301
from gateway.generate.stuf import STUF_DI01_ROOTS, generate_di01, stuf_traffic
from gateway.intake import submit, submit_many
from gateway.model import MessageStatus, Stage
from gateway.pseudonym import Pseudonymiser
from gateway.relay import Deliverer, RetryPolicy, Routes
from gateway.store import Store
from gateway.store.schema import jobs
from tests.support.databases import TEST_PSEUDONYM_KEY
from tests.support.receiver import Receiver
from workers.loop import Worker
from workers.pipeline import handlers
from workers.runtime import stage_handlers

HANG_GUARD_S = 60.0


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as rx:
        yield rx


def _pending(store: Store) -> int:
    """Open pipeline jobs (the recurring retention job does not count)."""
    query = sa.select(sa.func.count()).where(sa.not_(jobs.c.done), jobs.c.stage != str(Stage.RETENTION))
    with store.db.engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def _run_until_drained(store: Store, deliverer: Deliverer, concurrency: int = 3, batch_size: int = 32) -> None:
    pseudonymiser = Pseudonymiser(TEST_PSEUDONYM_KEY)
    worker = Worker(
        store, handlers(store, deliverer, pseudonymiser, max_bytes=1 << 20), concurrency=concurrency,
        poll_interval_s=0.005, batch_size=batch_size,
    )  # fmt: skip
    thread = threading.Thread(target=worker.run)
    thread.start()
    deadline = time.monotonic() + HANG_GUARD_S
    try:
        while _pending(store) and time.monotonic() < deadline:
            threading.Event().wait(0.01)
        assert not _pending(store), store.job_counts()
    finally:
        worker.request_stop()
        thread.join(HANG_GUARD_S)


def _deliverer(url: str, max_attempts: int = 8) -> Deliverer:
    policy = RetryPolicy(base_s=0.01, cap_s=0.05, max_attempts=max_attempts, max_age_s=3600.0)
    return Deliverer(Routes({}, default=url), policy, read_timeout_s=2.0, breaker_failures=1000)


def _ids(store: Store, status: MessageStatus) -> set[str]:
    return {m.id for m in store.list_messages(status=status, limit=10_000)[0]}


def test_mixed_batch_is_delivered_with_message_ids_as_idempotency_keys(store: Store, receiver: Receiver) -> None:
    results = [submit(store, data, sender=None) for _, data in stuf_traffic(40, seed=11, duplicate_ratio=0.1)]
    results += [submit(store, small_jw301(seed), sender=None) for seed in range(5)]
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
    counts = store.status_counts()
    assert counts["rejected"] == 2
    delivered = _ids(store, MessageStatus.DELIVERED)
    assert len(delivered) == len(created) - 2
    assert receiver.delivered_keys() == delivered
    assert len(receiver.records) == len(delivered)  # nothing posted twice
    assert all(len(store.deliveries(mid)) == 1 for mid in delivered)
    assert store.facts()  # the JW301 toewijzingen left their facts behind
    assert store.verify_audit().ok


def test_a_coherent_stream_across_threads_and_batches_passes_its_cross_message_rules(
    store: Store, receiver: Receiver
) -> None:
    """Four threads take batches of 8 from one care-trajectory stream (JW315 → JW301 → JW305 → JW323 → JW307).

    A JW305 validated before the JW301 it starts is committed fails TR019, a JW323 TR338: the batches
    must see each other's committed facts in queue order (claimed inside the batch's transaction;
    on PostgreSQL with a lock per conversation). Before that, 1 to 3 in 300 were rejected this way.
    """
    stream = [m.data for m in ijw_traffic(240, seed=3, invalid_ratio=0.0)]
    results = list(submit_many(store, stream, sender=None, batch=50))
    assert all(r.created for r in results)
    with _deliverer(receiver.url) as d:
        _run_until_drained(store, d, concurrency=4, batch_size=8)
    rejected = store.list_messages(status=MessageStatus.REJECTED, limit=1000)[0]
    assert [(m.message_type, [f.rule for f in m.findings]) for m in rejected] == []
    assert store.status_counts()["delivered"] == len(stream)
    assert receiver.delivered_keys() == {r.message_id for r in results}
    assert store.verify_audit().ok


def test_outage_retries_then_delivers_and_dead_letters_are_replayed(store: Store, receiver: Receiver) -> None:
    ids = [submit(store, data, sender=None).message_id for _, data in stuf_traffic(10, seed=3, duplicate_ratio=0.0)]
    receiver.always(503)
    with _deliverer(receiver.url, max_attempts=3) as d:
        _run_until_drained(store, d)
        assert store.status_counts()["dead"] == 10
        assert {m.id for m in store.dead_letters()} == set(ids)
        assert len(receiver.records) == 30  # 3 attempts each, then no more
        assert all([x.status_code for x in store.deliveries(mid)] == [503] * 3 for mid in ids)
        receiver.respond_ok()
        assert sorted(store.replay_all(actor="test")) == sorted(ids)
        _run_until_drained(store, d)
    assert store.status_counts()["delivered"] == 10
    assert receiver.delivered_keys() == set(ids)
    assert store.verify_audit().ok


def test_permanent_400_is_dead_without_retries(store: Store, receiver: Receiver) -> None:
    for _, data in stuf_traffic(5, seed=4, duplicate_ratio=0.0):
        submit(store, data, sender=None)
    receiver.always(400)
    with _deliverer(receiver.url) as d:
        _run_until_drained(store, d)
    assert store.status_counts()["dead"] == 5
    assert len(receiver.records) == 5


def test_retention_stage_purges_delivered_payloads_and_keeps_the_chain_verifiable(
    store: Store, receiver: Receiver
) -> None:
    ids = [submit(store, data, sender=None).message_id for _, data in stuf_traffic(4, seed=5, duplicate_ratio=0.0)]
    with _deliverer(receiver.url) as d:
        _run_until_drained(store, d)
        settings = load_settings(payload_retention_h=0, metadata_retention_d=365)
        retention = stage_handlers(store, d, Pseudonymiser(TEST_PSEUDONYM_KEY), settings)
        store.ensure_retention_job()
        worker = Worker(store, {Stage.RETENTION: retention[Stage.RETENTION]})
        assert worker.run(until_idle=True) == 1
    for mid in ids:
        view = store.get_message(mid)
        assert view is not None and view.status is MessageStatus.DELIVERED and view.payload_purged
        stored = store.message(mid)
        assert stored is not None and stored.payload is None
    with store.db.engine.connect() as conn:
        next_runs = conn.execute(sa.select(jobs.c.run_after).where(sa.not_(jobs.c.done))).scalars().all()
    assert len(next_runs) == 1 and next_runs[0] > time.time() + 60  # the next retention run is queued for later
    assert store.verify_audit().ok


def test_a_worker_takes_on_no_more_payload_per_batch_than_its_budget(
    store: Store, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """KETENPOORT_BATCH_BYTES reaches the worker: with room for two payloads, no batch runs a third; all arrive."""
    from workers.runtime import build_worker

    payloads = [small_jw301(seed) for seed in range(7)]
    for data in payloads:
        submit(store, data, sender=None)
    given_back: list[int] = []
    release = store.release
    monkeypatch.setattr(store, "release", lambda jobs_: (given_back.append(len(jobs_)), release(jobs_))[1])
    settings = load_settings(batch_bytes=2 * max(map(len, payloads)) + 100, default_route=receiver.url)
    with _deliverer(receiver.url) as d:
        worker, _ = build_worker(store, settings, stages=(Stage.VALIDATE, Stage.MAP, Stage.RELAY), deliverer=d)
        worker.run(until_idle=True)
    assert store.status_counts()["delivered"] == 7
    assert given_back and given_back[0] == 5  # the first batch claimed all seven and ran two
    assert len({r.idempotency_key for r in receiver.records}) == 7


def test_a_verdict_the_history_rules_change_commits_theirs_not_the_one_prepared(
    store: Store, receiver: Receiver
) -> None:
    """A worker prepares the usual verdict's writes before the lock; when TR332 (a ToewijzingNummer given
    before) rejects under it, the rejection is what commits: no facts, no relay, no ``message.mapped``."""
    first = small_jw301(3)  # the same ToewijzingNummer again, for another client (a valid BSN all the same)
    again = first.replace(b"<ijw:Identificatie>114139017<", b"<ijw:Identificatie>114139099<").replace(
        b"<jw301:Bsn>999937881<", b"<jw301:Bsn>999968403<"
    )
    assert again.count(b"114139099") == 1 and again.count(b"999968403") == 1
    ids = [submit(store, data, sender=None).message_id for data in (first, again)]
    with _deliverer(receiver.url) as d:
        _run_until_drained(store, d, concurrency=1)
    delivered, rejected = (store.get_message(mid) for mid in ids)
    assert delivered is not None and delivered.status is MessageStatus.DELIVERED
    assert rejected is not None and rejected.status is MessageStatus.REJECTED
    assert [f.rule for f in rejected.findings] == ["TR332"]
    assert b"9332" in (rejected.retour or b"")
    assert store.facts_of(ids[0]) and not store.facts_of(ids[1])
    assert [event.event for event in store.audit_events(ids[1])] == ["message.received", "message.rejected"]
    assert receiver.delivered_keys() == {ids[0]}
    assert store.verify_audit().ok
