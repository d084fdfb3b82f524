"""An in-memory store with the announced read API and the PipelineStore seams, until gateway.store lands.

Messages, jobs, audit events and deliveries are kept in dicts under one lock; list_messages is
keyset-paginated newest first like the real one. Tests that can use the real store do.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from gateway.contracts import Job, RelayDecision, StoredMessage, Verdict
from gateway.facts import Fact
from gateway.intake import IntakeRecord, SubmitResult
from gateway.model import Finding, MessageStatus, Stage
from gateway.rules.context import MessageHistory


@dataclass(frozen=True)
class Row:
    id: str
    status: MessageStatus
    sender: str | None
    receiver: str | None
    standard: str | None
    message_type: str | None
    external_id: str | None
    received_at: datetime
    payload: bytes | None
    findings: tuple[Finding, ...] = ()
    retour: bytes | None = None
    relay_attempts: int = 0
    first_attempt_at: float | None = None


@dataclass
class MemoryStore:
    rows: dict[str, Row] = field(default_factory=dict)
    keys: dict[tuple[str, str], str] = field(default_factory=dict)
    idem: dict[tuple[str, str], str] = field(default_factory=dict)
    jobs: dict[int, tuple[Job, float, float]] = field(default_factory=dict)  # job, run_after, lease_until
    events: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    attempts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    fact_rows: list[Fact] = field(default_factory=list)
    lock: threading.RLock = field(default_factory=threading.RLock)
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    clock: datetime = field(default_factory=lambda: datetime(2026, 1, 1, tzinfo=UTC))

    # --- intake and pipeline seams -------------------------------------------------------
    def _event(self, mid: str, stage: str, event: str, actor: str = "system") -> None:
        event_row = {"at": datetime.now(UTC), "stage": stage, "event": event, "actor": actor}
        self.events.setdefault(mid, []).append(event_row)

    def _enqueue(self, stage: Stage, mid: str, delay: float = 0.0) -> None:
        jid = next(self.ids)
        self.jobs[jid] = (Job(jid, stage, mid), time.monotonic() + delay, 0.0)

    def intake(self, record: IntakeRecord) -> SubmitResult:
        with self.lock:
            key = record.dedup_key
            if key is not None and key in self.keys:
                return SubmitResult(self.keys[key], MessageStatus.DUPLICATE, False, retour=record.duplicate_retour)
            ikey = (record.sender or "", record.idempotency_key) if record.idempotency_key else None
            if ikey is not None and ikey in self.idem:
                first = self.rows[self.idem[ikey]]
                return SubmitResult(first.id, first.status, False)
            mid = f"m{len(self.rows) + 1:05d}"
            self.clock += timedelta(seconds=1)
            self.rows[mid] = Row(mid, record.status, record.sender, record.receiver, record.standard,
                                 record.message_type, record.external_id, self.clock, record.payload,
                                 record.findings)  # fmt: skip
            if key is not None:
                self.keys[key] = mid
            if ikey is not None:
                self.idem[ikey] = mid
            self._event(mid, "intake", str(record.status))
            if record.status is MessageStatus.RECEIVED:
                self._enqueue(Stage.VALIDATE, mid)
            return SubmitResult(mid, record.status, True, record.findings)

    def claim(self, stages: Sequence[Stage], worker_id: str, lease_s: float) -> Job | None:
        now = time.monotonic()
        with self.lock:
            for jid, (job, run_after, lease) in sorted(self.jobs.items()):
                if job.stage in stages and run_after <= now and lease <= now:
                    self.jobs[jid] = (job, run_after, now + lease_s)
                    return job
        return None

    def fail(self, job: Job, error: str, delay_s: float) -> None:
        with self.lock:
            self.jobs[job.id] = (replace(job, attempts=job.attempts + 1), time.monotonic() + delay_s, 0.0)

    def skip(self, job: Job) -> None:
        with self.lock:
            self.jobs.pop(job.id, None)

    def message(self, message_id: str) -> StoredMessage | None:
        with self.lock:
            r = self.rows.get(message_id)
            if r is None:
                return None
            return StoredMessage(r.id, r.status, r.payload, r.receiver, r.received_at, r.relay_attempts,
                                 r.first_attempt_at)  # fmt: skip

    def history(self) -> MessageHistory | None:
        return None

    def finish_validate(
        self, job: Job, status: MessageStatus, findings: Sequence[Finding], retour: bytes | None
    ) -> None:
        with self.lock:
            mid = job.message_id or ""
            self.rows[mid] = replace(self.rows[mid], status=status, findings=tuple(findings), retour=retour)
            self.jobs.pop(job.id, None)
            self._event(mid, "validate", str(status))
            if status is MessageStatus.ACCEPTED:
                self._enqueue(Stage.MAP, mid)

    def finish_map(self, job: Job, facts: Sequence[Fact]) -> None:
        with self.lock:
            mid = job.message_id or ""
            self.fact_rows.extend(facts)
            self.jobs.pop(job.id, None)
            self._event(mid, "map", f"{len(facts)} facts")
            self._enqueue(Stage.RELAY, mid)

    def finish_relay(self, job: Job, decision: RelayDecision) -> None:
        with self.lock:
            mid = job.message_id or ""
            row = self.rows[mid]
            self.jobs.pop(job.id, None)
            if decision.attempted:
                attempt = {"at": datetime.now(UTC), "status_code": decision.result.status_code}
                self.attempts.setdefault(mid, []).append({**attempt, "verdict": decision.verdict.value})
            status = {Verdict.DELIVERED: MessageStatus.DELIVERED, Verdict.DEAD: MessageStatus.DEAD,
                      Verdict.RETRY: MessageStatus.RELAYING}[decision.verdict]  # fmt: skip
            first = row.first_attempt_at if row.first_attempt_at is not None else time.time()
            self.rows[mid] = replace(row, status=status, relay_attempts=decision.attempts, first_attempt_at=first)
            self._event(mid, "relay", str(status))
            if decision.verdict is Verdict.RETRY:
                self._enqueue(Stage.RELAY, mid, decision.delay_s)

    # --- read API as announced for gateway.store ------------------------------------------
    def get_message(self, mid: str) -> Row | None:
        with self.lock:
            return self.rows.get(mid)

    def list_messages(
        self,
        *,
        parties: frozenset[str] | None = None,
        status: MessageStatus | None = None,
        since: datetime | None = None,
        cursor: str | None = None,
        limit: int = 50,
    ) -> tuple[list[Row], str | None]:
        with self.lock:
            rows = sorted(self.rows.values(), key=lambda r: r.id, reverse=True)
        picked = [
            r
            for r in rows
            if (parties is None or r.sender in parties or r.receiver in parties)
            and (status is None or r.status is status)
            and (since is None or r.received_at >= since)
            and (cursor is None or r.id < cursor)
        ]
        page = picked[:limit]
        return page, (page[-1].id if len(picked) > limit else None)

    def audit_events(self, mid: str) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.events.get(mid, []))

    def deliveries(self, mid: str) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.attempts.get(mid, []))

    def dead_letters(self) -> list[Row]:
        with self.lock:
            return [r for r in self.rows.values() if r.status is MessageStatus.DEAD]

    def replay(self, mid: str, *, actor: str) -> None:
        with self.lock:
            row = self.rows[mid]
            if row.status is not MessageStatus.DEAD:
                raise ValueError("not dead")
            self.rows[mid] = replace(row, status=MessageStatus.RELAYING, relay_attempts=0, first_attempt_at=None)
            self._event(mid, "relay", "replayed", actor)
            self._enqueue(Stage.RELAY, mid)

    def status_counts(self) -> dict[str, int]:
        with self.lock:
            out: dict[str, int] = {}
            for r in self.rows.values():
                out[str(r.status)] = out.get(str(r.status), 0) + 1
            return out

    def throughput(self) -> list[tuple[str, int]]:
        with self.lock:
            out: dict[str, int] = {}
            for r in self.rows.values():
                label = r.received_at.strftime("%H:%M")
                out[label] = out.get(label, 0) + 1
            return sorted(out.items())

    def facts(self) -> list[Fact]:
        with self.lock:
            return list(self.fact_rows)

    def migrations_current(self) -> bool:
        return True
