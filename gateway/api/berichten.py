"""``POST /v1/berichten``: message intake for authenticated senders.

The body is parsed once: :func:`gateway.intake.prepare` reads the header, the API checks the
declared Afzender/zender against the token, and the store takes the prepared record. A
document that is not well-formed is answered 400 and never stored.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
from functools import partial
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from gateway import intake
from gateway.api import metrics
from gateway.api.auth import Role, Sender
from gateway.api.deps import caller
from gateway.api.findings_page import findings_page
from gateway.api.limits import check_content_type, read_body
from gateway.api.stores import attached
from gateway.api.views import finding_dict, retour_text
from gateway.bounds import Bounds
from gateway.config import Settings
from gateway.errors import InputError
from gateway.model import MessageStatus

if TYPE_CHECKING:
    from gateway.ports import IntakeStore, ReadStore

router = APIRouter(prefix="/v1", tags=["berichten"])

_IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9._:~-]{1,128}$")
WAIT_CAP_S = 5.0
"""How long ``?wait=true`` waits for the validate stage before answering with the status so far."""


class _RefusedError(InputError):
    """Intake refused the document before storing it."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(str(body.get("error", "")))
        self.status = status
        self.body = body


def _accept(
    store: IntakeStore,
    body: bytes,
    who: Sender,
    key: str | None,
    max_bytes: int,
    *,
    store_settings: Settings | None = None,
) -> intake.SubmitResult:
    """Parse once, check the declared sender, store; runs in the threadpool."""
    bounds = Bounds.from_settings(store_settings) if store_settings is not None else Bounds(max_bytes=max_bytes)
    record = intake.prepare(body, sender=None, idempotency_key=key, source="api", max_bytes=max_bytes, bounds=bounds)
    if record.status is MessageStatus.REJECTED and record.findings and record.findings[0].kind == "xml":
        finding = record.findings[0]
        raise _RefusedError(400, {"error": "not_well_formed", "message": finding.message, "line": finding.line})
    declared = record.sender
    if who.role is Role.SENDER and declared is not None and declared not in who.identities:
        raise _RefusedError(403, {"error": "forbidden", "message": "this token may not send as that sender"})
    if declared is None:
        record = dataclasses.replace(record, sender=who.name)
    result: intake.SubmitResult = store.intake(record)
    return result


@router.post(
    "/berichten",
    status_code=202,
    responses={
        200: {"description": "The same bytes were sent before: nothing new stored; `duplicate_of` names the message"},
        202: {"description": "Stored and queued; `resend_of` when an earlier message has the same key (TR056)"},
    },
)
async def post_bericht(request: Request, who: Annotated[Sender, Depends(caller)]) -> JSONResponse:
    """Accept one XML message; 202 with its id, status and links (``?wait=true``: and its verdict)."""
    if who.role is Role.RECEIVER:
        raise HTTPException(403, detail={"error": "forbidden", "message": "this token may not send"})
    check_content_type(request)
    key = request.headers.get("idempotency-key")
    if key is not None and not _IDEMPOTENCY_KEY.match(key):
        raise HTTPException(400, detail={"error": "bad_idempotency_key", "message": "1-128 of [A-Za-z0-9._:~-]"})
    settings = request.app.state.settings
    body = await read_body(request, settings.max_message_bytes, request.app.state.body_timeout_s)
    store = attached(request)
    if store is None:
        raise HTTPException(503, detail={"error": "unavailable", "message": "intake is not available"})
    try:
        accept = partial(_accept, store_settings=settings)
        result = await run_in_threadpool(accept, store, body, who, key, settings.max_message_bytes)
    except _RefusedError as exc:
        return JSONResponse(exc.body, status_code=exc.status)
    metrics.SUBMITTED.inc()
    mid = str(result.message_id)
    payload: dict[str, Any] = {"id": mid, "status": str(result.status)}
    if request.query_params.get("wait") == "true":
        payload.update(await _verdict(store, mid, result))
    if result.duplicate_of is not None:  # the same bytes again: nothing new was stored
        payload["duplicate_of"] = result.duplicate_of
    if result.resend_of is not None:  # the same key with other bytes: stored, and rejected by TR056 (iJw)
        payload["resend_of"] = result.resend_of
    payload["links"] = {"self": f"/v1/berichten/{mid}", "retour": f"/v1/berichten/{mid}/retour"}
    return JSONResponse(payload, status_code=200 if result.duplicate_of is not None else 202)


async def _verdict(store: ReadStore, mid: str, result: intake.SubmitResult) -> dict[str, Any]:
    """Wait up to :data:`WAIT_CAP_S` for validation; the status, errors and retour known by then."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT_CAP_S
    message = await run_in_threadpool(store.get_message, mid)
    delay = 0.02
    while message is not None and str(message.status) == MessageStatus.RECEIVED and loop.time() < deadline:
        await asyncio.sleep(delay)
        delay = min(delay * 1.5, 0.25)
        message = await run_in_threadpool(store.get_message, mid)
    if message is None:  # the store lost it between intake and now: report what intake said
        return {"status": str(result.status), "errors": [finding_dict(f) for f in result.findings]}
    out: dict[str, Any] = {
        "status": str(message.status),
        "errors": findings_page(message)["items"],  # the first page, as GET /v1/berichten/{id} gives it
        "waited": str(message.status) != MessageStatus.RECEIVED,
    }
    retour = retour_text(getattr(message, "retour", None) or result.retour)
    if retour is not None:
        out["retour"] = retour
    return out
