"""messages: duplicates are keyed on sender + message type + identification; a changed resend is kept beside.

A retour carries its heenbericht's header, and a JW307 may reuse its JW305's identification, so
the message type joins the key. A resend with the same key but other bytes is stored as its own
message (``resend_of`` names the first) for the validate stage to reject with TR056; the unique
indexes hold only for first sendings.

Revision ID: 0004_h19pkg
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_h19pkg"
down_revision = "0003"
branch_labels = None
depends_on = None

FIRST_EXT = sa.text("sender IS NOT NULL AND external_id IS NOT NULL AND resend_of IS NULL")
FIRST_KEY = sa.text("sender IS NOT NULL AND idempotency_key IS NOT NULL AND resend_of IS NULL")
OLD_EXT = sa.text("sender IS NOT NULL AND external_id IS NOT NULL")
OLD_KEY = sa.text("sender IS NOT NULL AND idempotency_key IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("resend_of", sa.String(32)))
    op.drop_index("uq_messages_sender_external_id", table_name="messages")
    op.drop_index("uq_messages_sender_idempotency_key", table_name="messages")
    op.create_index(
        "uq_messages_sender_type_external_id", "messages", ["sender", "type", "external_id"], unique=True,
        sqlite_where=FIRST_EXT, postgresql_where=FIRST_EXT,
    )
    op.create_index(
        "uq_messages_sender_idempotency_key", "messages", ["sender", "idempotency_key"], unique=True,
        sqlite_where=FIRST_KEY, postgresql_where=FIRST_KEY,
    )
    # StUF's key (zender, referentienummer) and TR056's look-up ask without the type: they need this one
    op.create_index("ix_messages_sender_external_id", "messages", ["sender", "external_id"])


CLASHES = sa.text(
    "SELECT count(*) FROM messages m WHERE m.resend_of IS NOT NULL OR EXISTS (SELECT 1 FROM messages o"
    " WHERE o.id < m.id AND o.sender = m.sender AND o.external_id = m.external_id)"
)


def downgrade() -> None:
    clashes = op.get_bind().execute(CLASHES).scalar_one()
    if clashes:  # the 0003 schema holds one message per (sender, identification): refuse rather than lose any
        raise RuntimeError(
            f"cannot downgrade below 0004_h19pkg: {clashes} messages share a sender and identification with an "
            "earlier one (a retour beside its heenbericht, or a changed resend), which revision 0003 cannot hold"
        )
    op.drop_index("ix_messages_sender_external_id", table_name="messages")
    op.drop_index("uq_messages_sender_type_external_id", table_name="messages")
    op.drop_index("uq_messages_sender_idempotency_key", table_name="messages")
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("resend_of")
    op.create_index(
        "uq_messages_sender_external_id", "messages", ["sender", "external_id"], unique=True,
        sqlite_where=OLD_EXT, postgresql_where=OLD_EXT,
    )
    op.create_index(
        "uq_messages_sender_idempotency_key", "messages", ["sender", "idempotency_key"], unique=True,
        sqlite_where=OLD_KEY, postgresql_where=OLD_KEY,
    )
