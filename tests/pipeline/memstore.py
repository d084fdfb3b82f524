"""A stand-in store in memory honouring PipelineStore, until gateway/store lands (then tests use the real one)."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from gateway.facts import Fact
from gateway.intake import IntakeRecord, SubmitResult
from gateway.model import Finding, MessageStatus, Stage
from gateway.rules.context import MessageHistory
from workers.loop import Job
from workers.pipeline import StoredMessage
from workers.stages.relay import RelayDecision, Verdict


@dataclass
class _JobRow:
    job: Job
    run_after: float = 0.0
    lease_until: float = 0.0
    done: bool = False


@dataclass
class MemStore:
    messages: dict[str, StoredMessage] = field(default_factory=dict)
    keys: dict[tuple[str, str], str] = field(default_factory=dict)
    jobs: list[_JobRow] = field(default_factory=list)
    deliveries: list[tuple[str, int | None, str]] = field(default_factory=list)
    findings: dict[str, tuple[Finding, ...]] = field(default_factory=dict)
    facts: dict[str, tuple[Fact, ...]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    ids: itertools.count[int] = field(default_factory=itertools.count)

    def _enqueue(self, stage: Stage, message_id: str, delay: float = 0.0, attempts: int = 0) -> None:
        self.jobs.append(_JobRow(Job(next(self.ids), stage, message_id, attempts), time.monotonic() + delay))

    def intake(self, record: IntakeRecord) -> SubmitResult:
        with self.lock:
            key = record.dedup_key
            if key is not None and key in self.keys:
                return SubmitResult(self.keys[key], MessageStatus.DUPLICATE, False, retour=record.duplicate_retour)
            mid = f"m-{len(self.messages):06d}"
            now = datetime.now(UTC)
            self.messages[mid] = StoredMessage(mid, record.status, record.payload, record.receiver, now)
            if key is not None:
                self.keys[key] = mid
            if record.status is MessageStatus.RECEIVED:
                self._enqueue(Stage.VALIDATE, mid)
            return SubmitResult(mid, record.status, True, record.findings)

    def claim(self, stages: Sequence[Stage], worker_id: str, lease_s: float) -> Job | None:
        now = time.monotonic()
        with self.lock:
            for row in self.jobs:
                if not row.done and row.job.stage in stages and row.run_after <= now and row.lease_until <= now:
                    row.lease_until = now + lease_s
                    return row.job
        return None

    def _finish(self, job: Job) -> None:
        for row in self.jobs:
            if row.job.id == job.id:
                row.done = True

    def fail(self, job: Job, error: str, delay_s: float) -> None:
        with self.lock:
            self._finish(job)
            self._enqueue(job.stage, job.message_id or "", delay_s, job.attempts + 1)

    def skip(self, job: Job) -> None:
        with self.lock:
            self._finish(job)

    def message(self, message_id: str) -> StoredMessage | None:
        with self.lock:
            return self.messages.get(message_id)

    def history(self) -> MessageHistory | None:
        return None

    def finish_validate(
        self, job: Job, status: MessageStatus, findings: Sequence[Finding], retour: bytes | None
    ) -> None:
        with self.lock:
            mid = job.message_id or ""
            self.messages[mid] = replace(self.messages[mid], status=status)
            self.findings[mid] = tuple(findings)
            self._finish(job)
            if status is MessageStatus.ACCEPTED:
                self._enqueue(Stage.MAP, mid)

    def finish_map(self, job: Job, facts: Sequence[Fact]) -> None:
        with self.lock:
            mid = job.message_id or ""
            self.facts[mid] = tuple(facts)
            self._finish(job)
            self._enqueue(Stage.RELAY, mid)

    def finish_relay(self, job: Job, decision: RelayDecision) -> None:
        with self.lock:
            mid = job.message_id or ""
            msg = self.messages[mid]
            self._finish(job)
            if decision.attempted:
                self.deliveries.append((mid, decision.result.status_code, decision.verdict.value))
            first = msg.first_attempt_at if msg.first_attempt_at is not None else time.time()
            status = {
                Verdict.DELIVERED: MessageStatus.DELIVERED,
                Verdict.DEAD: MessageStatus.DEAD,
                Verdict.RETRY: MessageStatus.RELAYING,
            }[decision.verdict]
            self.messages[mid] = replace(msg, status=status, relay_attempts=decision.attempts, first_attempt_at=first)
            if decision.verdict is Verdict.RETRY:
                self._enqueue(Stage.RELAY, mid, decision.delay_s)

    def replay(self, mid: str) -> None:
        with self.lock:
            msg = self.messages[mid]
            self.messages[mid] = replace(msg, status=MessageStatus.RELAYING, relay_attempts=0, first_attempt_at=None)
            self._enqueue(Stage.RELAY, mid)

    def pending(self) -> int:
        with self.lock:
            return sum(1 for row in self.jobs if not row.done)

    def stuck(self) -> list[tuple[Job, float, float]]:
        now = time.monotonic()
        with self.lock:
            return [(r.job, r.run_after - now, r.lease_until - now) for r in self.jobs if not r.done]

    def counts(self) -> dict[str, int]:
        with self.lock:
            out: dict[str, int] = {}
            for msg in self.messages.values():
                out[str(msg.status)] = out.get(str(msg.status), 0) + 1
            return out
