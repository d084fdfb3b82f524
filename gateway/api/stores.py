"""The store the app was given, as each route needs it.

Every route is typed against :class:`gateway.ports.ApiStore` (or a narrower port), which the SQL store
and the in-memory store both are. A few parts are SQL the handlers run on the store's database
themselves (the tariff table, the VSP bookkeeping, the dead-letter details, the job gauges); they ask
for the SQL store with :func:`sql_store` / :func:`sql_store_of` and say so plainly on any other store.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import HTTPException, Request, Response

from gateway.store import Store
from gateway.store.vsp import VspStore

if TYPE_CHECKING:
    from gateway.ports import ApiStore


def attached(request: Request) -> ApiStore | None:
    """The store the app was created with, or None (intake and reads then answer 503)."""
    store: ApiStore | None = request.app.state.store
    return store


def store_of(request: Request) -> ApiStore:
    """The attached store, or 503."""
    store = attached(request)
    if store is None:
        raise HTTPException(503, detail={"error": "unavailable", "message": "no store"})
    return store


def sql_store(store: ApiStore | None) -> Store | None:
    """``store`` when it is the SQL store (SQLite, PostgreSQL), else None."""
    return store if isinstance(store, Store) else None


def sql_store_of(request: Request, what: str) -> Store:
    """The attached SQL store; 503 without a store, 501 when the store is another kind, which keeps no ``what``."""
    store = sql_store(store_of(request))
    if store is None:
        raise HTTPException(501, detail={"error": "not_supported", "message": f"this store keeps no {what}"})
    return store


def vsp_store(request: Request) -> VspStore | Response:
    """The VSP bookkeeping over the attached SQL store; else the answer to give: 503 without a store, 501 on another."""
    store = attached(request)
    sql = sql_store(store)
    if sql is None:
        return Response(status_code=503 if store is None else 501)
    return VspStore(sql)


__all__ = ["attached", "sql_store", "sql_store_of", "store_of", "vsp_store"]
