"""The API's port: what the HTTP API asks of whichever store it is given."""

from __future__ import annotations

from typing import Protocol

from .pipeline import CorvStore, GgkStore
from .reads import OperatorStore


class ApiStore(OperatorStore, GgkStore, CorvStore, Protocol):
    """Every store the API runs on: the read side and an operator's replays (:class:`OperatorStore`), intake
    (``POST /v1/berichten``, CORV) and a partner's refusals (GGk Fo01).

    :class:`gateway.store.Store` and :class:`gateway.store.memory.MemoryStore` are both one (mypy checks
    it, ``tests/test_api_ports_typing.py``). What only the SQL store keeps (the tariff table, the VSP
    bookkeeping, the dead-letter details, the job gauges) is not part of it: those routes ask for the SQL
    store itself (:mod:`gateway.api.stores`).
    """
