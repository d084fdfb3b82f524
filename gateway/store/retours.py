"""Retours that go back to their sender (a GGk sender gets its retour as a ggk_Du01): what to send, and each attempt.

A retour job (:attr:`Stage.RETOUR`) is enqueued with the verdict when the message came in on a
channel that answers that way (:data:`gateway.contracts.RETOUR_BACK_SOURCES`). Each attempt is a
``deliveries`` row with a verdict ``retour-...`` and an audit event ``retour.<verdict>``; the
count of those rows is the retour's retry budget, so no column is needed. A retry is a fresh
retour job after the delay. The message's own status (its heenbericht's relay) is not touched.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from gateway import audit
from gateway.contracts import Job, RelayDecision, RetourToSend, Verdict
from gateway.model import Stage
from gateway.ports import Commit
from gateway.store import statements as st
from gateway.store.database import Database
from gateway.store.queue import finish_job
from gateway.store.schema import deliveries, messages
from gateway.store.text import short_text

RETOUR_VERDICT_PREFIX = "retour-"


class Retours:
    """:meth:`retour_to_send` and :meth:`prepare_retour`."""

    def __init__(self, db: Database) -> None:
        """Over ``db``."""
        self._db = db

    def retour_to_send(self, message_id: str) -> RetourToSend | None:
        """The retour of ``message_id`` and its earlier attempts; None for an unknown message."""
        with self._db.read_one() as conn:
            row = conn.execute(
                sa.select(messages.c.retour, messages.c.sender, messages.c.idempotency_key).where(
                    messages.c.id == message_id
                )
            ).first()
            if row is None:
                return None
            tried = conn.execute(
                sa.select(sa.func.count(), sa.func.min(deliveries.c.at)).where(
                    deliveries.c.message_id == message_id,
                    deliveries.c.verdict.like(f"{RETOUR_VERDICT_PREFIX}%"),
                )
            ).one()
        first = tried[1]
        return RetourToSend(
            message_id,
            row.retour,
            row.sender,
            row.idempotency_key,
            int(tried[0] or 0),
            None if first is None else float(first.timestamp()),
        )

    def prepare_retour(self, job: Job, decision: RelayDecision) -> Commit:
        """The writes of one retour attempt: its delivery row and event; on RETRY the next retour job."""
        mid = job.message_id or ""
        result = decision.result
        verdict = str(decision.verdict)
        row: dict[str, Any] | None = None
        if decision.attempted:
            row = {"message_id": mid, "attempt": decision.attempts, "status_code": result.status_code,
                   "latency_ms": result.latency_ms, "verdict": f"{RETOUR_VERDICT_PREFIX}{verdict}",
                   "error": short_text(result.error)}  # fmt: skip
        event = audit.prepare(
            f"retour.{verdict}",
            mid,
            data={"attempt": decision.attempts, "attempted": decision.attempted, "channel": result.channel,
                  "status_code": result.status_code, "error": short_text(result.error, 200)},
        )  # fmt: skip

        def commit() -> None:
            with self._db.write() as tx:
                if finish_job(tx, job) is None:
                    return
                if row is not None:
                    tx.execute(st.INSERT_DELIVERY, {**row, "at": tx.now})  # one object: the runner caches by it
                if decision.verdict is Verdict.RETRY:
                    tx.enqueue(Stage.RETOUR, mid, delay_s=decision.delay_s)
                tx.record(event)

        return commit


__all__ = ["RETOUR_VERDICT_PREFIX", "Retours"]
