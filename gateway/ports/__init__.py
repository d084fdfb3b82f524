"""The ports: every interface the core needs of the world outside it, in one leaf package.

The pipeline, the rules, the API and the workers reach the store, the relay's transport and
the clock only through these Protocols. :class:`gateway.store.Store` (SQLite, PostgreSQL) and
:class:`gateway.store.memory.MemoryStore` implement the store ports; a test checks that both
satisfy them (mypy does too, wherever a store is passed as one of them).

This package imports nothing from the rest of the package at run time: the value types its signatures name
(jobs, findings, facts, views) are imported for the type checker only, so any layer may depend
on a port without depending on what implements it (``tests/test_ports.py`` proves it in a fresh
interpreter; import-linter's layers contract ignores exactly these annotation-only imports).

One module per group:

* :mod:`gateway.ports.pipeline`: time (:class:`Clock`), intake and the queue
  (:class:`IntakeStore`, :class:`BatchIntakeStore`, :class:`WriteBatch`, :class:`JobQueue`,
  :class:`PipelineStore`), :class:`RetourStore`, :class:`RetentionStore`, and the channels' stores
  (:class:`RemoteRefusals`, :class:`GgkStore`, :class:`CorvStore`);
* :mod:`gateway.ports.reads`: the read side (API, dashboard, CLI): :class:`ReadStore`, :class:`OperatorStore`;
* :mod:`gateway.ports.api`: what the HTTP API asks of every store, :class:`ApiStore`;
* :mod:`gateway.ports.history`: the rules' message history, :class:`MessageHistory`, and its
  optional extensions :class:`TariefHistory`, :class:`ClientToewijzingHistory`,
  :class:`DeclaratieHistory`, :class:`DeclaratieXsdHistory`, :class:`ReferentieHistory`;
* :mod:`gateway.ports.transport`: the relay's transport, :class:`Poster`.

The modules import one another relatively, so the package loads on its own.
"""

from __future__ import annotations

from .api import ApiStore
from .history import (
    ClientToewijzingHistory,
    DeclaratieHistory,
    DeclaratieXsdHistory,
    MessageHistory,
    ReferentieHistory,
    TariefHistory,
)
from .pipeline import (
    BatchIntakeStore,
    Clock,
    Commit,
    CorvStore,
    GgkStore,
    IntakeStore,
    JobQueue,
    PipelineStore,
    RemoteRefusals,
    RetentionStore,
    RetourStore,
    WriteBatch,
)
from .reads import OperatorStore, ReadStore
from .transport import Poster

__all__ = [
    "ApiStore",
    "BatchIntakeStore",
    "ClientToewijzingHistory",
    "Clock",
    "Commit",
    "CorvStore",
    "DeclaratieHistory",
    "DeclaratieXsdHistory",
    "GgkStore",
    "IntakeStore",
    "JobQueue",
    "MessageHistory",
    "OperatorStore",
    "PipelineStore",
    "Poster",
    "ReadStore",
    "ReferentieHistory",
    "RemoteRefusals",
    "RetentionStore",
    "RetourStore",
    "TariefHistory",
    "WriteBatch",
]
