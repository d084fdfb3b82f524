"""vsp_berichten and vsp_offers: VSP-Koppeling traceerId/conversatieId per message, and what a party may pull.

Revision ID: 0005_h18vsp_vsp
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_h18vsp_vsp"
down_revision = "0004_h22ops"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WAITING = sa.text("confirmed_at IS NULL")


def upgrade() -> None:
    op.create_table(
        "vsp_berichten",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("traceer_id", sa.String(36), nullable=False),
        sa.Column("conversatie_id", sa.String(36), nullable=False),
        sa.Column("als_antwoord_op", sa.String(36)),
        sa.Column("referentie_id", sa.String(150)),
        sa.Column("message_id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("afzender", sa.String(128), nullable=False),
        sa.Column("routering", sa.JSON(), nullable=False),
        sa.Column("verwerkingscontext", sa.JSON()),
        sa.Column("heen_message_id", sa.String(32)),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("uq_vsp_berichten_traceer_id", "vsp_berichten", ["traceer_id"], unique=True)
    op.create_index("ix_vsp_berichten_conversatie_id", "vsp_berichten", ["conversatie_id"])
    op.create_index("ix_vsp_berichten_als_antwoord_op", "vsp_berichten", ["als_antwoord_op"])
    op.create_index("ix_vsp_berichten_message_id", "vsp_berichten", ["message_id"])
    op.create_index("ix_vsp_berichten_heen_message_id", "vsp_berichten", ["heen_message_id"])
    op.create_table(
        "vsp_offers",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("party", sa.String(128), nullable=False),
        sa.Column("bericht_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True)),
    )
    op.create_index("uq_vsp_offers_party_bericht", "vsp_offers", ["party", "bericht_id"], unique=True)
    op.create_index(
        "ix_vsp_offers_waiting", "vsp_offers", ["party", "id"], sqlite_where=WAITING, postgresql_where=WAITING
    )
    op.create_index("ix_vsp_offers_message_id", "vsp_offers", ["message_id"])


def downgrade() -> None:
    op.drop_table("vsp_offers")
    op.drop_table("vsp_berichten")
