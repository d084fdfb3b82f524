"""``/v1/berichten``: message intake and read-back for authenticated senders and receivers."""

from __future__ import annotations

import asyncio
import importlib
import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from lxml import etree

from gateway.api import metrics
from gateway.api.auth import Role, Sender
from gateway.api.deps import caller
from gateway.api.limits import check_content_type, read_body
from gateway.schemas import registry_for
from gateway.standards import read_header
from gateway.xmlsafe import DocumentRefusedError, parse

router = APIRouter(prefix="/v1", tags=["berichten"])

_IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9._:~-]{1,128}$")


def _declared_sender(root: etree._Element) -> str | None:
    """The Afzender/zender the document claims, or None for a kind we do not know."""
    qname = etree.QName(root)
    entry = registry_for().lookup(qname.namespace or "", qname.localname)
    if entry is None:
        return None
    return read_header(root, entry.kind).sender


def _intake() -> Any:
    """The intake module, looked up at call time so the API starts before the pipeline exists."""
    try:
        return importlib.import_module("gateway.intake")
    except ModuleNotFoundError as exc:
        if exc.name != "gateway.intake":
            raise
        return None


@router.post("/berichten", status_code=202)
async def post_bericht(request: Request, who: Annotated[Sender, Depends(caller)]) -> JSONResponse:
    """Accept one XML message; 202 with its id, status and links."""
    if who.role is Role.RECEIVER:
        raise HTTPException(403, detail={"error": "forbidden", "message": "this token may not send"})
    check_content_type(request)
    key = request.headers.get("idempotency-key")
    if key is not None and not _IDEMPOTENCY_KEY.match(key):
        raise HTTPException(400, detail={"error": "bad_idempotency_key", "message": "1-128 of [A-Za-z0-9._:~-]"})
    settings = request.app.state.settings
    body = await read_body(request, settings.max_message_bytes, request.app.state.body_timeout_s)
    try:
        root = await run_in_threadpool(parse, body, settings.max_message_bytes)
    except DocumentRefusedError as exc:
        finding = exc.finding
        return JSONResponse(
            {"error": "not_well_formed", "message": finding.message, "line": finding.line}, status_code=400
        )
    declared = await run_in_threadpool(_declared_sender, root)
    if who.role is Role.SENDER and declared is not None and declared not in who.identities:
        raise HTTPException(403, detail={"error": "forbidden", "message": "this token may not send as that sender"})
    intake = _intake()
    store = request.app.state.store
    if intake is None or store is None:
        raise HTTPException(503, detail={"error": "unavailable", "message": "intake is not available"})
    submitter = declared if declared is not None else who.name
    result = await run_in_threadpool(
        intake.submit, store, body, sender=submitter, idempotency_key=key, source="api",
        max_bytes=settings.max_message_bytes,
    )  # fmt: skip
    metrics.SUBMITTED.inc()
    mid = str(getattr(result, "message_id", getattr(result, "id", "")))
    status = str(getattr(result, "status", "received"))
    payload: dict[str, Any] = {"id": mid, "status": status}
    if request.query_params.get("wait") == "true":
        status = await _wait_for_verdict(store, mid, status)
        payload["status"] = status
        findings = getattr(result, "findings", ())
        payload["errors"] = [_finding(f) for f in findings]
    payload["links"] = {"self": f"/v1/berichten/{mid}", "retour": f"/v1/berichten/{mid}/retour"}
    return JSONResponse(payload, status_code=202)


WAIT_CAP_S = 5.0


async def _wait_for_verdict(store: Any, mid: str, status: str) -> str:
    """Poll the store until the message leaves 'received', for at most a few seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT_CAP_S
    while status == "received" and loop.time() < deadline and hasattr(store, "get_message"):
        await asyncio.sleep(0.05)
        message = await run_in_threadpool(store.get_message, mid)
        status = str(getattr(message, "status", status)) if message is not None else status
    return status


def _finding(finding: Any) -> dict[str, Any]:
    return {k: getattr(finding, k, None) for k in ("kind", "message", "rule", "retourcode", "line", "path")}
