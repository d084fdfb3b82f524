"""Liveness, readiness and metrics endpoints."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from gateway.api import metrics
from gateway.api.stores import attached
from gateway.errors import StoreError
from gateway.stufjz_policy import WARNINGS, StufJzMode, stuf_jz_mode

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request) -> Response:
    """Ready when a store is attached, reachable and its migrations are current."""
    store = attached(request)
    if store is None:
        return JSONResponse({"status": "unavailable", "reason": "no store"}, status_code=503)
    try:
        current = bool(store.migrations_current())
    except StoreError:
        return JSONResponse({"status": "unavailable", "reason": "database unreachable"}, status_code=503)
    if not current:
        return JSONResponse({"status": "unavailable", "reason": "migrations pending"}, status_code=503)
    body: dict[str, str] = {"status": "ready"}
    settings = getattr(request.app.state, "settings", None)
    mode = stuf_jz_mode(bool(getattr(settings, "stuf_jz_envelope_only", False)))
    if mode is not StufJzMode.VALIDATED:  # ready for iJw, but StUF-JZ is refused or only envelope-checked: loudly
        body |= {"stuf_jz": str(mode), "warning": WARNINGS[mode]}
    return JSONResponse(body)


@router.get("/metrics")
def metrics_endpoint(request: Request) -> Response:
    """Prometheus exposition: the pipeline's counters and the store's gauges."""
    body, ctype = metrics.render(attached(request))
    return Response(body, media_type=ctype)
