"""The FastAPI application factory."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import FastAPI, HTTPException, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from gateway.api import berichten, corv, dashboard, dashboard_pages, ggk, health, operator, reads, reconcile_runs, vsp
from gateway.api import tarieven as tarieven_api
from gateway.api.access import AccessLog
from gateway.api.bodylimit import BodyLimit
from gateway.api.docs import mount_docs
from gateway.api.errors import scrubbed
from gateway.api.live_senders import LiveSenders
from gateway.config import Settings

if TYPE_CHECKING:
    from gateway.ports import ApiStore

BODY_TIMEOUT_S = 10.0
"""How long the server waits for the next chunk of a request body before answering 408."""


def create_app(settings: Settings, store: ApiStore | None = None, *, body_timeout_s: float = BODY_TIMEOUT_S) -> FastAPI:
    """Build the app from the installation's ``settings`` and its ``store`` (None: intake and reads answer 503)."""
    app = FastAPI(title="Ketenpoort", docs_url=None, redoc_url=None, openapi_url="/openapi.json")
    app.state.settings = settings
    app.state.store = store
    app.state.senders = LiveSenders(settings.senders_file)  # re-read when the file changes
    app.state.body_timeout_s = body_timeout_s
    app.include_router(health.router)
    app.include_router(berichten.router)
    app.include_router(reads.router)
    app.include_router(operator.router)
    app.include_router(tarieven_api.router)
    app.include_router(reconcile_runs.router)
    app.include_router(ggk.router)
    corv.install(app, settings)
    app.include_router(vsp.router)
    secret = settings.session_secret.get_secret_value() if settings.session_secret else None
    app.state.session_secret = dashboard.session_secret(secret)
    app.include_router(dashboard.router)
    app.include_router(dashboard_pages.router)
    app.include_router(dashboard.root_router)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    mount_docs(app)

    @app.exception_handler(HTTPException)
    async def _error_object(_: Request, exc: HTTPException) -> Response:
        raw: object = exc.detail
        detail = raw if isinstance(raw, dict) else {"error": "http_error", "message": str(raw)}
        return JSONResponse(scrubbed(detail), status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(_: Request, exc: RequestValidationError) -> Response:
        """422 with FastAPI's own detail, whose echoed input passes the BSN scrubber like every error text."""
        return JSONResponse(scrubbed({"detail": jsonable_encoder(exc.errors())}), status_code=422)

    app.add_middleware(
        BodyLimit,
        intake_max_bytes=settings.max_message_bytes,
        chunk_timeout_s=body_timeout_s,
        deadline_s=settings.body_deadline_s,
    )
    app.add_middleware(AccessLog)
    return app


__all__ = ["BODY_TIMEOUT_S", "create_app"]
