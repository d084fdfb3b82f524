"""Hot-path statements, built once: SQLAlchemy then skips re-building and re-keying them on every call.

Parameters are passed at execution; for the UPDATEs the SET clause is the parameter names that are
columns (``{"status": ..., "updated_at": ...}``), the WHERE clause uses ``b_``-prefixed names.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import bindparam

from gateway.store.schema import deliveries, facts, jobs, messages

INSERT_MESSAGE = messages.insert()
INSERT_JOB = jobs.insert()
INSERT_FACT = facts.insert()

_FIRST = sa.select(messages.c.id, messages.c.payload_sha256).where(
    messages.c.sender == bindparam("b_sender"), messages.c.resend_of.is_(None)
)
BY_EXTERNAL_ID = (
    _FIRST.where(messages.c.type == bindparam("b_type"), messages.c.external_id == bindparam("b_value"))
    .order_by(messages.c.id)
    .limit(1)
)
"""The first sending of (sender, message type, identification): the iJw duplicate key."""
BY_STUF_REFERENTIE = (
    _FIRST.where(messages.c.standard == "stuf-jz", messages.c.external_id == bindparam("b_value"))
    .order_by(messages.c.id)
    .limit(1)
)
"""The first StUF message of (zender, referentienummer), whatever its type: StUF016's key."""
BY_IDEMPOTENCY_KEY = _FIRST.where(messages.c.idempotency_key == bindparam("b_value")).order_by(messages.c.id).limit(1)

_STAGE_READ = sa.select(
    messages.c.id,
    messages.c.status,
    messages.c.payload,
    messages.c.receiver,
    messages.c.received_at,
    messages.c.relay_attempts,
    messages.c.first_attempt_at,
    messages.c.source,
)
READ_MESSAGE = _STAGE_READ.where(messages.c.id == bindparam("b_id"))
READ_MESSAGES = _STAGE_READ.where(messages.c.id.in_(bindparam("b_ids", expanding=True)))
"""What the stages read of a message; of a batch's messages in one statement."""

PAYLOAD_SIZES = sa.select(messages.c.id, messages.c.payload_size).where(
    messages.c.id.in_(bindparam("b_ids", expanding=True))
)
"""How large a batch's payloads are, before they are read."""

UPDATE_MESSAGE = messages.update().where(messages.c.id == bindparam("b_id"))
"""SET whatever columns the parameters name."""

UPDATE_RELAYED = (
    messages.update()
    .where(messages.c.id == bindparam("b_id"))
    .values(first_attempt_at=sa.func.coalesce(messages.c.first_attempt_at, bindparam("b_first", type_=sa.Float())))
)
"""After a relay attempt: the first attempt's time is kept (``b_first`` None when nothing was attempted)."""

INSERT_DELIVERY = deliveries.insert()

FINISH_JOB = (
    jobs.update()
    .where(jobs.c.id == bindparam("b_id"), sa.not_(jobs.c.done))
    .values(done=True, lease_until=0.0)
    .returning(jobs.c.run_after)
)
"""No row back when the job was already done; else its ``run_after``, which the next stage's job inherits."""

FINISH_JOB_THEN_PG = (
    sa.text(
        "WITH done AS (UPDATE jobs SET done = true, lease_until = 0.0 WHERE jobs.id = :b_id AND NOT jobs.done "
        "RETURNING LEAST(jobs.run_after, :b_wall) AS due), "
        "next AS (INSERT INTO jobs (message_id, stage, run_after) SELECT :b_mid, s.stage, done.due "
        "FROM done CROSS JOIN unnest(CAST(:b_stages AS VARCHAR[])) WITH ORDINALITY AS s(stage, n) ORDER BY s.n) "
        "SELECT due FROM done"
    )
    .bindparams(
        bindparam("b_id", type_=sa.BigInteger()),
        bindparam("b_wall", type_=sa.Float()),
        bindparam("b_mid", type_=sa.String()),
        bindparam("b_stages", type_=sa.ARRAY(sa.String())),
    )
    .columns(due=sa.Float())
)
"""PostgreSQL: :data:`FINISH_JOB` and the next stages' jobs in one statement, one round trip instead of two or
three (SQLite has no data-modifying CTE, and no round trips to save). No row back when the job was done."""

RELEASE_JOBS = (
    jobs.update()
    .where(jobs.c.id.in_(bindparam("b_ids", expanding=True)), sa.not_(jobs.c.done))
    .values(lease_until=0.0, leased_by=None)
)
"""Claimed jobs handed back unrun (a stopping worker, a rolled-back batch): due again at once."""

NOT_DONE = sa.text("NOT jobs.done")
"""Spelled as the partial index ``ix_jobs_next`` spells it: SQLAlchemy would write ``done = 0`` on SQLite,
which SQLite does not match to the index's ``NOT done`` (a full scan and sort per claim)."""

_IS_DUE = (
    NOT_DONE,
    jobs.c.stage.in_(bindparam("b_stages", expanding=True)),
    jobs.c.run_after <= bindparam("b_now"),
    jobs.c.lease_until <= bindparam("b_now"),
)
DUE = sa.select(jobs.c.id).where(*_IS_DUE).order_by(jobs.c.run_after, jobs.c.id).limit(1)


def claim_statement(skip_locked: bool) -> sa.Update:
    """Lease the first ``b_limit`` due jobs: one UPDATE ... WHERE id IN (SELECT ... [FOR UPDATE SKIP LOCKED]) RETURNING.

    The rows come back in no particular order; the caller sorts them by (run_after, id).
    """
    due = DUE.limit(bindparam("b_limit"))
    if skip_locked:  # PostgreSQL: the claimed rows as a CTE, joined back by primary key
        claimed = due.with_for_update(skip_locked=True, of=jobs).cte("due")
        where = jobs.c.id == claimed.c.id
    else:
        where = jobs.c.id.in_(due.scalar_subquery())
    return (
        jobs.update()
        .where(where)
        .values(lease_until=bindparam("b_lease_until"), leased_by=bindparam("b_worker"))
        .returning(*_CLAIMED)
    )


_CLAIMED = (jobs.c.id, jobs.c.stage, jobs.c.message_id, jobs.c.attempts, jobs.c.run_after)

ORDERED_UP_TO = (
    sa.select(jobs.c.id, jobs.c.run_after, messages.c.sender, messages.c.receiver)
    .select_from(jobs.join(messages, messages.c.id == jobs.c.message_id))
    .where(
        NOT_DONE,
        jobs.c.stage.in_(bindparam("b_stages", expanding=True)),
        jobs.c.run_after
        <= sa.select(sa.func.max(jobs.c.run_after))
        .where(jobs.c.id.in_(bindparam("b_ids", expanding=True)))
        .scalar_subquery(),
    )
    .order_by(jobs.c.run_after, jobs.c.id)
)
"""Unfinished jobs of the ordered stages, in queue order, up to the latest of the given ones, with their parties."""

DEFER_JOBS = (
    jobs.update()
    .where(jobs.c.id.in_(bindparam("b_ids", expanding=True)), sa.not_(jobs.c.done))
    .values(lease_until=bindparam("b_until"), leased_by=None)
)
"""Claimed jobs that must wait: not claimable until ``b_until``, their place in the queue (run_after) kept."""


__all__ = [
    "BY_EXTERNAL_ID",
    "BY_IDEMPOTENCY_KEY",
    "BY_STUF_REFERENTIE",
    "DEFER_JOBS",
    "DUE",
    "FINISH_JOB",
    "FINISH_JOB_THEN_PG",
    "INSERT_DELIVERY",
    "INSERT_FACT",
    "INSERT_JOB",
    "INSERT_MESSAGE",
    "ORDERED_UP_TO",
    "PAYLOAD_SIZES",
    "READ_MESSAGE",
    "READ_MESSAGES",
    "RELEASE_JOBS",
    "UPDATE_MESSAGE",
    "UPDATE_RELAYED",
    "claim_statement",
]
