"""A PipelineStore wrapper that counts what the stages decided, for the demo's progress bar and summary.

It delegates every call to the real store and only watches the outcomes go by, so the demo
reports what the pipeline did without asking the store for anything beyond the contract.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field

from gateway.contracts import Job, RelayDecision, StoredMessage, Verdict
from gateway.facts import Fact
from gateway.intake import IntakeRecord, SubmitResult
from gateway.model import Finding, MessageStatus, Stage
from gateway.ports import MessageHistory, PipelineStore, WriteBatch

TERMINAL = frozenset({MessageStatus.REJECTED, MessageStatus.DELIVERED, MessageStatus.DEAD})


@dataclass
class Outcomes:
    """Where each message ended up, its findings, and how many retours were made."""

    status: dict[str, MessageStatus] = field(default_factory=dict)
    findings: dict[str, tuple[Finding, ...]] = field(default_factory=dict)
    retours: int = 0
    attempts: int = 0
    facts: int = 0

    def counts(self) -> Counter[str]:
        """Messages per status."""
        return Counter(str(status) for status in self.status.values())

    def finished(self) -> int:
        """Messages in a terminal state (rejected, delivered, dead)."""
        return sum(1 for status in self.status.values() if status in TERMINAL)


class Tally:
    """Honours PipelineStore by delegation and records every outcome in :attr:`outcomes`."""

    def __init__(self, store: PipelineStore) -> None:
        """Wrap ``store``."""
        self.store = store
        self.outcomes = Outcomes()
        self._lock = threading.Lock()

    def _set(self, message_id: str | None, status: MessageStatus) -> None:
        with self._lock:
            self.outcomes.status[message_id or ""] = status

    def intake(self, record: IntakeRecord) -> SubmitResult:
        """Delegate; a created message is counted as received (or rejected when unreadable)."""
        result = self.store.intake(record)
        if result.created:
            self._set(result.message_id, result.status)
            if result.findings:
                with self._lock:
                    self.outcomes.findings[result.message_id] = tuple(result.findings)
        return result

    def claim_many(self, stages: Sequence[Stage], worker_id: str, lease_s: float, limit: int) -> list[Job]:
        """Delegate."""
        return self.store.claim_many(stages, worker_id, lease_s, limit)

    def batch(self) -> AbstractContextManager[WriteBatch]:
        """Delegate."""
        return self.store.batch()

    def release(self, jobs: Sequence[Job]) -> None:
        """Delegate."""
        self.store.release(jobs)

    def hold_back(self, jobs: Sequence[Job]) -> list[Job]:
        """Delegate."""
        return self.store.hold_back(jobs)

    def fail(self, job: Job, error: str, delay_s: float) -> None:
        """Delegate."""
        self.store.fail(job, error, delay_s)

    def bury(self, job: Job, error: str) -> None:
        """Delegate, then note the message dead."""
        self.store.bury(job, error)
        self._set(job.message_id, MessageStatus.DEAD)

    def messages(self, message_ids: Sequence[str]) -> dict[str, StoredMessage]:
        """Delegate."""
        return self.store.messages(message_ids)

    def payload_sizes(self, message_ids: Sequence[str]) -> dict[str, int]:
        """Delegate."""
        return self.store.payload_sizes(message_ids)

    def message(self, message_id: str) -> StoredMessage | None:
        """Delegate."""
        return self.store.message(message_id)

    def history(self) -> MessageHistory | None:
        """Delegate."""
        return self.store.history()

    def prepare_validate(
        self,
        job: Job,
        status: MessageStatus,
        findings: Sequence[Finding],
        retour: bytes | None,
        facts: Sequence[Fact] | None = None,
        *,
        counts: Mapping[str, int] | None = None,
        retour_job: bool = False,
    ) -> Callable[[], None]:
        """Delegate; the returned call notes the verdict, its findings and the facts kept with it once made."""
        commit = self.store.prepare_validate(job, status, findings, retour, facts, counts=counts, retour_job=retour_job)

        def noted() -> None:
            commit()
            self._set(job.message_id, status)
            with self._lock:
                self.outcomes.findings[job.message_id or ""] = tuple(findings)
                self.outcomes.retours += retour is not None
                self.outcomes.facts += len(facts or ())

        return noted

    def finish_map(self, job: Job, facts: Sequence[Fact]) -> None:
        """Delegate, then count the facts kept."""
        self.store.finish_map(job, facts)
        with self._lock:
            self.outcomes.facts += len(facts)

    def prepare_relay(self, job: Job, decision: RelayDecision) -> Callable[[], None]:
        """Delegate; the returned call notes delivered, dead or still relaying once made."""
        commit = self.store.prepare_relay(job, decision)
        status = {
            Verdict.DELIVERED: MessageStatus.DELIVERED,
            Verdict.DEAD: MessageStatus.DEAD,
            Verdict.RETRY: MessageStatus.RELAYING,
        }[decision.verdict]

        def noted() -> None:
            commit()
            self._set(job.message_id, status)
            with self._lock:
                self.outcomes.attempts += decision.attempted

        return noted

    def skip(self, job: Job) -> None:
        """Delegate."""
        self.store.skip(job)


__all__ = ["TERMINAL", "Outcomes", "Tally"]
