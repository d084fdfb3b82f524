"""/docs and /redoc work without the internet: Swagger UI and Redoc come from this server."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from gateway.api import create_app
from gateway.api.docs import LOCAL_LOGO, REDOC_JS
from gateway.config import load_settings


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_docs_page_loads_only_local_assets(path: str) -> None:
    """Every script, stylesheet and document the page names is served here (nothing from a CDN)."""
    with TestClient(create_app(load_settings())) as client:
        page = client.get(path)
        assert page.status_code == 200
        urls = re.findall(r"""(?:src|href|spec-url)=["']([^"']+)""", page.text)
        urls += re.findall(r"url: '([^']+)'", page.text)
        assert urls, page.text
        assert all(url.startswith("/") for url in urls), urls
        for url in urls:
            assert client.get(url).status_code == 200, url


def test_swagger_ui_is_a_version_that_reads_openapi_31() -> None:
    """The bundled Swagger UI is 5.x (4.x rejects the 3.1 document FastAPI emits) and Redoc is 2.x."""
    with TestClient(create_app(load_settings())) as client:
        assert client.get("/openapi.json").json()["openapi"].startswith("3.1")
        bundle = client.get("/docs-assets/swagger-ui-bundle.js")
        assert bundle.headers["content-type"].startswith("text/javascript")
        assert re.search(r'"5\.\d+\.\d+"', bundle.text)
        redoc = client.get(REDOC_JS).text
        assert re.search(r'"2\.\d+\.\d+"', redoc)


def test_redoc_bundle_loads_nothing_from_a_cdn() -> None:
    """The Redoc bundle we serve names no CDN address any more (the Redocly logo points at our icon)."""
    with TestClient(create_app(load_settings())) as client:
        redoc = client.get(REDOC_JS).text
        assert "cdn.redoc.ly" not in redoc
        assert LOCAL_LOGO.decode() in redoc
        assert client.get(LOCAL_LOGO.decode()).status_code == 200
