"""Server-rendered operator dashboard: login, overview; every asset served from /static.

``GET /`` leads here. The pages speak Dutch (:mod:`gateway.api.dutch`); the API keeps its codes.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from gateway.api import dutch, session
from gateway.api.auth import Role, SenderBook
from gateway.api.stores import attached
from gateway.api.timechart import RANGES, Throughput, throughput_chart
from gateway.model import MessageStatus
from gateway.stufjz_policy import WARNINGS, stuf_jz_mode

if TYPE_CHECKING:
    from gateway.ports import ReadStore

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
dutch.install(TEMPLATES.env)

router = APIRouter(prefix="/dashboard", include_in_schema=False)
root_router = APIRouter(include_in_schema=False)


@root_router.get("/")
def root() -> Response:
    """The address a newcomer types first leads to the dashboard (its login page when signed out)."""
    return RedirectResponse("/dashboard/", status_code=307)


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


def _has_operator(request: Request) -> bool:
    senders = getattr(request.app.state.senders, "senders", [])
    return any(getattr(s, "role", None) is Role.OPERATOR for s in senders)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> Response:
    """The login page: how an operator gets a token, and the form to sign in with it."""
    return _render(request, "login.html", {"error": None, "has_operator": _has_operator(request)})


@router.post("/login")
def login(request: Request, token: Annotated[str, Form()]) -> Response:
    """Check the operator token and set the session cookie."""
    book: SenderBook = request.app.state.senders
    who = book.authenticate(token)
    if who is None or who.role is not Role.OPERATOR:
        ctx = {"error": "Onbekend token", "has_operator": _has_operator(request)}
        return _render(request, "login.html", ctx, 401)
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


def throughput(store: ReadStore, bereik: str) -> Throughput:
    """Messages received per bucket over the range ``bereik`` (uur, dag, maand), from the store."""
    bucket, periods, unit, caption = RANGES[bereik]
    end = datetime.now(UTC)
    points = [(str(label), int(value)) for label, value in store.throughput(bucket, periods=periods)]
    step = {"minute": 60, "hour": 3600, "day": 86400}[bucket]
    start = datetime.fromtimestamp(end.timestamp() - step * periods, UTC)
    return Throughput(points, unit, caption, start.strftime("%Y-%m-%d %H:%M"), end.strftime("%Y-%m-%d %H:%M"))


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, bereik: str = "uur") -> Response:
    """Counts per status and the throughput over a chosen range (from the store when one is attached)."""
    current = _session(request)
    if current is None:
        return RedirectResponse("/dashboard/login", status_code=303)
    bereik = bereik if bereik in RANGES else "uur"
    store = attached(request)
    counts: dict[str, int] | None = None
    if store is not None:
        raw = store.status_counts()
        counts = {str(s): int(raw.get(s, raw.get(str(s), 0))) for s in MessageStatus}
    chart = data = None
    if store is not None:
        data = throughput(store, bereik)
        chart = Markup(throughput_chart(data))  # noqa: S704 - throughput_chart escapes every label
    settings = getattr(request.app.state, "settings", None)
    mode = stuf_jz_mode(bool(getattr(settings, "stuf_jz_envelope_only", False)))
    return _render(
        request,
        "overview.html",
        {
            "stuf_jz_mode": str(mode),
            "stuf_jz_warning": WARNINGS.get(mode),
            "operator": current["op"],
            "counts": counts,
            "chart": chart,
            "tp": data,
            "bereik": bereik,
            "ranges": {k: v[3] for k, v in RANGES.items()},
            "csrf": session.csrf_token(_secret(request), current["sid"]),
        },
    )


def session_secret(configured: str | None) -> bytes:
    """The configured secret, or a per-process random one (sessions then end on restart)."""
    return configured.encode() if configured else secrets.token_bytes(32)


__all__ = ["TEMPLATES", "form_ok", "page", "root_router", "router", "session_secret", "signed_in", "throughput"]
