"""OpenAPI documentation at ``/docs`` (Swagger UI) and ``/redoc``, every asset served from this process.

Gateways often run where the internet is not reachable (a gemeente's network, a chain-partner
zone); FastAPI's default pages load their scripts from a public CDN and stay blank there. The
assets come from the ``fastapi-offline`` package, which ships Swagger UI 5 and Redoc 2: both read
the OpenAPI 3.1 document FastAPI emits (the Swagger UI 4 of ``swagger-ui-bundle`` cannot).

Redoc's sidebar footer loads the Redocly logo from Redocly's CDN, hard-coded in its bundle; we
serve the bundle with that one address pointed at our own icon, so the page makes no request
outside this server (its "API docs by Redocly" credit stays).
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

ASSETS = "/docs-assets"
ASSET_FILES = ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js")
REDOC_JS = "/redoc-assets/redoc.standalone.js"
REDOCLY_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"
LOCAL_LOGO = b"/static/favicon.svg"


def assets_dir() -> Path:
    """The directory holding Swagger UI and Redoc; a missing file stops the app at start, not in a browser."""
    folder = Path(str(files("fastapi_offline") / "static"))
    missing = [name for name in ASSET_FILES if not (folder / name).is_file()]
    if missing:
        raise RuntimeError(f"fastapi-offline is installed without {', '.join(missing)} in {folder}")
    return folder


def local_redoc_bundle(path: Path) -> bytes:
    """Redoc's bundle with its one outside address (the Redocly logo) pointed at our icon."""
    return path.read_bytes().replace(REDOCLY_LOGO, LOCAL_LOGO)


def mount_docs(app: FastAPI) -> None:
    """Serve ``/docs``, ``/redoc`` and their assets locally (app built with ``docs_url=None, redoc_url=None``)."""
    app.mount(ASSETS, StaticFiles(directory=assets_dir()), name="docs-assets")
    openapi_url = app.openapi_url or "/openapi.json"
    redoc_js = local_redoc_bundle(assets_dir() / "redoc.standalone.js")

    @app.get(REDOC_JS, include_in_schema=False)
    async def redoc_bundle() -> Response:
        return Response(redoc_js, media_type="text/javascript", headers={"Cache-Control": "public, max-age=86400"})

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} API",
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi_url,
            title=f"{app.title} API",
            redoc_js_url=REDOC_JS,
            redoc_favicon_url="/static/favicon.svg",
            with_google_fonts=False,
        )


__all__ = ["ASSETS", "ASSET_FILES", "REDOC_JS", "assets_dir", "local_redoc_bundle", "mount_docs"]
