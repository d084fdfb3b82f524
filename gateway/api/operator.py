"""Operator endpoints: the dead-letter queue and replay, mapping coverage, reconciliation runs.

Thin on purpose: the store, :mod:`gateway.mapping` and the reconciliation runs on disk do the work;
these handlers check the role, call them and shape the JSON.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from gateway.api import reports, storeview
from gateway.api.auth import Sender
from gateway.api.deps import operator
from gateway.api.stores import store_of
from gateway.api.views import plain
from gateway.mapping.coverage import coverage_of_facts
from gateway.model import MessageStatus

if TYPE_CHECKING:
    from gateway.ports import OperatorStore, ReadStore

router = APIRouter(prefix="/v1/operator", tags=["operator"])

Operator = Annotated[Sender, Depends(operator)]


@router.get("/dead-letters")
async def dead_letters(request: Request, _: Operator) -> JSONResponse:
    """The dead-letter queue."""
    return JSONResponse({"items": plain(await run_in_threadpool(store_of(request).dead_letters))})


def replay_message(store: OperatorStore, mid: str, actor: str) -> None:
    """Replay one dead message; 404 when there is no such message, 409 when it is not dead."""
    message = store.get_message(mid)
    if message is None:
        raise HTTPException(404, detail={"error": "not_found", "message": "no such message"})
    if str(message.status) != MessageStatus.DEAD:
        raise HTTPException(409, detail={"error": "not_dead", "message": f"the message is {message.status}"})
    try:
        store.replay(mid, actor=actor)
    except KeyError:  # deleted by retention meanwhile
        raise HTTPException(404, detail={"error": "not_found", "message": "no such message"}) from None
    except ValueError:  # NotDeadError: another operator replayed it first
        raise HTTPException(409, detail={"error": "not_dead", "message": "already replayed"}) from None


@router.post("/dead-letters/{mid}/replay", status_code=202)
async def replay(request: Request, mid: str, who: Operator) -> JSONResponse:
    """Put a dead message back on the relay queue, attributed to the operator."""
    await run_in_threadpool(replay_message, store_of(request), mid, who.name)
    return JSONResponse({"id": mid, "status": "replayed", "links": {"self": f"/v1/berichten/{mid}"}}, status_code=202)


def coverage_report(store: ReadStore | None) -> dict[str, Any]:
    """Product codes without CBS coding per aanbieder over every stored fact."""
    rows, seen, uncoded = coverage_of_facts(storeview.facts(store))
    return {"facts": seen, "zonder_cbs_codering": uncoded, "rows": plain(rows)}


@router.get("/mapping/coverage")
async def mapping_coverage(request: Request, _: Operator) -> JSONResponse:
    """Which product codes in the stored facts have no CBS coding, with volumes and amounts."""
    return JSONResponse(await run_in_threadpool(coverage_report, store_of(request)))


def _run_summary(run: reports.Run) -> dict[str, Any]:
    base = f"/v1/operator/reconciliation/runs/{run.id}"
    links = {"self": base, **({"report": f"{base}/report.html"} if run.has_report else {})}
    return {"id": run.id, "created": run.created.isoformat(), "periods": run.periods, "links": links}


@router.get("/reconciliation/runs")
async def reconciliation_runs(request: Request, _: Operator) -> JSONResponse:
    """Every reconciliation run, newest first."""
    runs = await run_in_threadpool(reports.list_runs, request.app.state.settings.data_dir)
    return JSONResponse({"items": [_run_summary(r) for r in runs]})


@router.get("/reconciliation/runs/{run_id}")
async def reconciliation_run(request: Request, run_id: str, _: Operator) -> JSONResponse:
    """One run's bridge: per period and hulpvorm, datahuis to CBS step by step."""
    run = await run_in_threadpool(reports.get_run, request.app.state.settings.data_dir, run_id)
    if run is None:
        raise HTTPException(404, detail={"error": "not_found", "message": "no such run"})
    return JSONResponse({**_run_summary(run), "bridge": run.rows})


@router.get("/reconciliation/runs/{run_id}/report.html")
async def reconciliation_report(request: Request, run_id: str, _: Operator) -> Response:
    """The run's self-contained HTML report (tables and charts)."""
    html = await run_in_threadpool(reports.report_html, request.app.state.settings.data_dir, run_id)
    if html is None:
        raise HTTPException(404, detail={"error": "not_found", "message": "no such report"})
    return Response(html, media_type="text/html", headers=REPORT_HEADERS)


REPORT_HEADERS = {
    # the report is a generated file: it may run its own inline chart code, but fetch nothing and post nothing
    "Content-Security-Policy": "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data:; font-src data:; frame-ancestors 'self'",
    "X-Content-Type-Options": "nosniff",
}


__all__ = ["REPORT_HEADERS", "coverage_report", "replay_message", "router"]
