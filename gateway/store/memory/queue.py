"""Intake with dedup, and the job queue (claims, leases, hold-backs, failures, burials) in memory.

The same behaviour as :mod:`gateway.store.intake` and :mod:`gateway.store.queue`, which are its spec.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gateway.contracts import Job, StoredMessage
from gateway.intake import IntakeRecord, SubmitResult
from gateway.model import MessageStatus, Stage, Standard
from gateway.store.ids import new_id
from gateway.store.intake import declaratienummer
from gateway.store.memory.state import JobRow, MessageRow, Rows, State, Tx
from gateway.store.queue import HOLD_BACK_S, conversation
from gateway.store.text import MAX_RULES_IN_EVENT, short_text

_ORDERED = frozenset({Stage.VALIDATE, Stage.MAP})


def _first_sending(rows: Rows, record: IntakeRecord) -> tuple[str, bool] | None:
    """The first message with the record's key (else its sender + Idempotency-Key), and is this a duplicate."""
    found: list[tuple[MessageRow, bool]] = []
    key = record.dedup_key
    ordered = sorted(rows.messages.values(), key=lambda m: m.id)
    if key is not None:
        sender, kind, value = key
        stuf = record.standard == Standard.STUF_JZ
        for m in ordered:
            if stuf and m.standard == Standard.STUF_JZ and m.sender == sender and m.external_id == value:
                found.append((m, True))
                break
            if not stuf and m.sender == sender and m.message_type == kind and m.external_id == value:
                found.append((m, False))
                break
    if not found and record.sender is not None and record.idempotency_key is not None:
        for m in ordered:
            if m.sender == record.sender and m.idempotency_key == record.idempotency_key:
                found.append((m, False))
                break
    if not found:
        return None
    first, always = found[0]
    return first.id, always or first.payload_sha256 == record.payload_sha256


def intake(state: State, record: IntakeRecord) -> SubmitResult:
    """Store ``record`` and its first job, or answer with the earlier message."""
    with state.write() as tx:
        first = _first_sending(tx.rows, record)
        resend_of: str | None = None
        if first is not None:
            first_id, duplicate = first
            if duplicate:
                tx.audit("message.duplicate", first_id, data={"source": record.source, "sha256": record.payload_sha256})
                return SubmitResult(
                    first_id, MessageStatus.DUPLICATE, False, retour=record.duplicate_retour, duplicate_of=first_id
                )
            resend_of = first_id
        mid = new_id(int(tx.wall * 1000))
        tx.rows.messages[mid] = MessageRow(
            mid, record.sender, record.receiver, record.standard, record.message_type, record.version,
            record.external_id, record.idempotency_key, record.source, record.status, record.payload,
            record.payload_sha256, len(record.payload), tx.now, tx.now, tuple(record.findings),
            resend_of=resend_of, declaratienummer=declaratienummer(record),
        )  # fmt: skip
        if record.status is MessageStatus.RECEIVED:
            tx.enqueue(Stage.VALIDATE, mid)
        event: dict[str, Any] = {
            "sender": record.sender, "receiver": record.receiver, "type": record.message_type,
            "external_id": record.external_id, "source": record.source, "sha256": record.payload_sha256,
            "size": len(record.payload), "findings": [f.rule or f.kind for f in record.findings][:MAX_RULES_IN_EVENT],
        }  # fmt: skip
        if resend_of is not None:
            event["resend_of"] = resend_of
        tx.audit(f"message.{record.status}", mid, data=event)
        return SubmitResult(mid, record.status, True, tuple(record.findings), resend_of=resend_of)


def _due(rows: Rows, stages: Sequence[Stage], now: float) -> list[JobRow]:
    wanted = set(stages)
    due = [j for j in rows.jobs.values() if not j.done and j.stage in wanted and j.run_after <= now >= j.lease_until]
    return sorted(due, key=lambda j: (j.run_after, j.id))


def claim_many(state: State, stages: Sequence[Stage], worker_id: str, lease_s: float, limit: int) -> list[Job]:
    """Lease up to ``limit`` due jobs of ``stages``, oldest due first."""
    if not stages or limit < 1:
        return []
    with state.write() as tx:
        rows = _due(tx.rows, stages, tx.wall)[:limit]
        for j in rows:
            j.lease_until, j.leased_by = tx.wall + lease_s, worker_id[:64]
        return [Job(j.id, j.stage, j.message_id, j.attempts) for j in rows]


def release(state: State, jobs: Sequence[Job]) -> None:
    """Give back claimed jobs unrun: due again at once."""
    with state.write() as tx:
        for job in jobs:
            row = tx.rows.jobs.get(job.id)
            if row is not None and not row.done:
                row.lease_until, row.leased_by = 0.0, None


def hold_back(state: State, jobs: Sequence[Job]) -> list[Job]:
    """Those of ``jobs`` with an earlier unfinished job of their conversation held elsewhere (deferred a moment)."""
    ordered = [job for job in jobs if job.stage in _ORDERED and job.message_id is not None]
    if not ordered:
        return []
    mine = {job.id for job in ordered}
    with state.write() as tx:
        rows = tx.rows
        last = max(rows.jobs[i].run_after for i in mine if i in rows.jobs)
        open_ = [j for j in rows.jobs.values() if not j.done and j.stage in _ORDERED and j.run_after <= last]
        elsewhere: set[tuple[str, str]] = set()
        waiting: set[int] = set()
        for j in sorted(open_, key=lambda j: (j.run_after, j.id)):
            m = rows.messages.get(j.message_id or "")
            if m is None:
                continue
            pair = conversation(m.sender, m.receiver)
            if j.id not in mine:
                elsewhere.add(pair)
            elif pair in elsewhere:
                waiting.add(j.id)
        for i in waiting:
            rows.jobs[i].lease_until, rows.jobs[i].leased_by = tx.wall + HOLD_BACK_S, None
    return [job for job in jobs if job.id in waiting]


def fail(state: State, job: Job, error: str, delay_s: float) -> None:
    """attempts + 1, due again after ``delay_s``."""
    with state.write() as tx:
        row = tx.rows.jobs.get(job.id)
        if row is None or row.done:
            return
        row.attempts += 1
        row.run_after, row.lease_until, row.leased_by = tx.wall + max(0.0, delay_s), 0.0, None
        row.last_error = short_text(error)
        tx.audit("job.failed", job.message_id,
                 data={"job": job.id, "stage": str(job.stage), "error": short_text(error, 200),
                       "attempts": job.attempts + 1, "retry_in_s": round(delay_s, 3)})  # fmt: skip


def bury(state: State, job: Job, error: str) -> None:
    """The job is done with its error kept, its message dead (replayable)."""
    with state.write() as tx:
        row = tx.rows.jobs.get(job.id)
        if row is None or row.done:
            return
        row.done, row.lease_until, row.leased_by, row.attempts = True, 0.0, None, row.attempts + 1
        row.last_error = short_text(error)
        message = tx.rows.messages.get(job.message_id or "")
        if message is None:
            return
        message.status, message.updated_at = MessageStatus.DEAD, tx.now
        data = {"job": job.id, "stage": str(job.stage), "error": short_text(error, 200), "attempts": job.attempts + 1}
        tx.audit("message.dead", message.id, data=data)


def skip(state: State, job: Job) -> None:
    """Finish a job whose message already moved on."""
    with state.write() as tx:
        tx.finish_job(job.id)


def stored(m: MessageRow) -> StoredMessage:
    """What the stages read of a message."""
    return StoredMessage(m.id, m.status, m.payload, m.receiver, m.received_at, m.relay_attempts,
                         m.first_attempt_at, m.source)  # fmt: skip


def finish(tx: Tx, job: Job) -> float | None:
    """:meth:`Tx.finish_job` for ``job``."""
    return tx.finish_job(job.id)


__all__ = ["bury", "claim_many", "fail", "finish", "hold_back", "intake", "release", "skip", "stored"]
