"""facts.status_aanlevering and facts.reden: what the start/stop rules (TR063..TR415) need from earlier messages.

``status_aanlevering`` is a StartProduct's or StopProduct's StatusAanlevering (1 first delivery,
3 removal); ``reden`` the StopProduct's RedenBeeindiging or the ToegewezenProduct's RedenWijziging.
Rows from before this revision leave both NULL, read as StatusAanlevering 1 and no reason.

Revision ID: 0004_h20rules
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_h20rules"
down_revision = "0004_h19pkg"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("facts") as batch:
        batch.add_column(sa.Column("status_aanlevering", sa.String(2)))
        batch.add_column(sa.Column("reden", sa.String(4)))


def downgrade() -> None:
    with op.batch_alter_table("facts") as batch:
        batch.drop_column("reden")
        batch.drop_column("status_aanlevering")
