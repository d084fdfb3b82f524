"""Liveness, readiness and metrics endpoints."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from gateway.api import metrics

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request) -> Response:
    """Ready when a store is attached, reachable and its migrations are current."""
    store: Any = request.app.state.store
    if store is None:
        return JSONResponse({"status": "unavailable", "reason": "no store"}, status_code=503)
    try:
        current = bool(store.migrations_current())
    except Exception:
        return JSONResponse({"status": "unavailable", "reason": "database unreachable"}, status_code=503)
    if not current:
        return JSONResponse({"status": "unavailable", "reason": "migrations pending"}, status_code=503)
    return JSONResponse({"status": "ready"})


@router.get("/metrics")
def metrics_endpoint(request: Request) -> Response:
    """Prometheus exposition: the pipeline's counters and the store's gauges."""
    body, ctype = metrics.render(request.app.state.store)
    return Response(body, media_type=ctype)
