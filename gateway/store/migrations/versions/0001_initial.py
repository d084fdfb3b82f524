"""Initial schema: messages, jobs, deliveries, facts, audit events and the audit chain head.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Stamp = sa.DateTime(timezone=True)
GENESIS = "0" * 64


def upgrade() -> None:
    op.create_table(
        "messages",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("sender", sa.String(128)),
        sa.Column("receiver", sa.String(128)),
        sa.Column("standard", sa.String(16)),
        sa.Column("type", sa.String(64)),
        sa.Column("version", sa.String(16)),
        sa.Column("external_id", sa.String(256)),
        sa.Column("idempotency_key", sa.String(256)),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("payload", sa.LargeBinary()),
        sa.Column("payload_sha256", sa.String(64), nullable=False),
        sa.Column("payload_size", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("retour", sa.LargeBinary()),
        sa.Column("findings", sa.JSON()),
        sa.Column("relay_attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("first_attempt_at", sa.Float()),
        sa.Column("received_at", Stamp, nullable=False),
        sa.Column("updated_at", Stamp, nullable=False),
        sa.Column("delivered_at", Stamp),
        sa.Column("purged_at", Stamp),
    )
    where_ext = sa.text("sender IS NOT NULL AND external_id IS NOT NULL")
    where_key = sa.text("sender IS NOT NULL AND idempotency_key IS NOT NULL")
    op.create_index(
        "uq_messages_sender_external_id", "messages", ["sender", "external_id"], unique=True,
        sqlite_where=where_ext, postgresql_where=where_ext,
    )
    op.create_index(
        "uq_messages_sender_idempotency_key", "messages", ["sender", "idempotency_key"], unique=True,
        sqlite_where=where_key, postgresql_where=where_key,
    )
    for column in ("status", "received_at", "delivered_at", "sender", "receiver"):
        op.create_index(f"ix_messages_{column}", "messages", [column])

    op.create_table(
        "jobs",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("message_id", sa.String(32)),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("run_after", sa.Float(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("lease_until", sa.Float(), nullable=False, server_default="0"),
        sa.Column("leased_by", sa.String(64)),
        sa.Column("last_error", sa.String(512)),
        sa.Column("done", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_index(
        "ix_jobs_due", "jobs", ["stage", "run_after"],
        sqlite_where=sa.text("NOT done"), postgresql_where=sa.text("NOT done"),
    )
    op.create_index("ix_jobs_message_id", "jobs", ["message_id"])

    op.create_table(
        "deliveries",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("message_id", sa.String(32), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("status_code", sa.Integer()),
        sa.Column("latency_ms", sa.Float()),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("error", sa.String(512)),
        sa.Column("at", Stamp, nullable=False),
    )
    op.create_index("ix_deliveries_message_id", "deliveries", ["message_id"])

    op.create_table(
        "facts",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("message_id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("client", sa.String(64), nullable=False),
        sa.Column("aanbieder", sa.String(64), nullable=False),
        sa.Column("gemeente", sa.String(16), nullable=False),
        sa.Column("productcategorie", sa.String(8)),
        sa.Column("productcode", sa.String(16)),
        sa.Column("cbs_hulpvorm", sa.String(16)),
        sa.Column("begindatum", sa.Date(), nullable=False),
        sa.Column("einddatum", sa.Date()),
        sa.Column("volume", sa.BigInteger()),
        sa.Column("eenheid", sa.String(8)),
        sa.Column("bedrag_cent", sa.BigInteger()),
        sa.Column("toewijzingnummer", sa.String(64)),
        sa.Column("referentienummer", sa.String(64)),
        sa.Column("woongemeente", sa.String(16)),
        sa.Column("financiering", sa.String(16), nullable=False),
        sa.Column("declared_at", Stamp),
    )
    op.create_index("ix_facts_message_id", "facts", ["message_id"])
    op.create_index("ix_facts_gemeente_aanbieder", "facts", ["gemeente", "aanbieder"])
    op.create_index("ix_facts_toewijzingnummer", "facts", ["toewijzingnummer"])
    op.create_index("ix_facts_referentienummer", "facts", ["aanbieder", "referentienummer"])

    op.create_table(
        "audit_events",
        sa.Column("seq", BigId, primary_key=True, autoincrement=False),
        sa.Column("at", Stamp, nullable=False),
        sa.Column("message_id", sa.String(32)),
        sa.Column("event", sa.String(64), nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_audit_events_message_id", "audit_events", ["message_id"])

    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("base_seq", sa.BigInteger(), nullable=False),
        sa.Column("base_hash", sa.String(64), nullable=False),
    )
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": GENESIS, "base_seq": 0, "base_hash": GENESIS}])


def downgrade() -> None:
    for table in ("audit_head", "audit_events", "facts", "deliveries", "jobs", "messages"):
        op.drop_table(table)
