"""Operator endpoints for a gemeente's contract tariffs (TR418): GET shows the table, PUT replaces it whole.

PUT takes the tariff CSV (``text/csv``, the format of ``ketenpoort tarieven load``) or JSON
(``{"tarieven": [{...}, ...]}`` with the CSV's column names); any bad entry refuses the whole
body with 422 and the line or index at fault, so the old table stays.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from gateway.api.auth import Sender
from gateway.api.deps import operator
from gateway.api.stores import sql_store_of
from gateway.mapping.tables import normalise_gemeente
from gateway.tarieven import Tarief, TariefError, check_overlap, parse_csv, tarief_from

router = APIRouter(prefix="/v1/operator/gemeenten", tags=["operator"])

Operator = Annotated[Sender, Depends(operator)]


def _code(gemeente: str) -> str:
    try:
        return normalise_gemeente(gemeente)
    except ValueError as exc:
        raise HTTPException(404, detail={"error": "not_found", "message": str(exc)}) from None


def _refused(message: str) -> HTTPException:
    return HTTPException(422, detail={"error": "invalid_tarieven", "message": f"{message}; nothing loaded"})


def _entries(content_type: str, body: bytes) -> list[Tarief]:
    """The checked tariffs of a PUT body (CSV or JSON)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise _refused("the body is not UTF-8") from None
    try:
        if content_type.startswith("text/csv"):
            return parse_csv(text)
        if not content_type.startswith("application/json"):
            raise HTTPException(415, detail={"error": "unsupported_media_type", "message": "send text/csv or JSON"})
        try:
            items = json.loads(text)["tarieven"]
        except (ValueError, KeyError, TypeError):
            raise _refused('expected {"tarieven": [...]}') from None
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise _refused('"tarieven" must be a list of objects')
        entries = [tarief_from(item, f"tarieven[{n}]") for n, item in enumerate(items)]
        check_overlap(entries)
        return entries
    except TariefError as exc:
        raise _refused(str(exc)) from None


@router.get("/{gemeente}/tarieven")
async def show(request: Request, gemeente: str, _: Operator, aanbieder: str | None = None,
               on: date | None = None) -> JSONResponse:  # fmt: skip
    """The gemeente's tariffs (of one aanbieder, valid on a date); ``tabel: false`` when it has none (TR418 off)."""
    from gateway.store.tarieven import tarieven_of

    code = _code(gemeente)
    table = await run_in_threadpool(tarieven_of, sql_store_of(request, "tariff table"), code)
    found = [t for t in table if (aanbieder is None or t.aanbieder == aanbieder) and (on is None or t.valid_on(on))]
    body: dict[str, Any] = {"gemeente": code, "tabel": bool(table), "tarieven": [t.to_dict() for t in found]}
    return JSONResponse(body)


@router.put("/{gemeente}/tarieven")
async def replace(request: Request, gemeente: str, _: Operator) -> JSONResponse:
    """Replace the gemeente's whole tariff table with the body's (CSV or JSON)."""
    from gateway.store.tarieven import replace_tarieven

    code = _code(gemeente)
    entries = _entries(request.headers.get("content-type", ""), await request.body())
    count = await run_in_threadpool(replace_tarieven, sql_store_of(request, "tariff table"), code, entries)
    return JSONResponse(
        {"gemeente": code, "geladen": count, "links": {"self": f"/v1/operator/gemeenten/{code}/tarieven"}}
    )
