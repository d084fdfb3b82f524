"""``GET /vsp/berichtenservice/berichtstatus/rest-pull/v{2,3}/berichtstatussen``: the Berichtstatus API.

Ketenpoort's message states mapped onto the document's status model (v3; v2 differs only in the
names of the offering states, so it is served from the same mapping). A caller sees the status of
what it pushed and of what was addressed to it, never anyone else's. The document says to give one
of traceerId and conversatieId; with both, a bericht must match both; with neither the list is empty.

| Ketenpoort | v3 | v2 |
|---|---|---|
| received | Ontvangen | Ontvangen |
| accepted | VerwerkingVoltooid | VerwerkingVoltooid |
| rejected (findings as meldingen) | AfgekeurdDoorDienst | AfgekeurdDoorDienst |
| relaying, or a retour waiting to be pulled | WordtAangeboden | Aangeboden |
| delivered, or a retour confirmed | Bezorgd | Bezorgd |
| dead (in the dead-letter queue) | AanbiedenMislukt | Aangeboden |
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from gateway.api.auth import Sender
from gateway.api.stores import vsp_store
from gateway.api.vsp.certauth import VspCaller, vsp_caller
from gateway.api.vsp.models import UUID_PATTERN
from gateway.api.vsp.problems import parties, problem
from gateway.bsn import scrub
from gateway.model import MessageStatus
from gateway.store.vsp import RETOUR, VspBericht

STATUS_PREFIX = "/vsp/berichtenservice/berichtstatus/rest-pull"
_UUID = re.compile(UUID_PATTERN)

router = APIRouter(prefix=STATUS_PREFIX, tags=["vsp"])

V3_STATUS = {
    MessageStatus.RECEIVED: "Ontvangen",
    MessageStatus.ACCEPTED: "VerwerkingVoltooid",
    MessageStatus.REJECTED: "AfgekeurdDoorDienst",
    MessageStatus.RELAYING: "WordtAangeboden",
    MessageStatus.DELIVERED: "Bezorgd",
    MessageStatus.DEAD: "AanbiedenMislukt",
    MessageStatus.DUPLICATE: "AfgekeurdDoorDienst",
}
V2_FORM = {"WordtAangeboden": "Aangeboden", "AanbiedenMislukt": "Aangeboden", "BezorgingAfgebroken": "Aangeboden"}


def berichtstatus(b: VspBericht) -> str:
    """The v3 status of one bericht."""
    if b.kind == RETOUR:
        return "Bezorgd" if b.confirmed else "WordtAangeboden"
    return V3_STATUS[b.message_status]


def _meldingen(b: VspBericht) -> list[dict[str, str]]:
    """The findings of a rejected heenbericht, as the document's Melding (code, omschrijving, toelichting)."""
    if b.kind == RETOUR or b.message_status is not MessageStatus.REJECTED:
        return []
    out = []
    for f in b.findings[:100]:
        melding = {
            "code": str(f.get("retourcode") or f.get("rule") or f.get("kind") or "0001"),
            "omschrijving": scrub(
                str(f.get("message") or "afgekeurd")
            ),  # findings are scrubbed already: twice is cheap
        }
        if f.get("rule"):
            melding["toelichting"] = str(f["rule"])
        out.append(melding)
    return out


def gegevens(b: VspBericht, *, version: int) -> dict[str, Any]:
    """One BerichtstatusGegevens object."""
    status = berichtstatus(b)
    if version == 2:
        status = V2_FORM.get(status, status)
    referentie: dict[str, Any] = {"conversatieId": b.conversatie_id, "traceerId": b.traceer_id}
    if b.als_antwoord_op:
        referentie["alsAntwoordOp"] = b.als_antwoord_op
    if b.referentie_id:
        referentie["referentieId"] = b.referentie_id
    out: dict[str, Any] = {
        "referentiegegevens": referentie,
        "berichtstroom": dict(b.routering.get("berichtstroom", {})),
        "berichtstatus": status,
        "berichtstatusGewijzigdOp": max(b.updated_at, b.received_at).isoformat(),
        "berichtOntvangenOp": b.received_at.isoformat(),
    }
    meldingen = _meldingen(b)
    if meldingen:
        out["meldingen"] = meldingen
    return out


async def _statussen(request: Request, who: Sender, version: int) -> Response:
    traceer, conversatie = request.query_params.get("traceerId"), request.query_params.get("conversatieId")
    errors: dict[str, list[str]] = {}
    for name, value in (("traceerId", traceer), ("conversatieId", conversatie)):
        if value is not None and not _UUID.match(value):
            errors[name] = ["must be a uuid"]
    if errors:
        return problem(400, "traceerId and conversatieId are uuids", errors)
    store = vsp_store(request)
    if isinstance(store, Response):
        return store
    found = await run_in_threadpool(
        lambda: store.statuses(
            parties(who),
            traceer_id=traceer.lower() if traceer else None,
            conversatie_id=conversatie.lower() if conversatie else None,
        )
    )
    return JSONResponse([gegevens(b, version=version) for b in found])


@router.get("/v3/berichtstatussen")
async def statussen_v3(request: Request, caller: Annotated[VspCaller, Depends(vsp_caller)]) -> Response:
    """The status of the caller's berichten with this traceerId (or alsAntwoordOp) or conversatieId."""
    return await _statussen(request, caller.sender, 3)


@router.get("/v2/berichtstatussen")
async def statussen_v2(request: Request, caller: Annotated[VspCaller, Depends(vsp_caller)]) -> Response:
    """The same as v3, in the v2 document's status names."""
    return await _statussen(request, caller.sender, 2)


__all__ = ["STATUS_PREFIX", "V3_STATUS", "berichtstatus", "gegevens", "router"]
