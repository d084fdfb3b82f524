"""Real Chromium (Debian's /usr/bin/chromium, never a downloaded one) logs in to the dashboard."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import sync_playwright

from gateway.api import create_app
from gateway.api.auth import Role, add_sender
from gateway.config import load_settings

pytestmark = pytest.mark.browser
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]  # fmt: skip


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[str, str]]:
    senders = tmp_path / "senders.toml"
    token = add_sender(senders, "ops", [], Role.OPERATOR)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    app = create_app(load_settings(senders_file=senders))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    yield f"http://127.0.0.1:{port}", token
    server.should_exit = True
    thread.join()


def test_operator_logs_in_and_out(live: tuple[str, str], tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is not installed (apt-get install -y chromium)")
    base, token = live
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page()
        page.goto(f"{base}/dashboard/")
        assert page.url.endswith("/dashboard/login")
        page.fill("#token", "wrong")
        page.click("button[type=submit]")
        assert page.get_by_role("alert").inner_text() == "Onbekend token"
        page.fill("#token", token)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/dashboard/")
        assert page.locator("h1").inner_text() == "Overzicht"
        page.screenshot(path=str(tmp_path / "overview.png"))
        page.click("text=Uitloggen")
        page.wait_for_url(f"{base}/dashboard/login")
        browser.close()
