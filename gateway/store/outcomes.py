"""Each stage's outcome, committed with its next job and its audit events.

A finish for a job that is already done (its lease expired, another worker ran it and committed
first) changes nothing, so a stage may run twice but counts once.

Workers hold SQLite's one write lock while they commit, so every outcome comes in two steps:
``prepare_*`` does now what needs no lock (the rows, the audit events scrubbed and encoded) and
returns the call that makes the writes; the worker makes it under the lock. ``finish_*`` is both
steps at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import fields
from typing import Any

from gateway import audit
from gateway.contracts import Job, RelayDecision, Verdict
from gateway.facts import Fact
from gateway.model import Finding, MessageStatus, Stage
from gateway.ports import Commit
from gateway.store import statements as st
from gateway.store.database import Database
from gateway.store.queue import finish_job, finish_job_then
from gateway.store.text import MAX_RULES_IN_EVENT, finding_json, short_text
from gateway.store.tx import Tx

_RELAY_STATUS = {
    Verdict.DELIVERED: MessageStatus.DELIVERED,
    Verdict.DEAD: MessageStatus.DEAD,
    Verdict.RETRY: MessageStatus.RELAYING,
}

_FACT_FIELDS = tuple(f.name for f in fields(Fact))


def _fact_rows(mid: str, facts: Sequence[Fact]) -> list[dict[str, Any]]:
    """The facts' columns; their values are scalars, so no deep copy (``dataclasses.asdict`` makes one of each)."""
    return [
        {**{name: getattr(f, name) for name in _FACT_FIELDS}, "kind": str(f.kind), "message_id": mid} for f in facts
    ]


class Outcomes:
    """The validate, map and relay stages' outcomes: the ``prepare_*`` seams of the pipeline port."""

    def __init__(self, db: Database) -> None:
        """Over ``db``."""
        self._db = db

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
    ) -> Commit:
        """:meth:`finish_validate`, prepared now; the returned call makes the writes."""
        mid = job.message_id or ""
        stored = [finding_json(f) for f in findings]
        exact = dict(counts) if counts else None
        total = max(sum(exact.values()), len(findings)) if exact else len(findings)
        rules = sorted({f.rule or f.kind for f in findings})[:MAX_RULES_IN_EVENT]
        codes = sorted({f.retourcode for f in findings if f.retourcode})[:MAX_RULES_IN_EVENT]
        verdict = audit.prepare(
            f"message.{status}",
            mid,
            data={"findings": total, "rules": rules, "retourcodes": codes, "retour": retour is not None},
        )
        accepted = status is MessageStatus.ACCEPTED
        mapped = self._prepare_facts(mid, facts) if accepted and facts is not None else None
        then = [Stage.RETOUR] if retour_job and retour is not None else []
        if accepted:
            then.append(Stage.MAP if mapped is None else Stage.RELAY)

        def commit() -> None:
            with self._db.write() as tx:
                if finish_job_then(tx, job, then) is None:
                    return
                row = {"b_id": mid, "status": str(status), "findings": stored, "finding_counts": exact}
                tx.execute(st.UPDATE_MESSAGE, {**row, "retour": retour, "updated_at": tx.now})
                tx.record(verdict)
                if mapped is not None:
                    self._keep_facts(tx, *mapped)

        return commit

    def finish_validate(
        self,
        job: Job,
        status: MessageStatus,
        findings: Sequence[Finding],
        retour: bytes | None,
        facts: Sequence[Fact] | None = None,
        *,
        counts: Mapping[str, int] | None = None,
        retour_job: bool = False,
    ) -> None:
        """Record the verdict and retour; accepted → a map job, or, with ``facts`` (mapped already), a relay job."""
        self.prepare_validate(job, status, findings, retour, facts, counts=counts, retour_job=retour_job)()

    def finish_map(self, job: Job, facts: Sequence[Fact]) -> None:
        """Keep the facts; → a relay job."""
        mid = job.message_id or ""
        rows, event = self._prepare_facts(mid, facts)
        with self._db.write() as tx:
            if finish_job_then(tx, job, [Stage.RELAY]) is not None:
                self._keep_facts(tx, rows, event)

    @staticmethod
    def _prepare_facts(mid: str, facts: Sequence[Fact]) -> tuple[list[dict[str, Any]], audit.AuditEvent]:
        return _fact_rows(mid, facts), audit.prepare("message.mapped", mid, data={"facts": len(facts)})

    @staticmethod
    def _keep_facts(tx: Tx, rows: list[dict[str, Any]], event: audit.AuditEvent) -> None:
        """The facts and their event; the relay job is the caller's (:func:`finish_job_then`)."""
        if rows:
            tx.executemany(st.INSERT_FACT, rows)
        tx.record(event)

    def prepare_relay(self, job: Job, decision: RelayDecision) -> Commit:
        """:meth:`finish_relay`, prepared now; the returned call makes the writes."""
        mid = job.message_id or ""
        result = decision.result
        status = _RELAY_STATUS[decision.verdict]
        delivery = None
        if decision.attempted:
            delivery = {"message_id": mid, "attempt": decision.attempts, "status_code": result.status_code,
                        "latency_ms": result.latency_ms, "verdict": str(decision.verdict),
                        "error": short_text(result.error)}  # fmt: skip
        event = None
        if decision.attempted or status is not MessageStatus.RELAYING:
            event = audit.prepare(
                "message.relaying" if status is MessageStatus.RELAYING else f"message.{status}",
                mid,
                data={"attempt": decision.attempts, "attempted": decision.attempted,
                      "status_code": result.status_code, "outcome": str(result.outcome),
                      "error": short_text(result.error, 200), "retry_in_s": round(decision.delay_s, 3)},
            )  # fmt: skip

        def commit() -> None:
            with self._db.write() as tx:
                if finish_job(tx, job) is None:
                    return
                if delivery is not None:
                    tx.execute(st.INSERT_DELIVERY, {**delivery, "at": tx.now})
                values: dict[str, Any] = {
                    "b_id": mid,
                    "b_first": tx.wall if decision.attempted else None,
                    "status": str(status),
                    "relay_attempts": decision.attempts,
                    "updated_at": tx.now,
                }
                if status is MessageStatus.DELIVERED:
                    values["delivered_at"] = tx.now
                tx.execute(st.UPDATE_RELAYED, values)
                if decision.verdict is Verdict.RETRY:
                    tx.enqueue(Stage.RELAY, mid, delay_s=decision.delay_s)
                if event is not None:
                    tx.record(event)

        return commit

    def finish_relay(self, job: Job, decision: RelayDecision) -> None:
        """Record the attempt; delivered, dead, or the relay job again after ``decision.delay_s``."""
        self.prepare_relay(job, decision)()


__all__ = ["Outcomes"]
