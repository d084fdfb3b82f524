"""messages.declaratienummer: the JW323 DeclaratieNummer, kept at intake for TR333 after the payload is purged.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("declaratienummer", sa.String(64)))
        batch.create_index("ix_messages_sender_declaratienummer", ["sender", "declaratienummer"])


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.drop_index("ix_messages_sender_declaratienummer")
        batch.drop_column("declaratienummer")
