"""Access log and request metrics as a plain ASGI middleware (no per-request task or body copy).

Only the method, the route template, the status and the duration are logged: never the raw
path (it may hold an id typed by hand), the query string, headers, tokens or bodies.
"""

from __future__ import annotations

import time
from typing import Any

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.api import metrics
from gateway.api.bodylimit import DISCONNECTED

log = structlog.get_logger("ketenpoort.access")


class AccessLog:
    """Logs one structured line per HTTP request and feeds the request metrics."""

    def __init__(self, app: ASGIApp) -> None:
        """Wrap ``app``."""
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request through, noting the status it was answered with."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def noting(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, noting)
        finally:
            elapsed = time.perf_counter() - started
            if scope.get(DISCONNECTED):
                status = 499  # the client hung up before it was answered (nginx's code), not a server error
            route: Any = scope.get("route")
            path = str(getattr(route, "path", "unmatched"))
            metrics.REQUESTS.labels(path, str(status)).inc()
            metrics.LATENCY.labels(path).observe(elapsed)
            log.info("request", method=scope["method"], route=path, status=status, ms=round(elapsed * 1e3, 1))


__all__ = ["AccessLog"]
