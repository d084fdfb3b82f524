"""jobs: one partial index in claim order (run_after, id) WHERE NOT done, replacing (stage, run_after).

A claim walks it from the front and stops at the first due job of its stages, instead of sorting
every due job of every asked stage (which made each claim cost O(backlog)).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

NOT_DONE = sa.text("NOT done")


def upgrade() -> None:
    op.drop_index("ix_jobs_due", table_name="jobs")
    op.create_index("ix_jobs_next", "jobs", ["run_after", "id"], sqlite_where=NOT_DONE, postgresql_where=NOT_DONE)


def downgrade() -> None:
    op.drop_index("ix_jobs_next", table_name="jobs")
    op.create_index("ix_jobs_due", "jobs", ["stage", "run_after"], sqlite_where=NOT_DONE, postgresql_where=NOT_DONE)
