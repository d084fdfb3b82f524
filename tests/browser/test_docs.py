"""/docs and /redoc render the API's OpenAPI 3.1 document in real Chromium, with no asset from outside."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, Request, expect

from gateway.api import create_app
from gateway.config import load_settings
from tests.api.support import serving
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def docs_base() -> Iterator[str]:
    with serving(create_app(load_settings())) as base:
        yield base


def _only_local(page: Page, base: str) -> list[str]:
    """Collects every request the page makes that does not go to ``base`` (a CDN, a font host)."""
    foreign: list[str] = []

    def on_request(request: Request) -> None:
        if not request.url.startswith((base, "data:", "blob:")):
            foreign.append(request.url)

    page.on("request", on_request)
    return foreign


def test_swagger_ui_shows_the_operations(page: Page, docs_base: str) -> None:
    """Swagger UI reads the OpenAPI 3.1 document and lists the intake operation; no error banner."""
    foreign = _only_local(page, docs_base)
    page.goto(f"{docs_base}/docs")
    operation = page.locator(".opblock-summary-path", has_text="/v1/berichten").first
    expect(operation).to_be_visible(timeout=20_000)
    assert page.locator(".opblock").count() >= 5  # every route, not only the first
    expect(page.locator(".information-container .title")).to_contain_text("Ketenpoort")
    expect(page.locator("text=does not specify a valid version field")).to_have_count(0)
    expect(page.locator(".errors-wrapper")).to_have_count(0)
    screenshot(page, "docs-swagger")
    assert foreign == []


def test_redoc_shows_the_operations(page: Page, docs_base: str) -> None:
    """Redoc renders the same document: the intake operation is in its menu and its body."""
    foreign = _only_local(page, docs_base)
    page.goto(f"{docs_base}/redoc")
    expect(page.locator("h1", has_text="Ketenpoort")).to_be_visible(timeout=20_000)
    expect(page.locator("[role=menuitem], li[data-item-id]").first).to_be_visible()
    expect(page.locator("main, .api-content").first).to_contain_text("/v1/berichten")
    screenshot(page, "docs-redoc")
    assert foreign == []
