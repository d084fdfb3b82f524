"""/docs works without the internet: Swagger UI's script and stylesheet come from this server."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from gateway.api import create_app


def test_docs_page_loads_only_local_assets() -> None:
    with TestClient(create_app()) as client:
        page = client.get("/docs")
        assert page.status_code == 200
        urls = re.findall(r"""(?:src|href)=["']([^"']+)""", page.text) + re.findall(r"url: '([^']+)'", page.text)
        assert urls, page.text
        assert all(url.startswith("/") for url in urls), urls  # nothing from a CDN
        for url in urls:
            assert client.get(url).status_code == 200, url
        assert client.get("/docs-assets/swagger-ui-bundle.js").headers["content-type"].startswith("text/javascript")
