"""messages.finding_counts: every finding of a verdict counted per rule or XSD error type.

A verdict keeps at most ``KETENPOORT_MAX_FINDINGS`` findings in ``messages.findings``; this column
keeps the exact count of each kind beside them, so a capped verdict still says how many there were.
NULL for messages validated before it existed (their findings were all kept).

Revision ID: 0004_hval
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_hval"
down_revision = "0004_h20rules"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("finding_counts", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("finding_counts")
