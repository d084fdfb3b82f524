"""Server-rendered operator dashboard: login, overview; every asset served from /static."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from gateway.api import session
from gateway.api.auth import Role, SenderBook
from gateway.api.charts import bar_chart
from gateway.model import MessageStatus

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))

router = APIRouter(prefix="/dashboard", include_in_schema=False)


def _secret(request: Request) -> bytes:
    secret: bytes = request.app.state.session_secret
    return secret


PAGE_HEADERS = {
    # every asset is ours; no page may be framed elsewhere (the replay form cannot be clickjacked)
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def _render(request: Request, template: str, ctx: dict[str, Any], status_code: int = 200) -> Response:
    return TEMPLATES.TemplateResponse(request, template, ctx, status_code=status_code, headers=PAGE_HEADERS)


def _session(request: Request) -> dict[str, str] | None:
    return session.read(_secret(request), request.cookies.get(session.COOKIE))


def page(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> Response:
    """Render a page for the signed-in operator, or send them to the login page."""
    current = _session(request)
    if current is None:
        return RedirectResponse("/dashboard/login", status_code=303)
    ctx = {"operator": current["op"], "csrf": session.csrf_token(_secret(request), current["sid"]), **context}
    return _render(request, template, ctx, status_code)


def signed_in(request: Request) -> str | None:
    """The operator of a valid session, or None."""
    current = _session(request)
    return current["op"] if current is not None else None


def form_ok(request: Request, csrf: str) -> str | None:
    """The operator, when the session is valid and ``csrf`` is its CSRF token; else None."""
    current = _session(request)
    if current is None or not session.csrf_ok(_secret(request), current["sid"], csrf):
        return None
    return current["op"]


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> Response:
    """The login page: an operator signs in with their operator token."""
    return _render(request, "login.html", {"error": None})


@router.post("/login")
def login(request: Request, token: Annotated[str, Form()]) -> Response:
    """Check the operator token and set the session cookie."""
    book: SenderBook = request.app.state.senders
    who = book.authenticate(token)
    if who is None or who.role is not Role.OPERATOR:
        return _render(request, "login.html", {"error": "Onbekend token"}, 401)
    response = RedirectResponse("/dashboard/", status_code=303)
    response.set_cookie(
        session.COOKIE,
        session.issue(_secret(request), who.name),
        max_age=session.MAX_AGE_S,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


@router.post("/logout")
def logout(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
    """End the session (CSRF-protected like every state-changing form)."""
    current = _session(request)
    if current is None or not session.csrf_ok(_secret(request), current["sid"], csrf):
        return Response("CSRF token missing or wrong", status_code=403)
    response = RedirectResponse("/dashboard/login", status_code=303)
    response.delete_cookie(session.COOKIE, path="/")
    return response


@router.get("/", response_class=HTMLResponse)
def overview(request: Request) -> Response:
    """Counts per status (from the store when one is attached)."""
    current = _session(request)
    if current is None:
        return RedirectResponse("/dashboard/login", status_code=303)
    store: Any = request.app.state.store
    counts: dict[str, int] | None = None
    if store is not None and hasattr(store, "status_counts"):
        raw = store.status_counts()
        counts = {str(s): int(raw.get(s, raw.get(str(s), 0))) for s in MessageStatus}
    chart = None
    if store is not None and hasattr(store, "throughput"):
        points = [(str(label), float(value)) for label, value in store.throughput()]
        chart = Markup(bar_chart(points, title="Berichten per interval"))  # noqa: S704 - bar_chart escapes every label
    return _render(
        request,
        "overview.html",
        {
            "operator": current["op"],
            "counts": counts,
            "chart": chart,
            "csrf": session.csrf_token(_secret(request), current["sid"]),
        },
    )


def session_secret(configured: str | None) -> bytes:
    """The configured secret, or a per-process random one (sessions then end on restart)."""
    return configured.encode() if configured else secrets.token_bytes(32)


__all__ = ["TEMPLATES", "form_ok", "page", "router", "session_secret", "signed_in"]
