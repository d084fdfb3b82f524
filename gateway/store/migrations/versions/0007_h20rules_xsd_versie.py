"""messages.basisschema_xsd and messages.bericht_xsd: the XsdVersie a message's header declares (TR371).

A JW325's XsdVersieDeclaratie must repeat the XsdVersie of the JW323 it answers, which
``messages.version`` ("3.2", the standard's release) cannot tell. Rows from before this revision,
and messages without an iJw XsdVersie, leave both NULL: unknown, so TR371 cannot object.

Revision ID: 0007_h20xsd
Revises: 0006_h20tarief
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_h20xsd"
down_revision = "0006_h20tarief"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("basisschema_xsd", sa.String(16)))
        batch.add_column(sa.Column("bericht_xsd", sa.String(16)))


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("bericht_xsd")
        batch.drop_column("basisschema_xsd")
