"""``POST /soap/ggk0310``: the GGk 0310 koppelvlak (ggk_Di01, ggk_Du01, Fo01) and ``GET ?wsdl``.

Authentication is the API's: a Bearer token whose sender may send as the envelope's zender
organisatie (operators may send as anyone), as ``POST /v1/berichten`` checks the Afzender.
Every error is a SOAP Fault carrying a Fo03 (HTTP 500); nothing is stored for a refused envelope.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool

from gateway.api import metrics
from gateway.api.auth import Role, Sender, SenderBook
from gateway.api.soap import fault_response, read_soap, soap_response
from gateway.api.stores import attached
from gateway.ggk.envelope import ACTIONS, EnvelopeError
from gateway.ggk.inbound import GgkRefusalError, refusal, take_in
from gateway.ggk.wsdl import wsdl
from gateway.soap import SoapFaultError, envelope

router = APIRouter(tags=["soap"], include_in_schema=False)

PATH = "/soap/ggk0310"


def _who(request: Request) -> Sender | None:
    book: SenderBook = request.app.state.senders
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return book.authenticate(token.strip()) if scheme.lower() == "bearer" else None


def _fault(error: GgkRefusalError) -> Response:
    return fault_response(
        SoapFaultError("Client" if error.error.plek == "client" else "Server", str(error), error.fo03)
    )


@router.get(PATH)
async def ggk_wsdl(request: Request) -> Response:
    """The service description, its soap:address this server's own URL (``?wsdl``)."""
    address = str(request.url.replace(query=None, fragment=None))
    return Response(wsdl(address), media_type="text/xml; charset=utf-8")


@router.post(PATH)
async def ggk_message(request: Request) -> Response:
    """Take one GGk envelope in: Bv03, or a Fault with a Fo03."""
    who = _who(request)
    if who is None or who.role is Role.RECEIVER:
        return _fault(refusal(EnvelopeError("IB002", "een geldig Bearer-token van een zender is vereist")))
    settings = request.app.state.settings
    store = attached(request)
    if store is None:
        return _fault(refusal(EnvelopeError("StUF058", "de ontvangst is niet beschikbaar", plek="server")))
    try:
        soap, action = await read_soap(
            request, settings.max_message_bytes, actions=ACTIONS, chunk_timeout_s=request.app.state.body_timeout_s
        )
    except SoapFaultError as exc:
        code = "IB007" if "maximum" in exc.text or "more than" in exc.text else "StUF055"
        return _fault(refusal(EnvelopeError(code, exc.text)))
    assert action is not None  # read_soap checked it against ACTIONS

    def allowed(organisatie: str) -> bool:
        return who.role is Role.OPERATOR or organisatie in who.identities

    try:
        taken = await run_in_threadpool(
            take_in, store, soap.payload, action, max_bytes=settings.max_message_bytes, may_send_as=allowed
        )
    except GgkRefusalError as exc:
        return _fault(exc)
    if taken.created:
        metrics.SUBMITTED.inc()
    return soap_response(envelope(taken.bv03))


__all__ = ["PATH", "router"]
