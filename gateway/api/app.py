"""The FastAPI application factory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from gateway.api import berichten, dashboard, dashboard_pages, health, operator, reads, reconcile_runs, vsp
from gateway.api.access import AccessLog
from gateway.api.auth import load_senders
from gateway.api.bodylimit import BodyLimit
from gateway.api.docs import mount_docs
from gateway.config import Settings, load_settings

BODY_TIMEOUT_S = 10.0
"""How long the server waits for the next chunk of a request body before answering 408."""


def create_app(
    settings: Settings | None = None, store: Any = None, *, body_timeout_s: float = BODY_TIMEOUT_S
) -> FastAPI:
    """Build the app; ``store`` is the gateway store (None: intake and reads answer 503)."""
    settings = settings if settings is not None else load_settings()
    app = FastAPI(title="Ketenpoort", docs_url=None, redoc_url=None, openapi_url="/openapi.json")
    app.state.settings = settings
    app.state.store = store
    app.state.senders = load_senders(settings.senders_file)
    app.state.body_timeout_s = body_timeout_s
    app.include_router(health.router)
    app.include_router(berichten.router)
    app.include_router(reads.router)
    app.include_router(operator.router)
    app.include_router(reconcile_runs.router)
    app.include_router(vsp.router)
    secret = settings.session_secret.get_secret_value() if settings.session_secret else None
    app.state.session_secret = dashboard.session_secret(secret)
    app.include_router(dashboard.router)
    app.include_router(dashboard_pages.router)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    mount_docs(app)

    @app.exception_handler(HTTPException)
    async def _error_object(_: Request, exc: HTTPException) -> Response:
        raw: object = exc.detail
        detail = raw if isinstance(raw, dict) else {"error": "http_error", "message": str(raw)}
        return JSONResponse(detail, status_code=exc.status_code, headers=exc.headers)

    app.add_middleware(BodyLimit, intake_max_bytes=settings.max_message_bytes)
    app.add_middleware(AccessLog)
    return app


__all__ = ["BODY_TIMEOUT_S", "create_app"]
