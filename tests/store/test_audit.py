"""The audit chain: every change is an event; verify finds the first changed, removed or inserted row; no BSN."""

from __future__ import annotations

import io
import re
import threading

import sqlalchemy as sa
import structlog

from gateway import audit
from gateway.bsn import is_valid_bsn
from gateway.contracts import Verdict
from gateway.generate import small_jw301
from gateway.intake import submit
from gateway.logs import configure_logging
from gateway.model import MessageStatus, Stage
from gateway.pseudonym import Pseudonymiser
from gateway.relay import Deliverer, RetryPolicy, Routes
from gateway.store import Store, audit_chain
from gateway.store.schema import audit_events
from tests.store.helpers import decision, record
from tests.support.databases import TEST_PSEUDONYM_KEY
from tests.support.receiver import Receiver
from workers.loop import Worker
from workers.pipeline import handlers


def _history(store: Store, n: int = 4) -> None:
    for i in range(n):
        store.intake(record(f"ID-{i}"))
    for _ in range(n):
        job = store.claim([Stage.VALIDATE], "w", 30)
        assert job is not None
        store.finish_validate(job, MessageStatus.ACCEPTED, [], None)


def _exec(store: Store, statement: sa.Executable) -> None:
    with store.db.engine.begin() as conn:
        conn.execute(statement)


def test_intact_chain_verifies(store: Store) -> None:
    _history(store)
    result = store.verify_audit()
    assert result.ok and result.events == 8
    with store.db.read() as conn:
        assert audit_chain.verify(conn) is None


def test_changed_row_is_found_at_its_seq(store: Store) -> None:
    _history(store)
    _exec(store, audit_events.update().where(audit_events.c.seq == 3).values(actor="mallory"))
    assert store.verify_audit().first_broken == 3


def test_changed_data_is_found(store: Store) -> None:
    _history(store)
    _exec(store, audit_events.update().where(audit_events.c.seq == 5).values(data={"findings": 0, "forged": True}))
    assert store.verify_audit().first_broken == 5


def test_removed_row_is_found_at_its_seq(store: Store) -> None:
    _history(store)
    _exec(store, audit_events.delete().where(audit_events.c.seq == 4))
    assert store.verify_audit().first_broken == 4


def test_removed_last_row_is_found(store: Store) -> None:
    _history(store)
    _exec(store, audit_events.delete().where(audit_events.c.seq == 8))
    assert store.verify_audit().first_broken == 8


def test_inserted_row_is_found(store: Store) -> None:
    _history(store)
    with store.db.read() as conn:
        row = conn.execute(sa.select(audit_events).where(audit_events.c.seq == 6)).one()._asdict()
    # make room after seq 5 and insert a forged event there, chained to seq 5's hash
    for seq in range(8, 5, -1):
        _exec(store, audit_events.update().where(audit_events.c.seq == seq).values(seq=seq + 1))
    with store.db.read() as conn:
        prev = conn.execute(sa.select(audit_events.c.hash).where(audit_events.c.seq == 5)).scalar_one()
    body = audit.canonical(6, row["at"], message_id=None, event="message.forged", actor="mallory", data={})
    forged = {**row, "seq": 6, "message_id": None, "event": "message.forged", "actor": "mallory", "data": {},
              "prev_hash": prev, "hash": audit.chain_hash(prev, body)}  # fmt: skip
    _exec(store, audit_events.insert().values(**forged))
    assert store.verify_audit().first_broken == 7  # the shifted original no longer links to its predecessor


def test_appended_row_past_the_head_is_found(store: Store) -> None:
    _history(store)
    with store.db.read() as conn:
        last = conn.execute(sa.select(audit_events).where(audit_events.c.seq == 8)).one()
    body = audit.canonical(9, last.at, message_id=None, event="message.forged", actor="mallory", data={})
    _exec(store, audit_events.insert().values(seq=9, at=last.at, message_id=None, event="message.forged",
                                               actor="mallory", data={}, prev_hash=last.hash,
                                               hash=audit.chain_hash(last.hash, body)))  # fmt: skip
    assert store.verify_audit().first_broken == 9


def test_concurrent_writers_never_fork_the_chain(store: Store) -> None:
    def writer(k: int) -> None:
        for i in range(15):
            store.intake(record(f"W{k}-{i}"))

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result = store.verify_audit()
    assert result.ok and result.events == 90
    with store.db.read() as conn:
        seqs = list(conn.execute(sa.select(audit_events.c.seq).order_by(audit_events.c.seq)).scalars())
    assert seqs == list(range(1, 91))


def test_every_state_change_of_a_message_is_an_event(store: Store) -> None:
    mid = store.intake(record("ID-1")).message_id
    for stage, finish in ((Stage.VALIDATE, "v"), (Stage.MAP, "m"), (Stage.RELAY, "r")):
        job = store.claim([stage], "w", 30)
        assert job is not None
        if finish == "v":
            store.finish_validate(job, MessageStatus.ACCEPTED, [], None)
        elif finish == "m":
            store.finish_map(job, [])
        else:
            store.finish_relay(job, decision(Verdict.DELIVERED))
    events = [e.event for e in store.audit_events(mid)]
    assert events == ["message.received", "message.accepted", "message.mapped", "message.delivered"]


def test_no_bsn_in_audit_rows_or_log_lines_of_a_real_pipeline_run(store: Store) -> None:
    payload = small_jw301(7)
    bsns = {b.decode() for b in re.findall(rb"<jw301:Bsn>(\d{9})<", payload)}
    assert bsns and all(is_valid_bsn(b) for b in bsns)
    broken = re.sub(rb"<jw301:Geslacht>\d<", b"<jw301:Geslacht>7<", small_jw301(8))  # an XSD finding
    bsns |= {b.decode() for b in re.findall(rb"<jw301:Bsn>(\d{9})<", broken)}
    logs = io.StringIO()
    before = structlog.get_config()
    configure_logging("json", "DEBUG", stream=logs)
    try:
        with Receiver() as rx:
            submit(store, payload, sender=None)
            submit(store, broken, sender=None)
            policy = RetryPolicy(base_s=0.01, cap_s=0.05, max_attempts=3, max_age_s=60.0)
            deliverer = Deliverer(Routes({}, default=rx.url), policy, read_timeout_s=2.0)
            worker = Worker(store, handlers(store, deliverer, Pseudonymiser(TEST_PSEUDONYM_KEY), max_bytes=1 << 20))
            try:
                worker.run(until_idle=True)
            finally:
                deliverer.close()
    finally:
        structlog.configure(**before)  # later tests in this process (capture_logs at INFO) see what they saw
    counts = store.status_counts()
    assert counts["delivered"] == 1 and counts["rejected"] == 1
    with store.db.read() as conn:
        rows = conn.execute(sa.select(audit_events)).all()
    dumped = "\n".join(repr(tuple(r)) for r in rows) + logs.getvalue()
    assert logs.getvalue().count('"event": "audit"') == len(rows)  # every chained event was logged too
    for bsn in bsns:
        assert bsn not in dumped
    assert store.verify_audit().ok


def test_verify_while_writers_append_sees_one_consistent_chain(store: Store) -> None:
    stop = threading.Event()

    def writer(k: int) -> None:
        i = 0
        while not stop.is_set() and i < 300:
            store.intake(record(f"V{k}-{i}"))
            i += 1

    store.intake(record("FIRST"))
    threads = [threading.Thread(target=writer, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    try:
        verdicts = [store.verify_audit() for _ in range(15)]
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert all(v.ok for v in verdicts), [v.first_broken for v in verdicts]
    final = store.verify_audit()
    assert final.ok and final.events >= verdicts[-1].events >= 1
