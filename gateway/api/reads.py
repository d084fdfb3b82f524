"""Reading messages back: each caller sees only its own (as sender or receiver); operators see all.

Anyone who may not see a message gets 404, never 403, so ids leak nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from gateway.api import storeview
from gateway.api.auth import Sender
from gateway.api.deps import caller
from gateway.api.findings_page import PAGE, PAGE_MAX, findings_page
from gateway.api.stores import store_of
from gateway.api.views import may_see, parties, plain, retour_text, summary
from gateway.model import MessageStatus

router = APIRouter(tags=["berichten"])

_NOT_FOUND = HTTPException(404, detail={"error": "not_found", "message": "no such message"})


async def _visible(request: Request, who: Sender, mid: str) -> Any:
    message = await run_in_threadpool(store_of(request).get_message, mid)
    if message is None or not may_see(who, message):
        raise _NOT_FOUND
    return message


def parse_status(value: str | None) -> MessageStatus | None:
    """A status filter, or 400 naming the allowed values."""
    if not value:
        return None
    try:
        return MessageStatus(value)
    except ValueError:
        allowed = ", ".join(s.value for s in MessageStatus)
        raise HTTPException(400, detail={"error": "bad_status", "message": f"status is one of {allowed}"}) from None


def parse_since(value: str | None) -> datetime | None:
    """An ISO 8601 ``since`` filter, or 400."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise HTTPException(400, detail={"error": "bad_since", "message": "since is an ISO 8601 time"}) from None


@router.get("/v1/berichten")
async def list_berichten(
    request: Request,
    *,
    who: Annotated[Sender, Depends(caller)],
    status: str | None = None,
    since: str | None = None,
    cursor: Annotated[str | None, Query(max_length=256)] = None,
    limit: Annotated[int, Query(ge=1, le=storeview.PAGE_MAX)] = 50,
) -> JSONResponse:
    """The caller's own messages (sent or received; operators: all), newest first, one page at a time."""
    wanted, after = parse_status(status), parse_since(since)
    items, next_cursor = await run_in_threadpool(
        storeview.list_messages, store_of(request), parties=parties(who), status=wanted, since=after,
        cursor=cursor, limit=limit,
    )  # fmt: skip
    visible = [summary(m) for m in items if may_see(who, m)]  # the store filters; this is the second lock
    links: dict[str, str] = {}
    if next_cursor:
        query = {k: v for k, v in (("status", status), ("since", since)) if v}
        links["next"] = "/v1/berichten?" + urlencode({**query, "cursor": next_cursor, "limit": limit})
    return JSONResponse({"items": visible, "next_cursor": next_cursor, "links": links})


@router.get("/v1/berichten/{mid}")
async def get_bericht(request: Request, mid: str, who: Annotated[Sender, Depends(caller)]) -> JSONResponse:
    """Status, verdict, errors, delivery attempts and audit timeline of one visible message."""
    message = await _visible(request, who, mid)
    store = store_of(request)
    body = plain(message)
    body["verdict"] = getattr(message, "verdict", None)  # a property of the store's view, not a field
    errors = findings_page(message, link=f"/v1/berichten/{mid}/errors")
    body["errors"] = errors["items"]  # the first page; the rest through links.errors
    body["errors_total"], body["errors_kept"], body["error_counts"] = errors["total"], errors["kept"], errors["counts"]
    body.pop("findings", None)
    body.pop("finding_counts", None)
    body["audit"] = plain(await run_in_threadpool(store.audit_events, mid))
    body["deliveries"] = plain(await run_in_threadpool(store.deliveries, mid))
    body["links"] = {
        "self": f"/v1/berichten/{mid}",
        "retour": f"/v1/berichten/{mid}/retour",
        "errors": f"/v1/berichten/{mid}/errors",
    }
    if "next" in errors["links"]:
        body["links"]["errors_next"] = errors["links"]["next"]
    return JSONResponse(body)


@router.get("/v1/berichten/{mid}/errors")
async def get_errors(
    request: Request,
    mid: str,
    who: Annotated[Sender, Depends(caller)],
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=PAGE_MAX)] = PAGE,
) -> JSONResponse:
    """The findings of one visible message, a page at a time, with the exact counts per rule or XSD error type."""
    message = await _visible(request, who, mid)
    return JSONResponse(findings_page(message, offset=offset, limit=limit, link=f"/v1/berichten/{mid}/errors"))


@router.get("/v1/berichten/{mid}/retour")
async def get_retour(request: Request, mid: str, who: Annotated[Sender, Depends(caller)]) -> Response:
    """The retourbericht / acknowledgement XML, 404 while there is none."""
    message = await _visible(request, who, mid)
    retour = retour_text(getattr(message, "retour", None))
    if retour is None:
        raise HTTPException(404, detail={"error": "not_found", "message": "no retour yet"})
    return Response(retour, media_type="application/xml")


__all__ = ["parse_since", "parse_status", "router", "store_of"]
