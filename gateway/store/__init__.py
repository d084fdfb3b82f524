"""The durable store: messages, the job queue, deliveries, facts and the audit chain, on SQLite or PostgreSQL.

One :class:`Store` class serves both backends; only engine set-up and the claim's lock clause
differ (:mod:`gateway.store.backend`). It implements the store ports of :mod:`gateway.ports`: the
pipeline's (intake, claims with leases, each stage's outcome in one transaction with its next job
and its audit event), the read side the API uses, and retention.

    store = open_store("sqlite:///./ketenpoort.db", migrate=True)   # or open_store(settings, ...)

Decisions worth knowing:

* Durability: every state change commits with ``synchronous=FULL`` (SQLite) / the server's
  default (PostgreSQL). Only lease claims commit without waiting for fsync: a lease lost to a
  power cut just means the job is due again.
* Exactly-once effects: a finish for a job that is already done changes nothing, so a stage run
  twice (an expired lease) counts once; relay retries carry the same Idempotency-Key.
* Audit: appends are serialised on one head row and happen last in each transaction; pruning
  (metadata retention) moves an anchor (``audit_head.base_seq/base_hash``) that is itself
  recorded as an ``audit.pruned`` event, so ``audit verify`` keeps proving what remains.
* Job failures (``fail``) are retried with the worker's capped backoff; after
  ``KETENPOORT_MAX_JOB_ATTEMPTS`` the job is buried (``bury``): its message goes to the
  dead-letter queue, and ``replay`` runs the failed stage again. Errors stay in ``jobs.last_error``.
* Group commit: a worker runs a batch of jobs in one transaction (``batch()``); validate and map
  jobs are claimed inside it in conversation order (SQLite: under the write lock; PostgreSQL:
  advisory locks per sender/receiver pair), so cross-message rules see every earlier message.
* Queue times are epoch seconds of the writing machine: run workers with synchronised clocks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa

from gateway.config import Settings
from gateway.errors import StoreError
from gateway.ports import (
    GgkStore,
    MessageHistory,
    OperatorStore,
    PipelineStore,
    RetentionStore,
    RetourStore,
)
from gateway.pseudonym import Pseudonymiser
from gateway.store.backend import create_engine
from gateway.store.history import StoreHistory
from gateway.store.reads import NotDeadError, ReadMixin
from gateway.store.remote import RemoteErrorMixin
from gateway.store.retention import RetentionMixin
from gateway.store.retours import RetourMixin
from gateway.store.views import AuditView, DeliveryView, MessageView, PurgeResult


class Store(RetentionMixin, ReadMixin, RemoteErrorMixin, RetourMixin):
    """The gateway's store on SQLite or PostgreSQL; the workers and the API see only its methods."""

    _history: StoreHistory | None = None

    def history(self) -> MessageHistory:
        """Earlier messages for the berichtoverstijgende rules, answered from this store."""
        if self._history is None:
            self._history = StoreHistory(self.read_one, self.pseudonymiser, self.driver)
        return self._history

    @classmethod
    def open(
        cls,
        url: str,
        *,
        migrate: bool = False,
        pool_size: int = 8,
        pseudonymiser: Pseudonymiser | None = None,
        notify: bool = False,
    ) -> Store:
        """Connect to ``url`` (``sqlite:///file`` or ``postgresql+psycopg://...``), optionally migrating first.

        ``notify`` (PostgreSQL): announce new jobs with NOTIFY so :meth:`wait_for_jobs` wakes idle workers
        (one more round trip per transaction that queues a job, so off unless a worker waits that way).
        """
        engine, backend = create_engine(url, pool_size=pool_size)
        store = cls(engine, backend, pseudonymiser=pseudonymiser, notify=notify)
        if migrate:
            store.migrate()
            store.ensure_retention_job()
        return store


def open_store(
    target: str | Settings,
    *,
    migrate: bool = False,
    pool_size: int = 8,
    pseudonymiser: Pseudonymiser | None = None,
) -> Store:
    """The store for a database URL or for ``settings`` (whose pseudonym key the history then uses).

    A URL that does not parse or a database that cannot be reached (or migrated) raises
    :class:`gateway.errors.StoreError` naming the database without its password, not a driver error.
    """
    url = target.database_url if isinstance(target, Settings) else target
    if isinstance(target, Settings) and pseudonymiser is None:
        from gateway.pseudonym import pseudonymiser_for

        pseudonymiser = pseudonymiser_for(target)
    try:
        store = Store.open(url, migrate=migrate, pool_size=pool_size, pseudonymiser=pseudonymiser)
        with store.engine.connect():  # reach the database now: a wrong host fails here, with this message
            pass
        return store
    except sa.exc.SQLAlchemyError as exc:
        reason = str(exc.orig if isinstance(exc, sa.exc.DBAPIError) else exc).strip().splitlines()
        raise StoreError(
            f"cannot open the store at {_shown(url)}: {reason[0] if reason else type(exc).__name__}"
        ) from exc


def _shown(url: str) -> str:
    """``url`` as it may appear in a message: without its password."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "an unreadable database URL"


__all__ = [
    "AuditView",
    "DeliveryView",
    "MessageView",
    "NotDeadError",
    "PurgeResult",
    "Store",
    "StoreHistory",
    "open_store",
]


if TYPE_CHECKING:  # mypy proves here that a Store is every store port (nothing runs this)

    def _ports_of(store: Store) -> tuple[PipelineStore, OperatorStore, RetourStore, RetentionStore, GgkStore]:
        return (store, store, store, store, store)
