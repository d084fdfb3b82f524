"""tarieven: contract tariffs per gemeente, aanbieder and product (TR418).

Revision ID: 0006_h20tarief
Revises: 0005_h18vsp_vsp
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_h20tarief"
down_revision = "0005_h18vsp_vsp"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "tarieven",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("gemeente", sa.String(4), nullable=False),
        sa.Column("aanbieder", sa.String(8), nullable=False),
        sa.Column("productcategorie", sa.String(2), nullable=False),
        sa.Column("productcode", sa.String(5)),
        sa.Column("eenheid", sa.String(2), nullable=False),
        sa.Column("frequentie", sa.String(1)),
        sa.Column("tarief_cent", sa.BigInteger(), nullable=False),
        sa.Column("ingangsdatum", sa.Date(), nullable=False),
        sa.Column("einddatum", sa.Date()),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_tarieven_gemeente_aanbieder", "tarieven", ["gemeente", "aanbieder"])


def downgrade() -> None:
    op.drop_index("ix_tarieven_gemeente_aanbieder", table_name="tarieven")
    op.drop_table("tarieven")
