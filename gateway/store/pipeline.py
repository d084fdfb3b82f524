"""The write side the pipeline uses: intake and job claims with leases (each stage's outcome: :mod:`.finish`).

Every method is one transaction: the outcome, the next job and the audit event commit together
or not at all. A finish for a job that is already done (its lease expired, another worker ran it
and committed first) changes nothing, so a stage may run twice but counts once.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from gateway.contracts import Job, StoredMessage
from gateway.intake import IntakeRecord, SubmitResult
from gateway.model import MessageStatus, Stage, Standard
from gateway.store import statements as st
from gateway.store.base import Tx
from gateway.store.finish import MAX_RULES_IN_EVENT, FinishMixin, finding_json, short_text
from gateway.store.ids import new_id
from gateway.store.schema import jobs
from gateway.store.xsd_versie import xsd_versie

_ORDERED = frozenset({Stage.VALIDATE, Stage.MAP})
"""Stages whose jobs read what earlier messages of their conversation left: committed in conversation order."""

HOLD_BACK_S = 0.05
"""How long a held-back job stays unclaimable: about one batch of the worker that holds the earlier job."""


def _conversation(sender: str | None, receiver: str | None) -> tuple[str, str]:
    """The unordered pair of parties: a gemeente's JW301 and the aanbieder's JW305 answer share it."""
    a, b = sender or "", receiver or ""
    return (a, b) if a <= b else (b, a)


_DECLARATIENUMMER = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?DeclaratieNummer>\s*([^<\s]{1,64})\s*</")


def declaratienummer(record: IntakeRecord) -> str | None:
    """The DeclaratieNummer of a JW323 (the first one, near the top), read without parsing the whole document."""
    if record.message_type != "JW323":
        return None
    found = _DECLARATIENUMMER.search(record.payload)
    return found.group(1).decode("utf-8", "replace") if found else None


def _stored(row: Any) -> StoredMessage:
    return StoredMessage(
        row.id,
        MessageStatus(row.status),
        row.payload,
        row.receiver,
        row.received_at,
        int(row.relay_attempts),
        row.first_attempt_at,
        row.source,
    )


class PipelineMixin(FinishMixin):
    """IntakeStore + JobQueue of :class:`gateway.contracts.PipelineStore` (the stages' outcomes: FinishMixin)."""

    _idle: dict[tuple[str, ...], bool]
    """Per set of stages: did the last claim find nothing (then look before taking the write lock)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """As :class:`StoreBase`."""
        super().__init__(*args, **kwargs)
        self._idle = {}

    # --- intake ------------------------------------------------------------------------
    def intake(self, record: IntakeRecord) -> SubmitResult:
        """Store ``record`` and its first job in one transaction, or answer with the earlier message."""
        try:
            return self._intake_once(record)
        except IntegrityError:  # a concurrent intake of the same key committed first: answer with it
            return self._intake_once(record)

    def intake_many(self, records: Sequence[IntakeRecord]) -> list[SubmitResult]:
        """Store ``records`` with one durable commit (each under its own savepoint); a batch submit uses this.

        A later record with the same key and bytes as an earlier one in the batch is its duplicate.
        """
        with self.batch():
            return [self.intake(record) for record in records]

    def _first_sending(self, tx: Tx, record: IntakeRecord) -> tuple[str, bool] | None:
        """The first message with the record's key, else with its (sender, Idempotency-Key); and is this a duplicate.

        A duplicate has the same bytes; for StUF also any message with the same (zender, referentienummer),
        which StUF016 answers. Otherwise the record is a changed resend of the message found.
        """
        key = record.dedup_key
        lookups: list[tuple[Any, dict[str, Any], bool]] = []
        if key is not None:
            sender, kind, value = key
            if record.standard == Standard.STUF_JZ:
                lookups.append((st.BY_STUF_REFERENTIE, {"b_sender": sender, "b_value": value}, True))
            else:
                lookups.append((st.BY_EXTERNAL_ID, {"b_sender": sender, "b_type": kind, "b_value": value}, False))
        if record.sender is not None and record.idempotency_key is not None:
            params = {"b_sender": record.sender, "b_value": record.idempotency_key}
            lookups.append((st.BY_IDEMPOTENCY_KEY, params, False))
        for statement, params, always_duplicate in lookups:
            found = tx.execute(statement, params).first()
            if found is not None:
                return str(found.id), always_duplicate or found.payload_sha256 == record.payload_sha256
        return None

    def _intake_once(self, record: IntakeRecord) -> SubmitResult:
        with self.write() as tx:
            first = self._first_sending(tx, record)
            resend_of: str | None = None
            if first is not None:
                first_id, duplicate = first
                if duplicate:
                    data = {"source": record.source, "sha256": record.payload_sha256}
                    tx.audit("message.duplicate", first_id, data=data)
                    return SubmitResult(
                        first_id, MessageStatus.DUPLICATE, False, retour=record.duplicate_retour, duplicate_of=first_id
                    )
                resend_of = first_id  # same key, other bytes: a message of its own, which TR056 rejects
            mid = new_id(int(tx.wall * 1000))
            basisschema_xsd, bericht_xsd = xsd_versie(record)
            tx.execute(
                st.INSERT_MESSAGE,
                {
                    "id": mid,
                    "sender": record.sender,
                    "receiver": record.receiver,
                    "standard": record.standard,
                    "type": record.message_type,
                    "version": record.version,
                    "external_id": record.external_id,
                    "idempotency_key": record.idempotency_key,
                    "source": record.source,
                    "status": str(record.status),
                    "payload": record.payload,
                    "payload_sha256": record.payload_sha256,
                    "payload_size": len(record.payload),
                    "declaratienummer": declaratienummer(record),
                    "resend_of": resend_of,
                    "basisschema_xsd": basisschema_xsd,
                    "bericht_xsd": bericht_xsd,
                    "findings": [finding_json(f) for f in record.findings],
                    "relay_attempts": 0,
                    "received_at": tx.now,
                    "updated_at": tx.now,
                },
            )
            if record.status is MessageStatus.RECEIVED:
                tx.enqueue(Stage.VALIDATE, mid)
            event: dict[str, Any] = {
                "sender": record.sender,
                "receiver": record.receiver,
                "type": record.message_type,
                "external_id": record.external_id,
                "source": record.source,
                "sha256": record.payload_sha256,
                "size": len(record.payload),
                "findings": [f.rule or f.kind for f in record.findings][:MAX_RULES_IN_EVENT],
            }
            if resend_of is not None:
                event["resend_of"] = resend_of
            tx.audit(f"message.{record.status}", mid, data=event)
            return SubmitResult(mid, record.status, True, tuple(record.findings), resend_of=resend_of)

    # --- the queue ----------------------------------------------------------------------
    def claim(self, stages: Sequence[Stage], worker_id: str, lease_s: float) -> Job | None:
        """Lease the next due job of one of ``stages`` (PostgreSQL: skipping rows other claimers hold)."""
        claimed = self.claim_many(stages, worker_id, lease_s, 1)
        return claimed[0] if claimed else None

    def claim_many(self, stages: Sequence[Stage], worker_id: str, lease_s: float, limit: int) -> list[Job]:
        """Lease up to ``limit`` due jobs of ``stages`` in one transaction, oldest due first."""
        if not stages or limit < 1:
            return []
        names = [str(s) for s in stages]
        idle = self._idle.get(tuple(names), True)
        if not self.backend.skip_locked and idle:  # SQLite: an idle poller looks before taking the write lock
            with self.read() as conn:
                if self.driver.execute(conn, st.DUE, {"b_stages": names, "b_now": time.time()}).first() is None:
                    return []
        with self.write(light=True) as tx:  # a lease lost to a power cut is harmless: the job is due again
            params = {"b_stages": names, "b_now": tx.wall, "b_lease_until": tx.wall + lease_s,
                      "b_worker": worker_id[:64], "b_limit": limit}  # fmt: skip
            rows = tx.execute(self._claim, params).all()
        self._idle[tuple(names)] = not rows  # while jobs keep coming, skip the look-first read
        rows.sort(key=lambda r: (float(r.run_after), int(r.id)))
        return [Job(int(r.id), Stage(r.stage), r.message_id, int(r.attempts)) for r in rows]

    def release(self, jobs_: Sequence[Job]) -> None:
        """Give back claimed jobs that were not run: due again at once; done jobs are left alone."""
        if not jobs_:
            return
        with self.write(light=True) as tx:
            tx.execute(st.RELEASE_JOBS, {"b_ids": [job.id for job in jobs_]})

    def hold_back(self, jobs_: Sequence[Job]) -> list[Job]:
        """Of these claimed jobs, those that must wait for an earlier job of their conversation held elsewhere.

        A conversation is the unordered sender/receiver pair; its validate and map jobs run in queue
        order, so a message's history rules see every earlier message of the conversation (a JW305
        the JW301 before it). A job with an earlier unfinished job of its conversation outside
        ``jobs_`` is deferred: not claimable for a moment, its place in the queue kept. Workers call
        this just before they commit a batch; an earlier job that commits later cannot appear then.
        """
        ordered = [job for job in jobs_ if job.stage in _ORDERED and job.message_id is not None]
        if not ordered:
            return []
        mine = {job.id for job in ordered}
        params = {"b_ids": sorted(mine), "b_stages": sorted(str(stage) for stage in _ORDERED)}
        with self.read_one() as conn:
            rows = self.driver.execute(conn, st.ORDERED_UP_TO, params).all()
        elsewhere: set[tuple[str, str]] = set()
        waiting: set[int] = set()
        for row in rows:  # in queue order
            pair = _conversation(row.sender, row.receiver)
            if int(row.id) not in mine:
                elsewhere.add(pair)
            elif pair in elsewhere:
                waiting.add(int(row.id))
        if waiting:
            with self.write(light=True) as tx:
                tx.execute(st.DEFER_JOBS, {"b_ids": sorted(waiting), "b_until": tx.wall + HOLD_BACK_S})
        return [job for job in jobs_ if job.id in waiting]

    def fail(self, job: Job, error: str, delay_s: float) -> None:
        """Give the job back after an unexpected error: attempts + 1, due again after ``delay_s``."""
        with self.write() as tx:
            done = tx.conn.execute(
                jobs.update()
                .where(jobs.c.id == job.id, sa.not_(jobs.c.done))
                .values(
                    attempts=jobs.c.attempts + 1,
                    run_after=tx.wall + max(0.0, delay_s),
                    lease_until=0.0,
                    leased_by=None,
                    last_error=short_text(error),
                )
            )
            if done.rowcount:
                tx.audit(
                    "job.failed",
                    job.message_id,
                    data={"job": job.id, "stage": str(job.stage), "error": short_text(error, 200),
                          "attempts": job.attempts + 1, "retry_in_s": round(delay_s, 3)},
                )  # fmt: skip

    def bury(self, job: Job, error: str) -> None:
        """The job's stage failed too often: the job is done (its error kept), its message dead, replayable."""
        mid = job.message_id
        with self.write() as tx:
            done = tx.conn.execute(
                jobs.update()
                .where(jobs.c.id == job.id, sa.not_(jobs.c.done))
                .values(done=True, lease_until=0.0, leased_by=None, attempts=jobs.c.attempts + 1,
                        last_error=short_text(error))
            )  # fmt: skip
            if not done.rowcount or mid is None:
                return
            tx.conn.execute(st.UPDATE_MESSAGE, {"b_id": mid, "status": str(MessageStatus.DEAD), "updated_at": tx.now})
            error_text = short_text(error, 200)
            data = {"job": job.id, "stage": str(job.stage), "error": error_text, "attempts": job.attempts + 1}
            tx.audit("message.dead", mid, data=data)

    def skip(self, job: Job) -> None:
        """Finish a job whose message already moved on (a retention job: :meth:`finish_retention`)."""
        with self.write() as tx:
            self._finish_job(tx, job)

    # --- the stages ---------------------------------------------------------------------
    def message(self, message_id: str) -> StoredMessage | None:
        """What the stages read of a message."""
        with self.read_one() as conn:
            row = self.driver.execute(conn, st.READ_MESSAGE, {"b_id": message_id}).first()
        return None if row is None else _stored(row)

    def messages(self, message_ids: Sequence[str]) -> dict[str, StoredMessage]:
        """What the stages read of these messages, in one statement (a worker reads its batch's at once)."""
        if not message_ids:
            return {}
        with self.read_one() as conn:
            rows = self.driver.execute(conn, st.READ_MESSAGES, {"b_ids": sorted(set(message_ids))}).all()
        return {row.id: _stored(row) for row in rows}

    def payload_sizes(self, message_ids: Sequence[str]) -> dict[str, int]:
        """The payload size of each of these messages, by id (the ones that exist), without reading a payload."""
        if not message_ids:
            return {}
        with self.read_one() as conn:
            rows = self.driver.execute(conn, st.PAYLOAD_SIZES, {"b_ids": sorted(set(message_ids))}).all()
        return {row.id: int(row.payload_size) for row in rows}


__all__ = ["PipelineMixin", "finding_json"]
