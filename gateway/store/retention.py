"""Retention: payloads go once delivery is confirmed and the retention window passed; metadata after months.

``purge_payloads`` nulls the payload and retour of delivered messages (CORV: content is destroyed
once routing is confirmed), and of rejected and duplicate ones after their own window, one audit
event per message. Dead messages keep theirs, for ``dlq replay``, until the metadata goes.
``purge_metadata`` deletes old finished messages with their jobs and deliveries, and prunes the
audit chain's oldest events behind an anchor: ``audit_head.base_seq/base_hash`` move up to the last
pruned event and an
``audit.pruned`` event naming that anchor is appended, so ``audit verify`` still proves the
remaining chain. Facts (pseudonymised, the gemeente's accounting record) are kept. Messages still
in flight (received, accepted, relaying) are never deleted; dead ones are, after the window.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from gateway.contracts import Job
from gateway.model import MessageStatus, Stage
from gateway.store import statements as st
from gateway.store.database import Database
from gateway.store.queue import finish_job
from gateway.store.schema import audit_events, audit_head, deliveries, jobs, messages, vsp_berichten, vsp_offers
from gateway.store.tx import Tx
from gateway.store.views import PurgeResult

BATCH = 500
RETENTION_EVERY_S = 3600.0
"""How often a worker running the retention stage purges."""

_UNPULLED = sa.exists().where(vsp_offers.c.message_id == messages.c.id, vsp_offers.c.confirmed_at.is_(None))
"""A VSP party has not confirmed (pulled) this message's retour or heenbericht yet: its content stays."""

_FINISHED = [str(s) for s in (MessageStatus.DELIVERED, MessageStatus.REJECTED, MessageStatus.DUPLICATE,
                              MessageStatus.DEAD)]  # fmt: skip


class Retention:
    """Payload and metadata purges, and the recurring retention job."""

    def __init__(self, db: Database) -> None:
        """Over ``db``."""
        self._db = db

    def purge_payloads(self, older_than: datetime, *, refused_before: datetime | None = None) -> int:
        """Null payload and retour of messages delivered before ``older_than``; how many.

        ``refused_before``: also of rejected and duplicate messages answered before it. They are never
        relayed, so nothing confirms their routing; their sender had the retour, and what stays (the
        findings, the sha256, the audit trail) explains the verdict without the BSNs in the payload.
        """
        total = self._purge(
            sa.and_(messages.c.status == str(MessageStatus.DELIVERED), messages.c.delivered_at < older_than),
            older_than,
        )
        if refused_before is not None:
            refused = [str(MessageStatus.REJECTED), str(MessageStatus.DUPLICATE)]
            total += self._purge(
                sa.and_(messages.c.status.in_(refused), messages.c.updated_at < refused_before), refused_before
            )
        return total

    def _purge(self, which: sa.ColumnElement[bool], before: datetime) -> int:
        total = 0
        while True:
            with self._db.write(alone=True) as tx:  # chunked: never one long transaction
                ids = list(
                    tx.conn.execute(
                        sa.select(messages.c.id).where(which, messages.c.purged_at.is_(None), ~_UNPULLED).limit(BATCH)
                    ).scalars()
                )
                if not ids:
                    return total
                tx.conn.execute(
                    messages.update().where(messages.c.id.in_(ids)).values(payload=None, retour=None, purged_at=tx.now)
                )
                tx.conn.execute(jobs.delete().where(jobs.c.message_id.in_(ids), jobs.c.done))
                for mid in ids:
                    tx.audit("message.payload_purged", mid, data={"before": before.isoformat()})
            total += len(ids)

    def purge_metadata(self, older_than: datetime) -> tuple[int, int]:
        """Delete finished messages received before ``older_than`` and prune older audit events; (messages, events)."""
        deleted = 0
        while True:
            with self._db.write(alone=True) as tx:  # chunked: never one long transaction
                ids = list(
                    tx.conn.execute(
                        sa.select(messages.c.id)
                        .where(messages.c.status.in_(_FINISHED), messages.c.received_at < older_than)
                        .limit(BATCH)
                    ).scalars()
                )
                if not ids:
                    break
                tx.conn.execute(deliveries.delete().where(deliveries.c.message_id.in_(ids)))
                tx.conn.execute(jobs.delete().where(jobs.c.message_id.in_(ids)))
                tx.conn.execute(vsp_offers.delete().where(vsp_offers.c.message_id.in_(ids)))
                tx.conn.execute(vsp_berichten.delete().where(vsp_berichten.c.message_id.in_(ids)))
                tx.conn.execute(messages.delete().where(messages.c.id.in_(ids)))
                tx.audit("messages.deleted", None, data={"count": len(ids), "before": older_than.isoformat()})
            deleted += len(ids)
        with self._db.write(alone=True) as tx:  # chunked: never one long transaction
            tx.conn.execute(jobs.delete().where(jobs.c.done, jobs.c.run_after < older_than.timestamp()))
            pruned = self._prune_audit(tx, older_than)
        return deleted, pruned

    def _prune_audit(self, tx: Tx, older_than: datetime) -> int:
        """Delete the chain's events before ``older_than`` behind a new anchor, recorded as an event itself."""
        through = tx.conn.execute(
            sa.select(sa.func.max(audit_events.c.seq)).where(audit_events.c.at < older_than)
        ).scalar()
        if through is None:
            return 0
        anchor = tx.conn.execute(sa.select(audit_events.c.hash).where(audit_events.c.seq == through)).scalar_one()
        count = tx.conn.execute(audit_events.delete().where(audit_events.c.seq <= through)).rowcount
        tx.conn.execute(audit_head.update().where(audit_head.c.id == 1).values(base_seq=through, base_hash=anchor))
        tx.audit("audit.pruned", None, data={"through_seq": int(through), "through_hash": anchor, "events": count})
        return int(count)

    def purge(
        self, payload_before: datetime, metadata_before: datetime, *, refused_before: datetime | None = None
    ) -> PurgeResult:
        """One retention run (the retention stage and ``ketenpoort retention run``)."""
        payloads = self.purge_payloads(payload_before, refused_before=refused_before)
        deleted, pruned = self.purge_metadata(metadata_before)
        return PurgeResult(payloads, deleted, pruned)

    def ensure_retention_job(self, *, delay_s: float = 0.0) -> None:
        """Make sure one retention job is queued (workers running the retention stage pick it up)."""
        with self._db.write() as tx:
            self._ensure_retention(tx, delay_s)

    def _ensure_retention(self, tx: Tx, delay_s: float) -> None:
        open_one = tx.conn.execute(
            sa.select(jobs.c.id)
            .where(jobs.c.message_id.is_(None), jobs.c.stage == str(Stage.RETENTION), st.NOT_DONE)
            .limit(1)
        ).first()
        if open_one is None:
            tx.enqueue(Stage.RETENTION, None, delay_s=delay_s)

    def finish_retention(self, job: Job) -> None:
        """Finish a retention job and schedule the next run in the same transaction.

        Its own name, not an override of :meth:`skip`: which of two ``skip`` methods ran used to be
        decided by the order of the store's base classes.
        """
        with self._db.write() as tx:
            if finish_job(tx, job) is not None and job.stage is Stage.RETENTION:
                self._ensure_retention(tx, RETENTION_EVERY_S)


__all__ = ["RETENTION_EVERY_S", "Retention"]
