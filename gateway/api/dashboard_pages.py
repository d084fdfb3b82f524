"""Dashboard pages past the overview: messages, detail, dead letters, mapping coverage, reconciliation."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from pydantic import ValidationError

from gateway.api import reports, storeview
from gateway.api.charts import waterfall_chart
from gateway.api.dashboard import form_ok, page, signed_in
from gateway.api.findings_page import findings_page
from gateway.api.operator import REPORT_HEADERS, coverage_report, replay_message
from gateway.api.reads import parse_since, parse_status
from gateway.api.reconcile_runs import MAX_TABLE_BYTES, RunRequest, pseudonymiser_of, start_run
from gateway.api.stores import attached, sql_store, store_of
from gateway.api.views import plain
from gateway.errors import GatewayError
from gateway.model import MessageStatus
from gateway.store.dead_letters import dead_letters

router = APIRouter(prefix="/dashboard", include_in_schema=False)

_CSRF_REFUSED = "CSRF token missing or wrong"
IN_FLIGHT = frozenset({MessageStatus.RECEIVED, MessageStatus.ACCEPTED, MessageStatus.RELAYING})
"""Statuses the pipeline will still change: their detail page refreshes itself every second."""


@router.get("/berichten", response_class=HTMLResponse)
def messages_page(request: Request, status: str = "", since: str = "", partij: str = "", cursor: str = "") -> Response:
    """Every message, newest first, filtered by status, time and party (sender or receiver)."""
    if signed_in(request) is None:
        return RedirectResponse("/dashboard/login", status_code=303)
    try:
        wanted, after = parse_status(status), parse_since(since)
    except HTTPException as exc:
        detail: Any = exc.detail
        ctx = _list_ctx([], next_cursor=None, status=status, since=since, partij=partij, error=detail["message"])
        return page(request, "berichten.html", ctx, 400)
    store = attached(request)
    items: list[Any] = []
    next_cursor = None
    if store is not None:
        who = frozenset({partij.strip()}) if partij.strip() else None
        items, next_cursor = storeview.list_messages(
            store, parties=who, status=wanted, since=after, cursor=cursor or None, limit=50
        )
    ctx = _list_ctx(items, next_cursor=next_cursor, status=status, since=since, partij=partij, error=None)
    return page(request, "berichten.html", ctx)


def _list_ctx(
    items: list[Any], *, next_cursor: str | None, status: str, since: str, partij: str, error: str | None
) -> dict[str, Any]:
    query = {k: v for k, v in (("status", status), ("since", since), ("partij", partij)) if v}
    more = "/dashboard/berichten?" + urlencode({**query, "cursor": next_cursor}) if next_cursor else None
    return {
        "items": [plain(m) for m in items],
        "statuses": [s.value for s in MessageStatus],
        "f": {"status": status, "since": since, "partij": partij},
        "more": more,
        "error": error,
    }


def _page_offset(request: Request) -> int:
    """The ``offset`` of the findings page asked for (0 when absent or not a number)."""
    raw = request.query_params.get("offset", "0")
    return int(raw) if raw.isdigit() and len(raw) < 9 else 0


@router.get("/berichten/{mid}", response_class=HTMLResponse)
def detail_page(request: Request, mid: str) -> Response:
    """One message: status, validation findings, delivery attempts and the audit timeline."""
    if signed_in(request) is None:
        return RedirectResponse("/dashboard/login", status_code=303)
    store = attached(request)
    message = store.get_message(mid) if store is not None else None
    if store is None or message is None:
        return page(request, "not_found.html", {"what": "Bericht"}, status_code=404)
    shown = findings_page(message, offset=_page_offset(request), link=f"/dashboard/berichten/{mid}")
    return page(
        request,
        "detail.html",
        {
            "m": plain(message),
            "findings": shown["items"],
            "fpage": shown,
            "audit": plain(list(store.audit_events(mid))),
            "deliveries": plain(list(store.deliveries(mid))),
            "dead": str(message.status) == MessageStatus.DEAD,
            "in_flight": str(message.status) in IN_FLIGHT,
        },
    )


@router.get("/dead-letters", response_class=HTMLResponse)
def dead_letter_page(request: Request) -> Response:
    """The dead-letter queue: each message's attempts, its last error, and the replay that is the next step.

    The details are one SQL statement (:mod:`gateway.store.dead_letters`); on another store the page says
    it has none rather than show an empty queue."""
    if signed_in(request) is None:
        return RedirectResponse("/dashboard/login", status_code=303)
    store = attached(request)
    sql = sql_store(store)
    if store is not None and sql is None:
        return Response("Deze opslag houdt geen details van de dode berichten bij", status_code=501)
    return page(request, "dead_letters.html", {"items": dead_letters(sql) if sql is not None else []})


@router.post("/dead-letters/{mid}/replay")
def replay_form(request: Request, mid: str, csrf: Annotated[str, Form()] = "") -> Response:
    """Replay one dead message; refused without this session's CSRF token."""
    if signed_in(request) is None:
        return RedirectResponse("/dashboard/login", status_code=303)
    actor = form_ok(request, csrf)
    if actor is None:
        return Response(_CSRF_REFUSED, status_code=403)
    try:
        replay_message(store_of(request), mid, actor)
    except HTTPException as exc:
        detail: Any = exc.detail
        return Response(str(detail["message"]), status_code=exc.status_code)
    return RedirectResponse(f"/dashboard/berichten/{mid}", status_code=303)


@router.get("/mapping", response_class=HTMLResponse)
def coverage_page(request: Request) -> Response:
    """Product codes in the stored facts without a CBS coding, per aanbieder, heaviest first."""
    if signed_in(request) is None:
        return RedirectResponse("/dashboard/login", status_code=303)
    store = attached(request)
    report = coverage_report(store) if store is not None else {"facts": 0, "zonder_cbs_codering": 0, "rows": []}
    return page(request, "coverage.html", {"r": report})


@router.get("/reconciliation", response_class=HTMLResponse)
def runs_page(request: Request) -> Response:
    """Every reconciliation run, from the CLI, the API and this page alike."""
    if signed_in(request) is None:
        return RedirectResponse("/dashboard/login", status_code=303)
    return page(request, "runs.html", {"runs": reports.list_runs(request.app.state.settings.data_dir)})


async def _text(upload: UploadFile | None, what: str) -> str | None:
    """An uploaded CSV as text (None when no file was chosen); too large or not UTF-8 is a ValueError."""
    if upload is None or not upload.filename:
        return None
    raw = await upload.read(MAX_TABLE_BYTES + 1)
    if len(raw) > MAX_TABLE_BYTES:
        raise ValueError(f"{what}: groter dan {MAX_TABLE_BYTES // (1024 * 1024)} MB")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(f"{what}: geen UTF-8-tekst") from None


@router.post("/reconciliation")
async def start_run_form(
    request: Request,
    *,
    gemeente: Annotated[str, Form()],
    perioden: Annotated[str, Form()],
    peildatum: Annotated[str, Form()],
    cbs: Annotated[UploadFile, File()],
    trajecten: Annotated[UploadFile | None, File()] = None,
    datahuis: Annotated[UploadFile | None, File()] = None,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Reconcile uploaded trajecten (else the stored facts) against an uploaded CBS table, and the datahuis
    figures when given; refused without this session's CSRF token."""
    if signed_in(request) is None:
        return RedirectResponse("/dashboard/login", status_code=303)
    if form_ok(request, csrf) is None:
        return Response(_CSRF_REFUSED, status_code=403)
    settings = request.app.state.settings
    try:
        req = RunRequest(
            gemeente=gemeente.strip(),
            perioden=[p.strip().upper() for p in perioden.split(",") if p.strip()],
            peildatum=date.fromisoformat(peildatum.strip()),
            cbs_csv=await _text(cbs, "CBS-tabel") or "",
            trajecten_csv=await _text(trajecten, "Trajecten"),
            datahuis_csv=await _text(datahuis, "Datahuis"),
        )
        pseudonymiser = pseudonymiser_of(settings) if req.trajecten_csv is not None else None
        run = await run_in_threadpool(
            start_run, attached(request), settings.data_dir, req, source="dashboard", pseudonymiser=pseudonymiser
        )
    except (ValidationError, ValueError, GatewayError) as exc:
        runs = reports.list_runs(request.app.state.settings.data_dir)
        message = re.sub(r"\d{9}", "…", str(exc).splitlines()[0])[:200]
        return page(request, "runs.html", {"runs": runs, "error": message}, status_code=400)
    return RedirectResponse(f"/dashboard/reconciliation/{run.id}", status_code=303)


@router.get("/reconciliation/{run_id}", response_class=HTMLResponse)
def run_page(request: Request, run_id: str) -> Response:
    """One run: a waterfall per period from datahuis to CBS, the bridge table, and the full report."""
    if signed_in(request) is None:
        return RedirectResponse("/dashboard/login", status_code=303)
    run = reports.get_run(request.app.state.settings.data_dir, run_id)
    if run is None:
        return page(request, "not_found.html", {"what": "Afstemming"}, status_code=404)
    charts = []
    for periode in run.periods:
        total = run.totals(periode)
        if total is not None:
            chart = waterfall_chart(reports.waterfall(total), title=f"Van datahuis naar CBS, {periode}")
            charts.append((periode, Markup(chart)))  # noqa: S704 - waterfall_chart escapes every label
    return page(request, "run.html", {"run": run, "charts": charts, "steps": reports.BRIDGE_STEPS})


@router.get("/reconciliation/{run_id}/report.html")
def run_report(request: Request, run_id: str) -> Response:
    """The run's own self-contained report, shown in a sandboxed frame on the run page."""
    if signed_in(request) is None:
        return RedirectResponse("/dashboard/login", status_code=303)
    html = reports.report_html(request.app.state.settings.data_dir, run_id)
    if html is None:
        return Response("Rapport niet gevonden", status_code=404)
    return Response(html, media_type="text/html", headers=REPORT_HEADERS)


__all__ = ["router"]
