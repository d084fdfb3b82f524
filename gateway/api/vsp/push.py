"""``POST /vsp/berichtenservice/berichten/rest-push/v1/berichten``: the Push API of the VSP-Koppeling (1.0.2).

multipart/form-data with ``berichtMetadata`` (JSON) and ``payload``. 204 once the message is
stored (the same traceerId again: 204, the same message); 400 with ValidationProblemDetails for
metadata that breaks the document's schema; 422 for a payload that can never be accepted (not
XML, not a message Ketenpoort knows, an afzender the caller may not send as or the message's own
Afzender contradicts). The payload goes through the one intake with the traceerId as its
Idempotency-Key; the VSP rows are written in the same commit (:mod:`gateway.store.vsp`).
"""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException

from gateway import intake
from gateway.api import metrics
from gateway.api.auth import Role, Sender
from gateway.api.stores import attached, sql_store
from gateway.api.vsp.certauth import VspCaller, vsp_caller
from gateway.api.vsp.models import PushMetadata, Relatie, problem_errors
from gateway.api.vsp.problems import problem
from gateway.errors import InputError
from gateway.model import MessageStatus
from gateway.retour.ijw import RETOUR_OF
from gateway.store.vsp import PushMeta, VspStore

PUSH_PATH = "/vsp/berichtenservice/berichten/rest-push/v1/berichten"
FORM_OVERHEAD_BYTES = 1024 * 1024
"""Room for the multipart envelope and the metadata beside the largest payload."""

router = APIRouter(tags=["vsp"])

_RETOUR_TYPE = {**RETOUR_OF, "JW323": "JW325", "JW303": "JW304"}
"""The retourbericht Ketenpoort offers back for each iJw heenbericht (StUF acknowledgements are not offered)."""


_MAX_PARTS = 64
"""Parts a push may have; those beside berichtMetadata and payload are ignored, as the document allows them."""
_AFZENDER = "berichtMetadata.routeringgegevens.afzender"
_TRACEER = "berichtMetadata.referentiegegevens.traceerId"


class _RefusedError(InputError):
    """The push can never be accepted (422)."""

    def __init__(self, detail: str, field: str = "payload") -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


def retour_routering(meta: PushMetadata, message_type: str | None, receiver: str | None) -> dict[str, Any] | None:
    """The routeringgegevens of the retour for this heenbericht: from its addressee back to its afzender."""
    retour_type = _RETOUR_TYPE.get(message_type or "")
    if retour_type is None:
        return None
    routing = meta.routeringgegevens
    if routing.geadresseerden:
        van = routing.geadresseerden[0].model_dump(exclude_none=True)
    else:
        van = (
            Relatie(rol="Ontvanger", code=receiver).model_dump(exclude_none=True) if receiver else {"rol": "Ketenpoort"}
        )
    stroom = routing.berichtstroom
    return {
        "afzender": van,
        "geadresseerden": [routing.afzender.model_dump(exclude_none=True)],
        "berichtstroom": {
            "berichttype": retour_type,
            "berichtversie": stroom.berichtversie,
            "berichtsubversie": stroom.berichtsubversie,
            "actie": stroom.actie,
        },
    }


def _accept(
    store: VspStore | None,
    meta: PushMetadata,
    payload: bytes,
    who: Sender,
    max_bytes: int,
    *,
    cert: frozenset[str] | None = None,
) -> bool:
    """Read the payload once, check who may send it, store it with its VSP rows; runs in the threadpool.

    False when every check passed but there is nowhere to keep the VSP rows (``store`` None: a store
    other than the SQL one, :mod:`gateway.api.stores`)."""
    if who.role is not Role.SENDER:
        raise _RefusedError("this token may not send", _AFZENDER)
    afzender = meta.routeringgegevens.afzender.code
    if afzender is None:
        raise _RefusedError("the afzender needs a code (e.g. an AGB code)", _AFZENDER)
    if afzender not in who.identities:
        raise _RefusedError("this token may not send as that afzender", _AFZENDER)
    if cert is not None and afzender not in cert:
        raise _RefusedError("the client certificate's identity is not the afzender", _AFZENDER)
    traceer = meta.referentiegegevens.traceerId.lower()
    record = intake.prepare(payload, sender=None, idempotency_key=traceer, source="vsp", max_bytes=max_bytes)
    if record.status is MessageStatus.REJECTED:
        first = record.findings[0] if record.findings else None
        raise _RefusedError(f"not an acceptable XML document: {first.message if first else 'refused'}")
    if record.standard is None:
        raise _RefusedError("not a message Ketenpoort knows (namespace and root element)")
    if record.sender is not None and record.sender != afzender:
        raise _RefusedError("the message's own Afzender is not the afzender of berichtMetadata")
    geadresseerden = tuple(r.code for r in meta.routeringgegevens.geadresseerden if r.code)
    receiver = record.receiver or (geadresseerden[0] if geadresseerden else None)
    record = dataclasses.replace(record, sender=afzender, receiver=receiver)
    push = PushMeta(
        traceer_id=traceer,
        conversatie_id=meta.referentiegegevens.conversatieId.lower(),
        referentie_id=meta.referentiegegevens.referentieId,
        afzender=afzender,
        geadresseerden=geadresseerden,
        routering=meta.routeringgegevens.model_dump(exclude_none=True),
        verwerkingscontext=[v.model_dump() for v in meta.verwerkingscontext] if meta.verwerkingscontext else None,
        retour_routering=retour_routering(meta, record.message_type, receiver),
    )
    if store is None:
        return False
    outcome = store.push(record, push, actor=who.name)
    if outcome.afzender != afzender:
        raise _RefusedError("this traceerId belongs to another afzender", _TRACEER)
    return True


async def _part(value: Any) -> bytes | None:
    """A form part's bytes, whether sent as a file or as a plain field."""
    if value is None:
        return None
    if isinstance(value, UploadFile):
        return await value.read()
    return str(value).encode("utf-8")


async def _read(request: Request, max_bytes: int) -> tuple[PushMetadata, bytes] | Response:
    """The checked metadata and the payload bytes of a push, or its 400."""
    ctype = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if ctype != "multipart/form-data":
        return problem(400, "send multipart/form-data with berichtMetadata and payload", {"body": ["multipart"]})
    try:
        form = await request.form(max_files=_MAX_PARTS, max_fields=_MAX_PARTS, max_part_size=max_bytes + 1)
    except MultiPartException as exc:
        return problem(400, "the multipart body could not be read", {"body": [str(exc)]})
    raw_meta, payload = await _part(form.get("berichtMetadata")), await _part(form.get("payload"))
    if raw_meta is None or payload is None:
        missing = {n: ["required"] for n, v in (("berichtMetadata", raw_meta), ("payload", payload)) if v is None}
        return problem(400, "berichtMetadata and payload are both required", missing)
    try:
        meta = PushMetadata.model_validate_json(raw_meta)
    except ValidationError as exc:
        return problem(400, "berichtMetadata does not follow the Push document", problem_errors(exc, "berichtMetadata"))
    return meta, payload


@router.post(PUSH_PATH, status_code=204, response_class=Response)
async def push_bericht(request: Request, caller: Annotated[VspCaller, Depends(vsp_caller)]) -> Response:
    """Accept one bericht (metadata + payload); 204 when stored."""
    settings = request.app.state.settings
    read = await _read(request, settings.max_message_bytes)
    if isinstance(read, Response):
        return read
    meta, payload = read
    store = attached(request)
    if store is None:
        return Response(status_code=503)
    sql = sql_store(store)
    kept = VspStore(sql) if sql is not None else None
    try:
        stored = await run_in_threadpool(
            lambda: _accept(kept, meta, payload, caller.sender, settings.max_message_bytes, cert=caller.cert_identities)
        )
    except _RefusedError as exc:
        return problem(422, exc.detail, {exc.field: [exc.detail]})
    if not stored:  # acceptable, but this store keeps no VSP bookkeeping
        return Response(status_code=501)
    metrics.SUBMITTED.inc()
    return Response(status_code=204)


__all__ = ["FORM_OVERHEAD_BYTES", "PUSH_PATH", "retour_routering", "router"]
