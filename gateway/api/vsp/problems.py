"""ValidationProblemDetails answers (RFC 9457 shape, as the VSP documents define them) and the caller's parties."""

from __future__ import annotations

from fastapi.responses import JSONResponse

from gateway.api.auth import Role, Sender
from gateway.bsn import scrub

_TYPES = {
    400: "https://tools.ietf.org/html/rfc9110#section-15.5.1",
    404: "https://tools.ietf.org/html/rfc9110#section-15.5.5",
    422: "https://tools.ietf.org/html/rfc9110#section-15.5.21",
}
_TITLES = {
    400: "One or more validation errors occurred.",
    404: "Not found.",
    422: "The bericht can never be accepted.",
}


def problem(status: int, detail: str, errors: dict[str, list[str]] | None = None) -> JSONResponse:
    """A ValidationProblemDetails body with ``status``; ``detail`` and ``errors`` never carry message content."""
    body: dict[str, object] = {"type": _TYPES[status], "title": _TITLES[status], "status": status,
                               "detail": scrub(detail)}  # fmt: skip
    if errors:
        body["errors"] = {field: [scrub(m) for m in msgs] for field, msgs in errors.items()}
    return JSONResponse(body, status_code=status)


def parties(who: Sender) -> frozenset[str]:
    """The identity codes a caller acts for; an operator token acts for nobody over VSP."""
    return frozenset() if who.role is Role.OPERATOR else who.identities


__all__ = ["parties", "problem"]
