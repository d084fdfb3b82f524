"""The FastAPI application factory."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import structlog
from fastapi import FastAPI, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from gateway.api import berichten, dashboard, health, metrics, reads
from gateway.api.auth import load_senders
from gateway.config import Settings, load_settings

log = structlog.get_logger("ketenpoort.access")

BODY_TIMEOUT_S = 10.0
"""How long the server waits for the next chunk of a request body before answering 408."""


def create_app(
    settings: Settings | None = None, store: Any = None, *, body_timeout_s: float = BODY_TIMEOUT_S
) -> FastAPI:
    """Build the app; ``store`` is the gateway store (None: intake and reads answer 503)."""
    settings = settings if settings is not None else load_settings()
    app = FastAPI(title="Ketenpoort", docs_url="/docs", openapi_url="/openapi.json")
    app.state.settings = settings
    app.state.store = store
    app.state.senders = load_senders(settings.senders_file)
    app.state.body_timeout_s = body_timeout_s
    app.include_router(health.router)
    app.include_router(berichten.router)
    app.include_router(reads.router)
    secret = settings.session_secret.get_secret_value() if settings.session_secret else None
    app.state.session_secret = dashboard.session_secret(secret)
    app.include_router(dashboard.router)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")

    @app.exception_handler(HTTPException)
    async def _error_object(_: Request, exc: HTTPException) -> Response:
        raw: object = exc.detail
        detail = raw if isinstance(raw, dict) else {"error": "http_error", "message": str(raw)}
        return JSONResponse(detail, status_code=exc.status_code, headers=exc.headers)

    @app.middleware("http")
    async def _access_log(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        elapsed = time.perf_counter() - started
        route = request.scope.get("route")
        path = getattr(route, "path", "unmatched")
        metrics.REQUESTS.labels(path, str(response.status_code)).inc()
        metrics.LATENCY.labels(path).observe(elapsed)
        # the route template, never the raw query string or headers: no tokens, no BSNs
        log.info("request", method=request.method, route=path, status=response.status_code, ms=round(elapsed * 1e3, 1))
        return response

    return app


__all__ = ["BODY_TIMEOUT_S", "create_app"]
