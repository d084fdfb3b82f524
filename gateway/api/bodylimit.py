"""A body-size cap for every request, enforced while the body streams in, before any handler parses it.

FastAPI reads and parses a JSON or form body before the handler's dependencies run, so without
this an anonymous client could make the server buffer any amount on an operator-only route.
``POST /v1/berichten`` keeps its own, larger limit (the 25 MB message cap, checked in the handler).
SOAP endpoints (``/soap/...``) read their bodies with that cap themselves and answer a SOAP Fault,
which is what a SOAP client expects, so they pass through here uncounted.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

INTAKE_PATHS = {"/v1/berichten": 0, "/vsp/berichtenservice/berichten/rest-push/v1/berichten": 1024 * 1024}
"""Message intake paths: the message cap, plus room for a multipart envelope and its metadata (VSP push)."""
OTHER_MAX_BYTES = 11 * 1024 * 1024
"""For everything but intake: two 5 MB CSV tables in a reconciliation request, plus room for the form."""

SELF_LIMITED_PREFIXES = ("/soap/",)
"""Paths whose handlers cap the body themselves (gateway.api.soap.read_soap)."""


class _TooLargeError(Exception):
    pass


class BodyLimit:
    """413 for a body over the route's limit: at once on a large Content-Length, else as soon as it passes it."""

    def __init__(self, app: ASGIApp, *, intake_max_bytes: int, other_max_bytes: int = OTHER_MAX_BYTES) -> None:
        """Wrap ``app``."""
        self.app = app
        self.intake_max_bytes = intake_max_bytes
        self.other_max_bytes = other_max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request through, counting its body."""
        if scope["type"] != "http" or scope["path"].startswith(SELF_LIMITED_PREFIXES):
            await self.app(scope, receive, send)
            return
        extra = INTAKE_PATHS.get(scope["path"])
        limit = self.other_max_bytes if extra is None else self.intake_max_bytes + extra
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                await _refuse(send, limit)
                return
        seen = 0
        exceeded = False
        answered = False

        async def counting() -> Message:
            nonlocal seen, exceeded
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    exceeded = True
                    raise _TooLargeError
            return message

        async def answering(message: Message) -> None:
            # whatever the app makes of the interrupted read (FastAPI: a 400), the client hears 413
            nonlocal answered
            if not exceeded:
                await send(message)
            elif not answered and message["type"] == "http.response.start":
                answered = True
                await _refuse(send, limit)

        try:
            await self.app(scope, counting, answering)
        except _TooLargeError:
            if not answered:
                await _refuse(send, limit)


async def _refuse(send: Send, limit: int) -> None:
    body = json.dumps({"error": "too_large", "message": f"more than {limit} bytes"}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
               (b"connection", b"close")]  # fmt: skip
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})


__all__ = ["INTAKE_PATHS", "OTHER_MAX_BYTES", "SELF_LIMITED_PREFIXES", "BodyLimit"]
