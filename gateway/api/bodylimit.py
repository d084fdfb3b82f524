"""Limits on every request body, enforced while it streams in, before any handler parses it.

- Size: FastAPI reads and parses a JSON or form body before the handler's dependencies run, so
  without a cap here an anonymous client could make the server buffer any amount on an
  operator-only route. ``POST /v1/berichten`` keeps its own, larger limit (the 25 MB message cap).
- Time: a body must keep moving (``chunk_timeout_s`` between chunks) and be complete within
  ``deadline_s`` of its headers (``KETENPOORT_BODY_DEADLINE_S``): a client dripping one byte every
  few seconds would otherwise hold a connection, and a worker of the server, forever. Both hold on
  every route, the anonymous ``POST /dashboard/login`` included; the answer is 408.
- A client that hangs up mid-body gets no answer (there is no one to hear it) and is logged as
  ``http.client_disconnected``, not as a 500 with a ClientDisconnect traceback.
- SOAP endpoints (``/soap/...``) read their bodies with the message cap themselves and answer a SOAP
  Fault, which is what a SOAP client expects, so their size is not counted here; the time limits
  still hold for them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.errors import InputError

log = structlog.get_logger("gateway.api")

INTAKE_PATHS = {"/v1/berichten": 0, "/vsp/berichtenservice/berichten/rest-push/v1/berichten": 1024 * 1024}
"""Message intake paths: the message cap, plus room for a multipart envelope and its metadata (VSP push)."""
OTHER_MAX_BYTES = 11 * 1024 * 1024
"""For everything but intake: two 5 MB CSV tables in a reconciliation request, plus room for the form."""

SELF_LIMITED_PREFIXES = ("/soap/",)
"""Paths whose handlers cap the body size themselves (gateway.api.soap.read_soap)."""

CHUNK_TIMEOUT_S = 10.0
"""How long the server waits for the next chunk of a request body before answering 408."""

BODY_DEADLINE_S = 60.0
"""How long a whole request body may take, however steadily it drips (25 MB at ~3.5 Mbit/s)."""

DISCONNECTED = "ketenpoort.client_disconnected"
"""Scope key set when the client hung up mid-body; the access log reports such a request as 499."""


class _Refusal(InputError):  # noqa: N818 - not an error of ours: the request is answered with ``status``
    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(message)
        self.status, self.error, self.message = status, error, message


class _Disconnected(InputError):  # noqa: N818 - the client left; nothing to answer
    pass


class BodyLimit:
    """413 for a body over the route's limit, 408 for one too slow; a client that hangs up is let go quietly."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        intake_max_bytes: int,
        other_max_bytes: int = OTHER_MAX_BYTES,
        chunk_timeout_s: float = CHUNK_TIMEOUT_S,
        deadline_s: float = BODY_DEADLINE_S,
    ) -> None:
        """Wrap ``app``."""
        self.app = app
        self.intake_max_bytes = intake_max_bytes
        self.other_max_bytes = other_max_bytes
        self.chunk_timeout_s = chunk_timeout_s
        self.deadline_s = deadline_s

    def _limit(self, path: str) -> int:
        """The most body bytes a request to ``path`` may carry."""
        if path.startswith(SELF_LIMITED_PREFIXES):
            return sys.maxsize  # the handler caps the size and answers a SOAP Fault; the deadlines still hold
        extra = INTAKE_PATHS.get(path)
        return self.other_max_bytes if extra is None else self.intake_max_bytes + extra

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request through, counting and timing its body."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope["path"])
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                await _answer(send, _too_large(limit))
                return
        clock = asyncio.get_running_loop().time
        deadline = clock() + self.deadline_s
        seen = 0
        complete = False
        stopped: _Refusal | _Disconnected | None = None
        answered = False

        async def counting() -> Message:
            nonlocal seen, complete, stopped
            if complete:  # the body is in: what follows is the wait for a disconnect, which has no deadline
                return await receive()
            left = deadline - clock()
            try:
                async with asyncio.timeout(max(0.0, min(self.chunk_timeout_s, left))):
                    message = await receive()
            except TimeoutError:
                why = "request body not complete in time" if left <= self.chunk_timeout_s else "request body too slow"
                stopped = _Refusal(408, "timeout", why)
                raise stopped from None
            if message["type"] == "http.disconnect":
                stopped = _Disconnected()
                raise stopped
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                complete = not message.get("more_body", False)
                if seen > limit:
                    stopped = _too_large(limit)
                    raise stopped
            return message

        async def answering(message: Message) -> None:
            # whatever the app makes of the interrupted read (FastAPI: a 400), the client hears our answer
            nonlocal answered
            if stopped is None:
                await send(message)
            elif isinstance(stopped, _Refusal) and not answered and message["type"] == "http.response.start":
                answered = True
                await _answer(send, stopped)

        with contextlib.suppress(_Refusal, _Disconnected):  # raised by ``counting``, answered below
            await self.app(scope, counting, answering)
        if isinstance(stopped, _Disconnected):
            scope[DISCONNECTED] = True
            log.info("http.client_disconnected", method=scope["method"], body_bytes=seen)
        elif stopped is not None and not answered:
            await _answer(send, stopped)


def _too_large(limit: int) -> _Refusal:
    return _Refusal(413, "too_large", f"more than {limit} bytes")


async def _answer(send: Send, refusal: _Refusal) -> None:
    body = json.dumps({"error": refusal.error, "message": refusal.message}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
               (b"connection", b"close")]  # fmt: skip
    await send({"type": "http.response.start", "status": refusal.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


__all__ = [
    "BODY_DEADLINE_S",
    "CHUNK_TIMEOUT_S",
    "DISCONNECTED",
    "INTAKE_PATHS",
    "OTHER_MAX_BYTES",
    "SELF_LIMITED_PREFIXES",
    "BodyLimit",
]
