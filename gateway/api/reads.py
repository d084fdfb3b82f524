"""Reading messages back: each caller sees only its own (as sender or receiver); operators see all.

Written against the store interface announced by the store helper (get_message, list_messages,
audit_events, deliveries, dead_letters, replay); attributes are read by name so the API does not
import the store. Anyone who may not see a message gets 404, never 403, so ids leak nothing.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from gateway.api.auth import Role, Sender
from gateway.api.deps import caller, operator

router = APIRouter(tags=["berichten"])

_NOT_FOUND = HTTPException(404, detail={"error": "not_found", "message": "no such message"})


def _store(request: Request) -> Any:
    store = request.app.state.store
    if store is None:
        raise HTTPException(503, detail={"error": "unavailable", "message": "no store"})
    return store


def may_see(who: Sender, message: Any) -> bool:
    """Operators see everything; others only messages they sent or that are addressed to them."""
    if who.role is Role.OPERATOR:
        return True
    mine = who.identities | {who.name}
    return getattr(message, "sender", None) in mine or getattr(message, "receiver", None) in who.identities


async def _visible(request: Request, who: Sender, mid: str) -> Any:
    message = await run_in_threadpool(_store(request).get_message, mid)
    if message is None or not may_see(who, message):
        raise _NOT_FOUND
    return message


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items() if k not in ("payload", "retour")}
    if hasattr(value, "__dict__"):
        return {k: _plain(v) for k, v in vars(value).items() if k not in ("payload", "retour")}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value if isinstance(value, str | int | float | bool | type(None)) else str(value)


@router.get("/v1/berichten/{mid}")
async def get_bericht(request: Request, mid: str, who: Annotated[Sender, Depends(caller)]) -> JSONResponse:
    """Status, verdict, errors, delivery attempts and audit timeline of one visible message."""
    message = await _visible(request, who, mid)
    store = _store(request)
    body = _plain(message)
    body["audit"] = _plain(await run_in_threadpool(store.audit_events, mid))
    body["deliveries"] = _plain(await run_in_threadpool(store.deliveries, mid))
    return JSONResponse(body)


@router.get("/v1/berichten/{mid}/retour")
async def get_retour(request: Request, mid: str, who: Annotated[Sender, Depends(caller)]) -> Response:
    """The retourbericht / acknowledgement XML, 404 while there is none."""
    message = await _visible(request, who, mid)
    retour = getattr(message, "retour", None)
    if not retour:
        raise HTTPException(404, detail={"error": "not_found", "message": "no retour yet"})
    return Response(retour, media_type="application/xml")


@router.get("/v1/operator/dead-letters")
async def dead_letters(request: Request, _: Annotated[Sender, Depends(operator)]) -> JSONResponse:
    """The dead-letter queue (operators only)."""
    return JSONResponse({"items": _plain(await run_in_threadpool(_store(request).dead_letters))})


@router.post("/v1/operator/dead-letters/{mid}/replay", status_code=202)
async def replay(request: Request, mid: str, who: Annotated[Sender, Depends(operator)]) -> JSONResponse:
    """Put a dead message back on the queue (operators only)."""
    await run_in_threadpool(_store(request).replay, mid, actor=who.name)
    return JSONResponse({"id": mid, "status": "replayed"}, status_code=202)


__all__ = ["may_see", "router"]
