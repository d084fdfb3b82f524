"""FastAPI's side of a SOAP 1.1 endpoint: read the body with a cap, check the SOAPAction, answer or fault.

Every SOAP endpoint (``/soap/ggk0310``, ``/soap/stuf-jz/{group}``) answers errors as SOAP Faults
with HTTP 500, as the SOAP 1.1 HTTP binding says, never as Ketenpoort's JSON error objects::

    try:
        request = await read_soap(http_request, max_bytes, actions=ACTIONS)
        ...
        return soap_response(envelope(bv03))
    except SoapFaultError as exc:
        return fault_response(exc)
"""

from __future__ import annotations

from collections.abc import Collection

from fastapi import HTTPException, Request, Response

from gateway.api.limits import read_body
from gateway.soap import SOAP_CONTENT_TYPE, SoapFaultError, SoapRequest, parse_envelope

_SOAP11_TYPES = frozenset({"text/xml"})


def soap_action(request: Request) -> str | None:
    """The SOAPAction header without its quotes; None when it is missing or empty."""
    raw = request.headers.get("soapaction")
    if raw is None:
        return None
    value = raw.strip().strip('"').strip()
    return value or None


async def read_soap(
    request: Request, max_bytes: int, *, actions: Collection[str] | None = None, chunk_timeout_s: float = 10.0
) -> tuple[SoapRequest, str | None]:
    """The parsed request and its SOAPAction; :class:`SoapFaultError` (Client) for anything unacceptable.

    ``actions``: the SOAPAction values this endpoint serves; a request without one of them is refused.
    The body is read at most ``max_bytes`` far, and parsed without DTDs, entities or network access.
    """
    ctype = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if ctype not in _SOAP11_TYPES:
        raise SoapFaultError("Client", f"SOAP 1.1 requests are sent as text/xml, not {ctype or 'no type'!r}")
    encoding = request.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        raise SoapFaultError("Client", "compressed requests are refused")
    action = soap_action(request)
    if actions is not None and action not in actions:
        raise SoapFaultError("Client", "the SOAPAction header is missing or names no operation of this service")
    try:
        body = await read_body(request, max_bytes, chunk_timeout_s)
    except HTTPException as exc:
        raw: object = exc.detail
        message = raw.get("message") if isinstance(raw, dict) else None
        raise SoapFaultError("Client", str(message or "the request body was refused")) from None
    return parse_envelope(body, max_bytes), action


def soap_response(body: bytes, status_code: int = 200) -> Response:
    """A SOAP envelope as the HTTP answer."""
    return Response(body, status_code=status_code, media_type=SOAP_CONTENT_TYPE)


def fault_response(error: SoapFaultError) -> Response:
    """The Fault for ``error`` with HTTP 500, as the SOAP 1.1 HTTP binding prescribes."""
    return soap_response(error.to_bytes(), 500)


__all__ = ["fault_response", "read_soap", "soap_action", "soap_response"]
