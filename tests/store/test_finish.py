"""Each stage's outcome, its next job and its audit event commit together, or nothing does."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from datetime import date

import pytest
import sqlalchemy as sa

from gateway import audit
from gateway.contracts import Job, Verdict
from gateway.facts import Fact, FactKind
from gateway.model import Finding, MessageStatus, Stage
from gateway.store import Store, audit_chain
from gateway.store.schema import audit_events, deliveries, facts, jobs, messages
from tests.store.helpers import decision, record
from tests.support.clock import FakeClock

FACT = Fact(kind=FactKind.TOEWIJZING, client="p-0123456789abcdef0123", aanbieder="12345678", gemeente="0034",
            productcategorie="45", productcode="45A01", cbs_hulpvorm=None, begindatum=date(2026, 1, 1),
            einddatum=None, volume=10, eenheid="04", toewijzingnummer="T1")  # fmt: skip


def _through(store: Store, stage: Stage) -> Job:
    job = store.claim([stage], "w", 30)
    assert job is not None
    return job


def _accepted(store: Store, external_id: str = "ID-1") -> str:
    mid = store.intake(record(external_id)).message_id
    store.finish_validate(_through(store, Stage.VALIDATE), MessageStatus.ACCEPTED, [], None)
    return mid


def _mapped(store: Store) -> str:
    mid = _accepted(store)
    store.finish_map(_through(store, Stage.MAP), [FACT])
    return mid


def _status(store: Store, mid: str) -> MessageStatus:
    msg = store.message(mid)
    assert msg is not None
    return msg.status


def _open_jobs(store: Store) -> list[tuple[str, str]]:
    with store.db.read() as conn:
        rows = conn.execute(
            sa.select(jobs.c.stage, jobs.c.message_id).where(sa.not_(jobs.c.done), jobs.c.stage != "retention")
        ).all()
    return [(r.stage, r.message_id) for r in rows]


def _events(store: Store) -> list[str]:
    with store.db.read() as conn:
        return list(conn.execute(sa.select(audit_events.c.event).order_by(audit_events.c.seq)).scalars())


def test_accepted_goes_on_to_map(store: Store) -> None:
    mid = _accepted(store)
    assert _status(store, mid) is MessageStatus.ACCEPTED and _open_jobs(store) == [("map", mid)]
    assert _events(store) == ["message.received", "message.accepted"]


def test_rejected_keeps_findings_and_retour_and_stops(store: Store) -> None:
    mid = store.intake(record("ID-1")).message_id
    finding = Finding("rule", "BSN 123456782 onbekend", rule="TR304", retourcode="8001")
    store.finish_validate(_through(store, Stage.VALIDATE), MessageStatus.REJECTED, [finding], b"<jw302/>")
    assert _status(store, mid) is MessageStatus.REJECTED and _open_jobs(store) == []
    with store.db.read() as conn:
        row = conn.execute(sa.select(messages.c.findings, messages.c.retour).where(messages.c.id == mid)).one()
    assert row.retour == b"<jw302/>" and row.findings[0]["rule"] == "TR304"
    assert "123456782" not in row.findings[0]["message"]  # the stored finding text is scrubbed too


def test_map_keeps_facts_and_queues_relay(store: Store) -> None:
    mid = _mapped(store)
    assert _open_jobs(store) == [("relay", mid)]
    with store.db.read() as conn:
        row = conn.execute(sa.select(facts)).one()
    assert (row.message_id, row.kind, row.toewijzingnummer, row.begindatum) == (
        mid,
        "toewijzing",
        "T1",
        date(2026, 1, 1),
    )


def test_delivered_records_the_attempt(store: Store) -> None:
    mid = _mapped(store)
    store.finish_relay(_through(store, Stage.RELAY), decision(Verdict.DELIVERED))
    msg = store.message(mid)
    assert msg is not None and msg.status is MessageStatus.DELIVERED and msg.relay_attempts == 1
    assert msg.first_attempt_at is not None and _open_jobs(store) == []
    with store.db.read() as conn:
        row = conn.execute(sa.select(deliveries)).one()
        delivered_at = conn.execute(sa.select(messages.c.delivered_at)).scalar_one()
    assert (row.attempt, row.status_code, row.verdict) == (1, 200, "delivered") and delivered_at is not None


def test_a_prepared_outcome_writes_nothing_until_it_is_committed(store: Store) -> None:
    """prepare_* does the lock-free part only: the relay's rows and events appear when the call is made."""
    mid = _mapped(store)
    commit = store.prepare_relay(_through(store, Stage.RELAY), decision(Verdict.DELIVERED))
    before = _events(store)
    assert _status(store, mid) is MessageStatus.ACCEPTED and ("relay", mid) in _open_jobs(store)
    commit()
    assert _status(store, mid) is MessageStatus.DELIVERED and _open_jobs(store) == []
    assert _events(store) == [*before, "message.delivered"] and store.verify_audit().ok
    commit()  # made twice (a job run twice): the finished job changes nothing
    assert _events(store) == [*before, "message.delivered"] and len(store.deliveries(mid)) == 1


def test_local_refusal_writes_no_delivery_row(store: Store) -> None:
    _mapped(store)
    store.finish_relay(_through(store, Stage.RELAY), decision(Verdict.RETRY, attempts=0, code=None, attempted=False))
    with store.db.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(deliveries)).scalar_one() == 0


def test_a_job_finished_twice_counts_once(store: Store) -> None:
    mid = store.intake(record("ID-1")).message_id
    job = _through(store, Stage.VALIDATE)
    store.finish_validate(job, MessageStatus.ACCEPTED, [], None)
    store.finish_validate(job, MessageStatus.REJECTED, [], None)  # a second worker after an expired lease
    assert _status(store, mid) is MessageStatus.ACCEPTED and _open_jobs(store) == [("map", mid)]


def test_error_inside_the_transaction_leaves_nothing_half_written(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    mid = store.intake(record("ID-1")).message_id
    job = _through(store, Stage.VALIDATE)

    def boom(*_: object, **__: object) -> list[audit.ChainedEvent]:
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit_chain, "append", boom)  # the last write of the transaction fails
    with pytest.raises(RuntimeError):
        store.finish_validate(job, MessageStatus.ACCEPTED, [], None)
    monkeypatch.undo()
    assert _status(store, mid) is MessageStatus.RECEIVED and _open_jobs(store) == [("validate", mid)]
    assert _events(store) == ["message.received"] and store.verify_audit().ok


def test_process_killed_mid_transaction_leaves_nothing_half_written(store: Store, db_url: str) -> None:
    mid = store.intake(record("ID-1")).message_id
    script = textwrap.dedent(
        f"""
        import os, signal
        from gateway.store import audit_chain
        from gateway.model import MessageStatus, Stage
        from gateway.store import Store
        store = Store.open({db_url!r})
        job = store.claim([Stage.VALIDATE], "doomed", 0.5)
        assert job is not None
        def die(*a, **k):
            os.kill(os.getpid(), signal.SIGKILL)
        audit_chain.append = die
        store.finish_validate(job, MessageStatus.ACCEPTED, [], None)
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, check=False)
    assert proc.returncode == -9, proc.stderr.decode()
    assert _status(store, mid) is MessageStatus.RECEIVED and _open_jobs(store) == [("validate", mid)]
    later = Store.open(db_url, clock=FakeClock(time.time() + 0.6))  # past the killed claimer's lease, no sleep
    job = later.claim([Stage.VALIDATE], "survivor", 30)
    later.close()
    assert job is not None and job.message_id == mid
    store.finish_validate(job, MessageStatus.ACCEPTED, [], None)
    assert _events(store) == ["message.received", "message.accepted"] and store.verify_audit().ok
