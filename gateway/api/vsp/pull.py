"""``/vsp/berichtenservice/berichten/rest-pull/v1``: the Pull API of the VSP-Koppeling (1.0.0).

A caller sees only what is addressed to it (its token's identities): the retour of each message it
pushed (``alsAntwoordOp`` = the heenbericht's traceerId) and any heenbericht pushed to it. The list
gives the oldest waiting berichten (at most 250); DELETE confirms receipt, after which a bericht is
never offered again and its content falls under the retention rules. Someone else's traceerId is
answered exactly as an unknown one (404).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from gateway.api.stores import vsp_store
from gateway.api.vsp.certauth import VspCaller, vsp_caller
from gateway.api.vsp.models import UUID_PATTERN
from gateway.api.vsp.problems import parties, problem
from gateway.store.vsp import VspBericht, VspStore

PULL_PREFIX = "/vsp/berichtenservice/berichten/rest-pull/v1"
MAX_LIMIT = 250
_UUID = re.compile(UUID_PATTERN)
_SCAN_PAGE = 1000
"""A search walks the waiting list in pages of this many until it has ``limit`` matches."""

router = APIRouter(prefix=PULL_PREFIX, tags=["vsp"])


def bericht_metadata(b: VspBericht, base_url: str) -> dict[str, Any]:
    """One waiting bericht in the Pull document's BerichtMetadata form."""
    referentie: dict[str, Any] = {"conversatieId": b.conversatie_id, "traceerId": b.traceer_id}
    if b.als_antwoord_op:
        referentie["alsAntwoordOp"] = b.als_antwoord_op
    if b.referentie_id:
        referentie["referentieId"] = b.referentie_id
    out: dict[str, Any] = {
        "basisgegevens": {
            "ontvangenOp": b.received_at.isoformat(),
            "payload": {
                "url": f"{base_url}{PULL_PREFIX}/berichten/{b.traceer_id}/payload",
                "grootte": b.size or 1,
                "checksum": {"algoritme": "SHA256", "waarde": b.sha256 or ""},
            },
        },
        "routeringgegevens": dict(b.routering),
        "referentiegegevens": referentie,
    }
    if b.verwerkingscontext:
        out["verwerkingscontext"] = list(b.verwerkingscontext)
    return out


def _limit(request: Request) -> int | JSONResponse:
    raw = request.query_params.get("limit")
    if raw is None:
        return MAX_LIMIT
    if not re.fullmatch(r"[0-9]{1,4}", raw) or not 1 <= int(raw) <= MAX_LIMIT:
        return problem(400, "limit is an integer from 1 to 250", {"limit": [f"1 to {MAX_LIMIT}"]})
    return int(raw)


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _search(store: VspStore, who: frozenset[str], limit: int, keep: Callable[[VspBericht], bool]) -> list[VspBericht]:
    """Walk the waiting list by keyset until ``limit`` berichten pass ``keep``."""
    found: list[VspBericht] = []
    after = 0
    while len(found) < limit:
        page = store.waiting(who, after=after, limit=_SCAN_PAGE)
        found += [b for b in page if keep(b)]
        if len(page) < _SCAN_PAGE:
            break
        after = page[-1].offer_id
    return found[:limit]


_STROOM_FIELDS = ("berichttype", "berichtsubtype", "berichtversie", "berichtsubversie", "actie")
_ZOEKPAD_FIELDS: dict[str, dict[str, type]] = {
    "ZoekpadOpBerichtstroom": {
        "berichttype": str, "berichtsubtype": str, "berichtversie": int, "berichtsubversie": int, "actie": str,
        "geadresseerdeRol": str, "geadresseerdeCode": str,
    },
    "ZoekpadOpConversatieId": {"conversatieId": str},
    "ZoekpadOpAlsAntwoordOp": {"alsAntwoordOp": str},
}  # fmt: skip


def _matcher(zoekpad: dict[str, Any]) -> Callable[[VspBericht], bool] | dict[str, list[str]]:
    """The filter a Zoekpad describes, or the errors that make it unusable."""
    kind = zoekpad.get("zoekpadType")
    if not isinstance(kind, str):
        return {"zoekpadType": ["required, a string"]}
    fields = _ZOEKPAD_FIELDS.get(kind)
    if fields is None:  # the document's base Zoekpad alone: no filter
        extra = sorted(set(zoekpad) - {"zoekpadType"})
        return {k: ["not a field of this zoekpad"] for k in extra} if extra else (lambda _b: True)
    errors: dict[str, list[str]] = {}
    for key, value in zoekpad.items():
        if key == "zoekpadType":
            continue
        want = fields.get(key)
        if want is None:
            errors[key] = ["not a field of this zoekpad"]
        elif not isinstance(value, want) or isinstance(value, bool):
            errors[key] = [f"must be {want.__name__}"]
    for key in ("conversatieId", "alsAntwoordOp"):
        if key in fields and not (isinstance(zoekpad.get(key), str) and _UUID.match(zoekpad[key])):
            errors.setdefault(key, ["required, a uuid"])
    if kind == "ZoekpadOpBerichtstroom" and not isinstance(zoekpad.get("berichttype"), str):
        errors.setdefault("berichttype", ["required"])
    if errors:
        return errors
    if kind == "ZoekpadOpConversatieId":
        want_id = str(zoekpad["conversatieId"]).lower()
        return lambda b: b.conversatie_id == want_id
    if kind == "ZoekpadOpAlsAntwoordOp":
        want_id = str(zoekpad["alsAntwoordOp"]).lower()
        return lambda b: b.als_antwoord_op == want_id
    stroom = {k: zoekpad[k] for k in _STROOM_FIELDS if k in zoekpad}
    rol, code = zoekpad.get("geadresseerdeRol"), zoekpad.get("geadresseerdeCode")

    def keep(b: VspBericht) -> bool:
        have = b.routering.get("berichtstroom", {})
        if any(have.get(k) != v for k, v in stroom.items()):
            return False
        return (rol is None and code is None) or any(
            (rol is None or g.get("rol") == rol) and (code is None or g.get("code") == code)
            for g in b.routering.get("geadresseerden", [])
        )

    return keep


@router.get("/berichten")
async def list_berichten(request: Request, caller: Annotated[VspCaller, Depends(vsp_caller)]) -> Response:
    """The oldest berichten waiting for the caller (at most ``limit``, 250)."""
    limit = _limit(request)
    if isinstance(limit, JSONResponse):
        return limit
    store = vsp_store(request)
    if isinstance(store, Response):
        return store
    found = await run_in_threadpool(store.waiting, parties(caller.sender), limit=limit)
    base = _base(request)
    return JSONResponse([bericht_metadata(b, base) for b in found])


@router.post("/berichten/zoeken")
async def zoek_berichten(request: Request, caller: Annotated[VspCaller, Depends(vsp_caller)]) -> Response:
    """The oldest waiting berichten that match the Zoekpad in the body."""
    limit = _limit(request)
    if isinstance(limit, JSONResponse):
        return limit
    try:
        zoekpad = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        return problem(400, "the body is a Zoekpad in JSON", {"body": ["not JSON"]})
    if not isinstance(zoekpad, dict):
        return problem(400, "the body is a Zoekpad object", {"body": ["not an object"]})
    keep = _matcher(zoekpad)
    if isinstance(keep, dict):
        return problem(400, "the Zoekpad does not follow the Pull document", keep)
    store = vsp_store(request)
    if isinstance(store, Response):
        return store
    found = await run_in_threadpool(_search, store, parties(caller.sender), limit, keep)
    base = _base(request)
    return JSONResponse([bericht_metadata(b, base) for b in found])


def _traceer(value: str) -> str | None:
    return value.lower() if _UUID.match(value) else None


@router.get("/berichten/{traceer_id}/payload")
async def get_payload(traceer_id: str, request: Request, caller: Annotated[VspCaller, Depends(vsp_caller)]) -> Response:
    """The content of a waiting bericht addressed to the caller; 404 for anything else."""
    traceer = _traceer(traceer_id)
    store = vsp_store(request)
    if isinstance(store, Response):
        return store
    content = None if traceer is None else await run_in_threadpool(store.content, parties(caller.sender), traceer)
    if content is None:
        return Response(status_code=404)
    return Response(content, media_type="application/octet-stream")


@router.api_route("/berichten/zoeken", methods=["DELETE", "GET", "PUT", "PATCH"], include_in_schema=False)
async def zoeken_other_methods() -> Response:
    """Only POST searches (without this, DELETE would be taken for a confirmation of traceerId "zoeken")."""
    return Response(status_code=405, headers={"Allow": "POST"})


@router.delete("/berichten/{traceer_id}")
async def confirm(traceer_id: str, request: Request, caller: Annotated[VspCaller, Depends(vsp_caller)]) -> Response:
    """Confirm receipt: 202, and the bericht is never listed again; 404 when there is no such waiting bericht."""
    traceer = _traceer(traceer_id)
    store = vsp_store(request)
    if isinstance(store, Response):
        return store
    done = traceer is not None and await run_in_threadpool(
        lambda: store.confirm(parties(caller.sender), traceer, actor=caller.sender.name)
    )
    return Response(status_code=202 if done else 404)


__all__ = ["MAX_LIMIT", "PULL_PREFIX", "bericht_metadata", "router"]
