"""``POST /v1/operator/reconciliation/runs``: reconcile the stored facts against a posted CBS table.

Thin: the facts come from the store, the work is :func:`gateway.reconcile.run`, and the run is
written where the reports endpoints read it (``<data_dir>/reconcile/<run-id>/``).
"""

from __future__ import annotations

import re
import shutil
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, field_validator

from gateway.api import reports, storeview
from gateway.api.auth import Sender
from gateway.api.deps import operator
from gateway.api.reads import store_of
from gateway.errors import GatewayError
from gateway.mapping.tables import normalise_gemeente

router = APIRouter(prefix="/v1/operator", tags=["operator"])

MAX_TABLE_BYTES = 5 * 1024 * 1024


class RunRequest(BaseModel):
    """What a reconciliation needs besides the stored facts."""

    gemeente: Annotated[str, Field(pattern=r"^(GM)?\d{1,4}$", description="CBS gemeentecode, e.g. 0034 or GM0034")]
    perioden: Annotated[list[Annotated[str, Field(pattern=r"^\d{4}(HJ[12]|KW[1-4]|JJ)$")]], Field(min_length=1)]
    peildatum: date
    cbs_csv: Annotated[str, Field(max_length=MAX_TABLE_BYTES, description="gemeente,periode,hulpvorm,jongeren")]
    datahuis_csv: Annotated[str | None, Field(max_length=MAX_TABLE_BYTES)] = None

    @field_validator("gemeente")
    @classmethod
    def _four_digits(cls, value: str) -> str:
        """Stored facts carry four digits; ``34`` and ``GM0034`` must find them too."""
        return normalise_gemeente(value)


def _run_id(req: RunRequest) -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    return f"{req.gemeente}-{'-'.join(req.perioden)}-{stamp}"


def start_run(store: Any, data_dir: Path, req: RunRequest) -> reports.Run:
    """Reconcile every stored fact of ``req.gemeente``; the run as the reports endpoints will show it."""
    run_id = _run_id(req)
    if not reports.RUN_ID.match(run_id):
        raise HTTPException(400, detail={"error": "bad_request", "message": "unusable run id"})
    out = reports.runs_dir(data_dir) / run_id
    out.mkdir(parents=True)
    try:
        _reconcile(store, out, req)
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)  # no half-written run for the reports pages to trip over
        raise
    run = reports.get_run(data_dir, run_id)
    if run is None:  # pragma: no cover - write_run always writes bridge.json
        raise HTTPException(500, detail={"error": "run_failed", "message": "no bridge written"})
    return run


def _reconcile(store: Any, out: Path, req: RunRequest) -> None:
    from gateway import reconcile  # numpy and matplotlib: loaded when an operator asks, not at start-up
    from gateway.reconcile.from_facts import trajecten_from_facts
    from gateway.reconcile.inputs import read_cbs, read_datahuis

    (out / "cbs.csv").write_text(req.cbs_csv, encoding="utf-8")
    if req.datahuis_csv is not None:
        (out / "datahuis.csv").write_text(req.datahuis_csv, encoding="utf-8")
    facts = (f for f in storeview.facts(store) if f.gemeente == req.gemeente)
    reconcile.run(
        reconcile.from_records(trajecten_from_facts(facts)),
        gemeente=req.gemeente,
        perioden=reconcile.parse_periodes(req.perioden),
        peildatum=req.peildatum,
        cbs=read_cbs(out / "cbs.csv", req.gemeente),
        datahuis=read_datahuis(out / "datahuis.csv") if req.datahuis_csv is not None else None,
        out=out,
    )


@router.post("/reconciliation/runs", status_code=201)
async def create_run(request: Request, body: RunRequest, _: Annotated[Sender, Depends(operator)]) -> JSONResponse:
    """Reconcile the stored facts of one gemeente against the posted CBS (and datahuis) tables."""
    store = store_of(request)
    try:
        run = await run_in_threadpool(start_run, store, request.app.state.settings.data_dir, body)
    except (GatewayError, ValueError) as exc:  # a malformed table or period: the caller's input, said plainly
        message = re.sub(r"\d{9}", "…", str(exc))[:300]  # never echo a nine-digit number (could be a BSN)
        raise HTTPException(400, detail={"error": "bad_input", "message": message}) from None
    base = f"/v1/operator/reconciliation/runs/{run.id}"
    links = {"self": base, "report": f"{base}/report.html", "dashboard": f"/dashboard/reconciliation/{run.id}"}
    return JSONResponse({"id": run.id, "periods": run.periods, "bridge": run.rows, "links": links}, status_code=201)


__all__ = ["RunRequest", "create_run", "router", "start_run"]
