"""Each stage's outcome with its next job, retours, remote refusals and retention, in memory.

The spec is :mod:`gateway.store.outcomes`, :mod:`~gateway.store.retours`, :mod:`~gateway.store.remote`
and :mod:`~gateway.store.retention`; a finish for a job that is already done changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from gateway.bsn import scrub
from gateway.contracts import Job, RelayDecision, RetourToSend, Verdict
from gateway.facts import Fact
from gateway.model import Finding, MessageStatus, Stage
from gateway.ports import Commit
from gateway.store.memory.state import DeliveryRow, State, Tx
from gateway.store.outcomes import _RELAY_STATUS
from gateway.store.retention import RETENTION_EVERY_S
from gateway.store.retours import RETOUR_VERDICT_PREFIX
from gateway.store.text import MAX_RULES_IN_EVENT, short_text
from gateway.store.views import PurgeResult

_DEAD_FROM = frozenset({MessageStatus.DELIVERED, MessageStatus.RELAYING, MessageStatus.ACCEPTED})
_FINISHED = frozenset({MessageStatus.DELIVERED, MessageStatus.REJECTED, MessageStatus.DUPLICATE, MessageStatus.DEAD})


def _keep_facts(tx: Tx, mid: str, facts: Sequence[Fact], due: float) -> None:
    tx.rows.facts.extend((mid, f) for f in facts)
    tx.enqueue(Stage.RELAY, mid, due_at=due)
    tx.audit("message.mapped", mid, data={"facts": len(facts)})


def prepare_validate(
    state: State, job: Job, status: MessageStatus, findings: Sequence[Finding], retour: bytes | None, *,
    facts: Sequence[Fact] | None, counts: Mapping[str, int] | None, retour_job: bool,
) -> Commit:  # fmt: skip
    """The verdict's writes: accepted → a map job (or, with ``facts``, the facts and a relay job)."""
    mid = job.message_id or ""
    exact = dict(counts) if counts else None
    total = max(sum(exact.values()), len(findings)) if exact else len(findings)
    data = {"findings": total, "rules": sorted({f.rule or f.kind for f in findings})[:MAX_RULES_IN_EVENT],
            "retourcodes": sorted({f.retourcode for f in findings if f.retourcode})[:MAX_RULES_IN_EVENT],
            "retour": retour is not None}  # fmt: skip
    kept = tuple(findings)

    def commit() -> None:
        with state.write() as tx:
            due = tx.finish_job(job.id)
            if due is None:
                return
            m = tx.rows.messages[mid]
            m.status, m.findings, m.finding_counts, m.retour, m.updated_at = status, kept, exact, retour, tx.now
            tx.audit(f"message.{status}", mid, data=data)
            if retour_job and retour is not None:
                tx.enqueue(Stage.RETOUR, mid, due_at=due)
            if status is not MessageStatus.ACCEPTED:
                return
            if facts is None:
                tx.enqueue(Stage.MAP, mid, due_at=due)
            else:
                _keep_facts(tx, mid, facts, due)

    return commit


def finish_map(state: State, job: Job, facts: Sequence[Fact]) -> None:
    """Keep the facts; → a relay job."""
    with state.write() as tx:
        due = tx.finish_job(job.id)
        if due is not None:
            _keep_facts(tx, job.message_id or "", facts, due)


def prepare_relay(state: State, job: Job, decision: RelayDecision) -> Commit:
    """One relay attempt's writes: its delivery, the status, on RETRY the next relay job after the delay."""
    mid = job.message_id or ""
    result, status = decision.result, _RELAY_STATUS[decision.verdict]

    def commit() -> None:
        with state.write() as tx:
            if tx.finish_job(job.id) is None:
                return
            m = tx.rows.messages[mid]
            if decision.attempted:
                error = short_text(result.error)
                row = DeliveryRow(mid, decision.attempts, result.status_code, result.latency_ms, str(decision.verdict),
                                  error, tx.now)  # fmt: skip
                tx.rows.deliveries.append(row)
                if m.first_attempt_at is None:
                    m.first_attempt_at = tx.wall
            m.status, m.relay_attempts, m.updated_at = status, decision.attempts, tx.now
            if status is MessageStatus.DELIVERED:
                m.delivered_at = tx.now
            if decision.verdict is Verdict.RETRY:
                tx.enqueue(Stage.RELAY, mid, delay_s=decision.delay_s)
            if decision.attempted or status is not MessageStatus.RELAYING:
                tx.audit(
                    "message.relaying" if status is MessageStatus.RELAYING else f"message.{status}", mid,
                    data={"attempt": decision.attempts, "attempted": decision.attempted,
                          "status_code": result.status_code, "outcome": str(result.outcome),
                          "error": short_text(result.error, 200), "retry_in_s": round(decision.delay_s, 3)},
                )  # fmt: skip

    return commit


def retour_to_send(state: State, message_id: str) -> RetourToSend | None:
    """The retour of ``message_id`` and its earlier attempts; None for an unknown message."""
    with state.read() as rows:
        m = rows.messages.get(message_id)
        if m is None:
            return None
        tried = [d.at for d in rows.deliveries
                 if d.message_id == message_id and d.verdict.startswith(RETOUR_VERDICT_PREFIX)]  # fmt: skip
    first = min(tried).timestamp() if tried else None
    return RetourToSend(message_id, m.retour, m.sender, m.idempotency_key, len(tried), first)


def prepare_retour(state: State, job: Job, decision: RelayDecision) -> Commit:
    """One retour attempt's writes: its delivery row and event; on RETRY the next retour job."""
    mid, result, verdict = job.message_id or "", decision.result, str(decision.verdict)

    def commit() -> None:
        with state.write() as tx:
            if tx.finish_job(job.id) is None:
                return
            if decision.attempted:
                tx.rows.deliveries.append(DeliveryRow(mid, decision.attempts, result.status_code, result.latency_ms,
                                                      f"{RETOUR_VERDICT_PREFIX}{verdict}", short_text(result.error),
                                                      tx.now))  # fmt: skip
            if decision.verdict is Verdict.RETRY:
                tx.enqueue(Stage.RETOUR, mid, delay_s=decision.delay_s)
            tx.audit(f"retour.{verdict}", mid,
                     data={"attempt": decision.attempts, "attempted": decision.attempted, "channel": result.channel,
                           "status_code": result.status_code, "error": short_text(result.error, 200)})  # fmt: skip

    return commit


def record_remote_refusal(
    state: State, candidates: Sequence[str], *, channel: str, code: str, text: str, actor: str
) -> str | None:
    """A partner's refusal on the first of ``candidates`` that exists: dead unless refused already; its id."""
    error = scrub(f"{code}: {text}")[:500]
    with state.write() as tx:
        m = next((tx.rows.messages[c] for c in candidates if c in tx.rows.messages), None)
        if m is None:
            return None
        before = m.status
        if before in _DEAD_FROM:
            m.status, m.updated_at = MessageStatus.DEAD, tx.now
        tx.rows.deliveries.append(DeliveryRow(m.id, m.relay_attempts, None, None, "refused", error, tx.now))
        tx.audit("message.refused_remotely", m.id, actor=actor,
                 data={"channel": channel, "code": code[:20], "error": error[:200], "from": str(before)})  # fmt: skip
        return m.id


def purge_payloads(state: State, older_than: datetime, refused_before: datetime | None) -> int:
    """Null payload and retour of delivered messages (and, with ``refused_before``, rejected and duplicate ones)."""
    with state.write() as tx:
        total = 0
        for m in sorted(tx.rows.messages.values(), key=lambda m: m.id):
            delivered = (
                m.status is MessageStatus.DELIVERED and m.delivered_at is not None and m.delivered_at < older_than
            )
            refused = (refused_before is not None and m.status in (MessageStatus.REJECTED, MessageStatus.DUPLICATE)
                       and m.updated_at < refused_before)  # fmt: skip
            if m.purged_at is not None or not (delivered or refused):
                continue
            m.payload, m.retour, m.purged_at = None, None, tx.now
            tx.rows.jobs = {i: j for i, j in tx.rows.jobs.items() if not (j.message_id == m.id and j.done)}
            before = older_than if delivered else refused_before
            tx.audit("message.payload_purged", m.id, data={"before": before.isoformat() if before else None})
            total += 1
        return total


def purge_metadata(state: State, older_than: datetime) -> tuple[int, int]:
    """Delete finished messages received before ``older_than``, prune older audit events behind an anchor."""
    with state.write() as tx:
        rows = tx.rows
        gone = {m.id for m in rows.messages.values() if m.status in _FINISHED and m.received_at < older_than}
        if gone:
            rows.messages = {i: m for i, m in rows.messages.items() if i not in gone}
            rows.jobs = {i: j for i, j in rows.jobs.items() if j.message_id not in gone}
            rows.deliveries = [d for d in rows.deliveries if d.message_id not in gone]
            tx.audit("messages.deleted", None, data={"count": len(gone), "before": older_than.isoformat()})
    with state.write() as tx:
        rows = tx.rows
        cutoff = older_than.timestamp()
        rows.jobs = {i: j for i, j in rows.jobs.items() if not (j.done and j.run_after < cutoff)}
        old = [e for e in rows.audit if e.at < older_than]
        if not old:
            return len(gone), 0
        through = old[-1]
        rows.audit = [e for e in rows.audit if e.seq > through.seq]
        rows.base_seq, rows.base_hash = through.seq, through.hash
        pruned = len(old)
        tx.audit(
            "audit.pruned", None, data={"through_seq": through.seq, "through_hash": through.hash, "events": pruned}
        )
    return len(gone), pruned


def purge(
    state: State, payload_before: datetime, metadata_before: datetime, refused_before: datetime | None
) -> PurgeResult:
    """One retention run."""
    payloads = purge_payloads(state, payload_before, refused_before)
    deleted, pruned = purge_metadata(state, metadata_before)
    return PurgeResult(payloads, deleted, pruned)


def ensure_retention_job(tx: Tx, delay_s: float) -> None:
    """One open retention job, queued unless there is one."""
    if not any(j.message_id is None and j.stage is Stage.RETENTION and not j.done for j in tx.rows.jobs.values()):
        tx.enqueue(Stage.RETENTION, None, delay_s=delay_s)


def finish_retention(state: State, job: Job) -> None:
    """Finish a retention job and schedule the next run."""
    with state.write() as tx:
        if tx.finish_job(job.id) is not None and job.stage is Stage.RETENTION:
            ensure_retention_job(tx, RETENTION_EVERY_S)


__all__ = [
    "finish_map",
    "finish_retention",
    "prepare_relay",
    "prepare_retour",
    "prepare_validate",
    "purge",
    "record_remote_refusal",
    "retour_to_send",
]
