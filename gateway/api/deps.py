"""Request dependencies shared by the routers: the caller's identity from the Bearer token."""

from __future__ import annotations

from fastapi import HTTPException, Request

from gateway.api.auth import Role, Sender, SenderBook


def _unauthorised() -> HTTPException:
    return HTTPException(
        401,
        detail={"error": "unauthorised", "message": "a valid Bearer token is required"},
        headers={"WWW-Authenticate": "Bearer"},
    )


async def caller(request: Request) -> Sender:
    """The authenticated sender, or 401 (async: a sync dependency would cost a threadpool hop per request)."""
    book: SenderBook = request.app.state.senders
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer":
        raise _unauthorised()
    found = book.authenticate(token.strip())
    if found is None:
        raise _unauthorised()
    return found


async def operator(request: Request) -> Sender:
    """The authenticated operator, 401 without a token, 403 for any other role."""
    who = await caller(request)
    if who.role is not Role.OPERATOR:
        raise HTTPException(403, detail={"error": "forbidden", "message": "operators only"})
    return who


__all__ = ["caller", "operator"]
