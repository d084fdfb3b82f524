"""``/soap/stuf-jz/{group}``: the CORV services (StUF-Jeugdzorg 1.0.9 over Digikoppeling WUS 2W-be / 2W-be-S).

``GET ...?wsdl`` serves the service's WSDL with ``soap:address`` pointing at the URL it was asked on,
``GET ...?xsd=jz0100`` (or ``stuf0301``) its schemas; ``POST`` takes one SOAP 1.1 request
(:func:`gateway.corv.inbound.handle`). The client certificate of a two-sided TLS connection reaches the
handler through the ASGI TLS extension (``scope["extensions"]["tls"]["client_cert_chain"]``), which
:mod:`gateway.api.tlspeer` fills in under uvicorn.
"""

from __future__ import annotations

from pathlib import Path

from cryptography import x509
from fastapi import APIRouter, FastAPI, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool

from gateway.api import metrics
from gateway.api.soap import read_soap
from gateway.api.stores import attached
from gateway.config import Settings
from gateway.corv.inbound import CorvService, handle, refuse_unread
from gateway.corv.parties import load_partners
from gateway.corv.services import GROUPS
from gateway.corv.wsdl import SCHEMA_FILES, build_wsdl, schema_text
from gateway.soap import SoapFaultError

router = APIRouter(tags=["corv"])
_XML = "text/xml; charset=utf-8"


def _trusted(path: Path | None) -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates(path.read_bytes()) if path is not None else []


def service_for(settings: Settings) -> CorvService:
    """The CORV service configuration from the settings (partners file, trusted CAs, limits)."""
    return CorvService(
        partners=load_partners(settings.corv_partners_file),
        trusted=_trusted(settings.corv_trusted_ca_file or settings.api_tls_ca_file),
        max_bytes=settings.corv_max_envelope_bytes,
        allow_without_certificate=settings.corv_allow_without_certificate,
        stuf_jz_envelope_only=settings.stuf_jz_envelope_only,
    )


def install(app: FastAPI, settings: Settings) -> None:
    """Add the CORV routes to ``app`` with the service its settings describe."""
    app.state.corv = service_for(settings)
    app.include_router(router)


def _group(group: str) -> str:
    if group not in GROUPS:
        raise HTTPException(404, detail={"error": "not_found", "message": f"no CORV service {group!r}"})
    return group


def _client_certificate(request: Request) -> str | None:
    tls = request.scope.get("extensions", {}).get("tls") or {}
    chain = tls.get("client_cert_chain") or ()
    return str(chain[0]) if chain else None


@router.get("/soap/stuf-jz/{group}", include_in_schema=False)
async def describe(group: str, request: Request) -> Response:
    """The WSDL (``?wsdl``) or one of its schemas (``?xsd=jz0100|stuf0301``) of a CORV service."""
    address = str(request.url.replace(query=""))
    xsd = request.query_params.get("xsd")
    if xsd is not None:
        if xsd not in SCHEMA_FILES:
            raise HTTPException(404, detail={"error": "not_found", "message": f"no schema {xsd!r}"})
        _group(group)
        return Response(schema_text(xsd, address), media_type=_XML)
    return Response(build_wsdl(_group(group), address), media_type=_XML)


@router.post("/soap/stuf-jz/{group}", include_in_schema=False)
async def receive(group: str, request: Request) -> Response:
    """One SOAP request: 200 with Bv03, or 500 with a SOAP Fault carrying Fo03."""
    service: CorvService = request.app.state.corv
    _group(group)
    try:
        parsed, _ = await read_soap(request, service.max_bytes, chunk_timeout_s=request.app.state.body_timeout_s)
    except SoapFaultError as exc:
        refused = refuse_unread(exc.text, stuf_code="StUF055")
        return Response(refused.body, status_code=refused.status, media_type=_XML)
    answer = await run_in_threadpool(
        handle,
        service,
        attached(request),
        group=group,
        path=request.url.path,
        request=parsed,
        soap_action=request.headers.get("soapaction"),
        client_cert_pem=_client_certificate(request),
    )
    if answer.created:
        metrics.SUBMITTED.inc()
    return Response(answer.body, status_code=answer.status, media_type=_XML)


__all__ = ["install", "router", "service_for"]
