"""The durable store: messages, the job queue, deliveries, facts and the audit chain, on SQLite or PostgreSQL.

One :class:`Store` serves both backends; only engine set-up and the claim's lock clause differ
(:mod:`gateway.store.backend`). It is every store port of :mod:`gateway.ports`: the pipeline's
(intake, claims with leases, each stage's outcome in one transaction with its next job and its
audit event), the read side the API uses, and retention. It is a thin front
(:mod:`gateway.store.front`) over one part per concern, each over one :class:`Database`
(:mod:`gateway.store.database`: transactions, group commits, the clock, and the one place where
driver errors become :class:`gateway.errors.StoreError`). :mod:`gateway.store.memory` is the
same ports in memory, for fast tests.

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
from gateway.ports import Clock, CorvStore, GgkStore, OperatorStore, PipelineStore, RetentionStore, RetourStore
from gateway.pseudonym import Pseudonymiser
from gateway.store.database import Database, store_error
from gateway.store.front import Store
from gateway.store.history import StoreHistory
from gateway.store.reads import NotDeadError
from gateway.store.views import AuditView, DeliveryView, MessageView, PurgeResult


def open_store(
    target: str | Settings,
    *,
    migrate: bool = False,
    pool_size: int = 8,
    pseudonymiser: Pseudonymiser | None = None,
    clock: Clock | None = None,
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
        store = Store.open(url, migrate=migrate, pool_size=pool_size, pseudonymiser=pseudonymiser, clock=clock)
        store.db.reach()  # a wrong host or password fails here, with this message
        return store
    except StoreError as exc:
        raise type(exc)(f"cannot open the store at {_shown(url)}: {exc}") from exc
    except sa.exc.SQLAlchemyError as exc:  # the URL itself (create_engine runs before any transaction)
        raise StoreError(f"cannot open the store at {_shown(url)}: {store_error(exc)}") from exc


def _shown(url: str) -> str:
    """``url`` as it may appear in a message: without its password."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "an unreadable database URL"


__all__ = [
    "AuditView",
    "Database",
    "DeliveryView",
    "MessageView",
    "NotDeadError",
    "PurgeResult",
    "Store",
    "StoreHistory",
    "open_store",
]


if TYPE_CHECKING:  # mypy proves here that a Store is every store port (nothing runs this)

    def _ports_of(
        store: Store,
    ) -> tuple[PipelineStore, OperatorStore, RetourStore, RetentionStore, GgkStore, CorvStore]:
        return (store, store, store, store, store, store)
