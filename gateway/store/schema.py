"""The store's tables (SQLAlchemy Core), shared by SQLite and PostgreSQL; Alembic migrations create them.

Queue times (``run_after``, ``lease_until``, ``first_attempt_at``) are epoch seconds as floats:
cheap to compare on both backends and exactly what the workers compute with. Wall-clock
timestamps are :class:`UTCDateTime`, timezone-aware on the way in and out on both backends.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

metadata = sa.MetaData()

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
"""A 64-bit key on PostgreSQL; INTEGER PRIMARY KEY (the rowid) on SQLite."""


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on both backends (SQLite keeps it as naive UTC text)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Normalise to UTC; naive values are taken to be UTC already."""
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        """On SQLite, one step to SQLAlchemy's text form (``YYYY-MM-DD HH:MM:SS.ffffff``, naive UTC).

        The composed default (this decorator, then SQLite's DATETIME formatting a dict) cost ~3.6 µs a
        value; ``isoformat`` ~1.2. A worker binds about a dozen timestamps per message, most of them
        under SQLite's one write lock. Anything but a datetime takes the composed path.
        """
        composed = super().bind_processor(dialect)
        if dialect.name != "sqlite" or composed is None:
            return composed

        def process(value: Any) -> Any:
            if type(value) is not datetime:
                return composed(value)
            if value.tzinfo is not None:
                value = value.astimezone(UTC)
            return value.isoformat(" ", "microseconds")[:26]  # drops the +00:00 of an aware value

        return process

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        """Always hand back an aware UTC datetime."""
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


messages = sa.Table(
    "messages",
    metadata,
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
    sa.Column("finding_counts", sa.JSON()),
    sa.Column("relay_attempts", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("first_attempt_at", sa.Float()),
    sa.Column("received_at", UTCDateTime(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    sa.Column("delivered_at", UTCDateTime()),
    sa.Column("purged_at", UTCDateTime()),
    sa.Column("declaratienummer", sa.String(64)),
    sa.Column("resend_of", sa.String(32)),  # a resend with the same key but other bytes: the first message's id
    sa.Column("basisschema_xsd", sa.String(16)),  # the header's XsdVersie (iJw); NULL: unknown
    sa.Column("bericht_xsd", sa.String(16)),
    sa.Index(
        "uq_messages_sender_type_external_id",
        "sender",
        "type",
        "external_id",
        unique=True,
        sqlite_where=sa.text("sender IS NOT NULL AND external_id IS NOT NULL AND resend_of IS NULL"),
        postgresql_where=sa.text("sender IS NOT NULL AND external_id IS NOT NULL AND resend_of IS NULL"),
    ),
    sa.Index(
        "uq_messages_sender_idempotency_key",
        "sender",
        "idempotency_key",
        unique=True,
        sqlite_where=sa.text("sender IS NOT NULL AND idempotency_key IS NOT NULL AND resend_of IS NULL"),
        postgresql_where=sa.text("sender IS NOT NULL AND idempotency_key IS NOT NULL AND resend_of IS NULL"),
    ),
    sa.Index("ix_messages_sender_external_id", "sender", "external_id"),  # StUF's key, TR056: without the type
    sa.Index("ix_messages_status", "status"),
    sa.Index("ix_messages_received_at", "received_at"),
    sa.Index("ix_messages_delivered_at", "delivered_at"),
    sa.Index("ix_messages_sender", "sender"),
    sa.Index("ix_messages_receiver", "receiver"),
    sa.Index("ix_messages_sender_declaratienummer", "sender", "declaratienummer"),
)

jobs = sa.Table(
    "jobs",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("message_id", sa.String(32)),
    sa.Column("stage", sa.String(16), nullable=False),
    sa.Column("run_after", sa.Float(), nullable=False),
    sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("lease_until", sa.Float(), nullable=False, server_default="0"),
    sa.Column("leased_by", sa.String(64)),
    sa.Column("last_error", sa.String(512)),
    sa.Column("done", sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Index(
        "ix_jobs_next",
        "run_after",
        "id",
        sqlite_where=sa.text("NOT done"),
        postgresql_where=sa.text("NOT done"),
    ),
    sa.Index("ix_jobs_message_id", "message_id"),
)

deliveries = sa.Table(
    "deliveries",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("message_id", sa.String(32), nullable=False),
    sa.Column("attempt", sa.Integer(), nullable=False),
    sa.Column("status_code", sa.Integer()),
    sa.Column("latency_ms", sa.Float()),
    sa.Column("verdict", sa.String(16), nullable=False),
    sa.Column("error", sa.String(512)),
    sa.Column("at", UTCDateTime(), nullable=False),
    sa.Index("ix_deliveries_message_id", "message_id"),
)

facts = sa.Table(
    "facts",
    metadata,
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
    sa.Column("declared_at", UTCDateTime()),
    sa.Column("status_aanlevering", sa.String(2)),
    sa.Column("reden", sa.String(4)),
    sa.Index("ix_facts_message_id", "message_id"),
    sa.Index("ix_facts_gemeente_aanbieder", "gemeente", "aanbieder"),
    sa.Index("ix_facts_toewijzingnummer", "toewijzingnummer"),
    sa.Index("ix_facts_referentienummer", "aanbieder", "referentienummer"),
)

audit_events = sa.Table(
    "audit_events",
    metadata,
    sa.Column("seq", BigId, primary_key=True, autoincrement=False),
    sa.Column("at", UTCDateTime(), nullable=False),
    sa.Column("message_id", sa.String(32)),
    sa.Column("event", sa.String(64), nullable=False),
    sa.Column("actor", sa.String(128), nullable=False),
    sa.Column("data", sa.JSON(), nullable=False),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    sa.Index("ix_audit_events_message_id", "message_id"),
)

audit_head = sa.Table(
    "audit_head",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("seq", sa.BigInteger(), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    sa.Column("base_seq", sa.BigInteger(), nullable=False),
    sa.Column("base_hash", sa.String(64), nullable=False),
)
"""One row (id 1): the chain's last seq and hash (appends lock it), and the anchor left by pruning."""

relay_attempts = sa.Table(
    "relay_attempts",
    metadata,
    sa.Column("message_id", sa.String(32), primary_key=True),
    sa.Column("attempt", sa.Integer(), nullable=False),
    sa.Column("status_code", sa.Integer(), nullable=False),
    sa.Column("latency_ms", sa.Float(), nullable=False),
    sa.Column("at", sa.Float(), nullable=False),
)
"""A POST answered 2xx whose outcome may not be committed yet (:mod:`gateway.store.attempts`); on SQLite
the log lives in a file of its own beside the database, so it never waits for the store's write lock."""
vsp_berichten = sa.Table(
    "vsp_berichten",
    metadata,
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
    sa.Column("received_at", UTCDateTime(), nullable=False),
    sa.Index("uq_vsp_berichten_traceer_id", "traceer_id", unique=True),
    sa.Index("ix_vsp_berichten_conversatie_id", "conversatie_id"),
    sa.Index("ix_vsp_berichten_als_antwoord_op", "als_antwoord_op"),
    sa.Index("ix_vsp_berichten_message_id", "message_id"),
    sa.Index("ix_vsp_berichten_heen_message_id", "heen_message_id"),
)
"""VSP-Koppeling berichten: a heenbericht pushed to us (``kind`` heen), the retour we offer for it (retour), or
a bericht the puller took in from VECOZO (pulled; ``heen_message_id``: the message it answers, if ours)."""

vsp_offers = sa.Table(
    "vsp_offers",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("party", sa.String(128), nullable=False),
    sa.Column("bericht_id", sa.BigInteger(), nullable=False),
    sa.Column("message_id", sa.String(32), nullable=False),
    sa.Column("kind", sa.String(8), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("confirmed_at", UTCDateTime()),
    sa.Index("uq_vsp_offers_party_bericht", "party", "bericht_id", unique=True),
    sa.Index(
        "ix_vsp_offers_waiting",
        "party",
        "id",
        sqlite_where=sa.text("confirmed_at IS NULL"),
        postgresql_where=sa.text("confirmed_at IS NULL"),
    ),
    sa.Index("ix_vsp_offers_message_id", "message_id"),
)
"""What a party (an identity code) may pull over the Pull API; a DELETE (confirmation) sets ``confirmed_at``."""

tarieven = sa.Table(
    "tarieven",
    metadata,
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
    sa.Column("loaded_at", UTCDateTime(), nullable=False),
    sa.Index("ix_tarieven_gemeente_aanbieder", "gemeente", "aanbieder"),
)
"""Contract tariffs per gemeente (TR418); a load replaces the gemeente's whole table in one transaction."""

GENESIS_HASH = "0" * 64
"""prev_hash of the first event of a chain that was never pruned."""

__all__ = [
    "GENESIS_HASH",
    "UTCDateTime",
    "audit_events",
    "audit_head",
    "deliveries",
    "facts",
    "jobs",
    "messages",
    "metadata",
    "relay_attempts",
    "tarieven",
    "vsp_berichten",
    "vsp_offers",
]
