"""relay_attempts: POSTs answered 2xx, logged within milliseconds, so a retry after a crash does not post again.

Revision ID: 0004_h22ops
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_h22ops"
down_revision = "0004_hval"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "relay_attempts",
        sa.Column("message_id", sa.String(32), primary_key=True),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("latency_ms", sa.Float(), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("relay_attempts")
