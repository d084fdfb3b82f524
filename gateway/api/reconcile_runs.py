"""``POST /v1/operator/reconciliation/runs``: reconcile trajecten against a posted CBS table.

Thin: the trajecten are a posted CSV or else the stored facts, the work is
:func:`gateway.reconcile.run`, and the run is written where the reports endpoints and the
dashboard read it (``<data_dir>/reconcile/<run-id>/``, :mod:`gateway.run_registry`). A posted
trajecten file holds BSNs: it is read from a private temporary file, pseudonymised as it is
read, and never kept with the run.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, field_validator

from gateway.api import reports, storeview
from gateway.api.auth import Sender
from gateway.api.deps import operator
from gateway.api.stores import store_of
from gateway.errors import GatewayError
from gateway.mapping.tables import normalise_gemeente
from gateway.run_registry import new_run_id, write_meta

if TYPE_CHECKING:
    from gateway.ports import ReadStore

router = APIRouter(prefix="/v1/operator", tags=["operator"])

MAX_TABLE_BYTES = 5 * 1024 * 1024


class RunRequest(BaseModel):
    """What a reconciliation needs besides the stored facts."""

    gemeente: Annotated[str, Field(pattern=r"^(GM)?\d{1,4}$", description="CBS gemeentecode, e.g. 0034 or GM0034")]
    perioden: Annotated[list[Annotated[str, Field(pattern=r"^\d{4}(HJ[12]|KW[1-4]|JJ)$")]], Field(min_length=1)]
    peildatum: date
    cbs_csv: Annotated[str, Field(max_length=MAX_TABLE_BYTES, description="gemeente,periode,hulpvorm,jongeren")]
    datahuis_csv: Annotated[str | None, Field(max_length=MAX_TABLE_BYTES)] = None
    trajecten_csv: Annotated[
        str | None,
        Field(max_length=MAX_TABLE_BYTES, description="Trajecten CSV (as for the CLI); default: stored facts"),
    ] = None

    @field_validator("gemeente")
    @classmethod
    def _four_digits(cls, value: str) -> str:
        """Stored facts carry four digits; ``34`` and ``GM0034`` must find them too."""
        return normalise_gemeente(value)


def start_run(
    store: ReadStore | None,
    data_dir: Path,
    req: RunRequest,
    *,
    source: str = "api",
    pseudonymiser: Callable[[str], str] | None = None,
) -> reports.Run:
    """Reconcile the posted trajecten (else every stored fact of ``req.gemeente``); the run as the dashboard shows it.

    ``pseudonymiser``: turns each BSN of a posted trajecten file into its pseudonym (required for one).
    """
    run_id = new_run_id(req.gemeente, req.perioden)
    if not reports.RUN_ID.match(run_id):
        raise HTTPException(400, detail={"error": "bad_request", "message": "unusable run id"})
    out = reports.runs_dir(data_dir) / run_id
    out.mkdir(parents=True)
    try:
        _reconcile(store, out, req, pseudonymiser)
        write_meta(out, source=source, gemeente=req.gemeente, perioden=req.perioden, peildatum=req.peildatum)
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)  # no half-written run for the reports pages to trip over
        raise
    run = reports.get_run(data_dir, run_id)
    if run is None:  # pragma: no cover - write_run always writes bridge.json
        raise HTTPException(500, detail={"error": "run_failed", "message": "no bridge written"})
    return run


def _trajecten(store: ReadStore | None, req: RunRequest, pseudonymiser: Callable[[str], str] | None) -> Any:
    from gateway import reconcile  # numpy and matplotlib: loaded when an operator asks, not at start-up
    from gateway.reconcile.from_facts import trajecten_from_facts

    if req.trajecten_csv is None:
        facts = (f for f in storeview.facts(store) if f.gemeente == req.gemeente)
        return reconcile.from_records(trajecten_from_facts(facts))
    if pseudonymiser is None:
        raise ValueError("a trajecten file needs the pseudonym key to read its BSNs")
    with tempfile.TemporaryDirectory(prefix="ketenpoort-trajecten-") as tmp:  # owner-only, removed at once
        path = Path(tmp) / "trajecten.csv"
        path.write_text(req.trajecten_csv, encoding="utf-8")
        return reconcile.read_csv(path, pseudonymiser=pseudonymiser)


def _reconcile(store: ReadStore | None, out: Path, req: RunRequest, pseudonymiser: Callable[[str], str] | None) -> None:
    from gateway import reconcile
    from gateway.reconcile.inputs import read_cbs, read_datahuis

    (out / "cbs.csv").write_text(req.cbs_csv, encoding="utf-8")
    if req.datahuis_csv is not None:
        (out / "datahuis.csv").write_text(req.datahuis_csv, encoding="utf-8")
    reconcile.run(
        _trajecten(store, req, pseudonymiser),
        gemeente=req.gemeente,
        perioden=reconcile.parse_periodes(req.perioden),
        peildatum=req.peildatum,
        cbs=read_cbs(out / "cbs.csv", req.gemeente),
        datahuis=read_datahuis(out / "datahuis.csv") if req.datahuis_csv is not None else None,
        out=out,
    )


def pseudonymiser_of(settings: Any) -> Callable[[str], str]:
    """The installation's pseudonymiser (its key file or setting), for a posted trajecten file."""
    from gateway.pseudonym import pseudonymiser_for

    return pseudonymiser_for(settings)


@router.post("/reconciliation/runs", status_code=201)
async def create_run(request: Request, body: RunRequest, _: Annotated[Sender, Depends(operator)]) -> JSONResponse:
    """Reconcile the stored facts of one gemeente against the posted CBS (and datahuis) tables."""
    store = store_of(request)
    try:
        settings = request.app.state.settings
        pseudonymiser = pseudonymiser_of(settings) if body.trajecten_csv is not None else None
        run = await run_in_threadpool(start_run, store, settings.data_dir, body, pseudonymiser=pseudonymiser)
    except (GatewayError, ValueError) as exc:  # a malformed table or period: the caller's input, said plainly
        message = re.sub(r"\d{9}", "…", str(exc))[:300]  # never echo a nine-digit number (could be a BSN)
        raise HTTPException(400, detail={"error": "bad_input", "message": message}) from None
    base = f"/v1/operator/reconciliation/runs/{run.id}"
    links = {"self": base, "report": f"{base}/report.html", "dashboard": f"/dashboard/reconciliation/{run.id}"}
    return JSONResponse({"id": run.id, "periods": run.periods, "bridge": run.rows, "links": links}, status_code=201)


__all__ = ["MAX_TABLE_BYTES", "RunRequest", "create_run", "pseudonymiser_of", "router", "start_run"]
