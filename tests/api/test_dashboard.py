"""Operator login: HttpOnly SameSite=Strict signed cookie; CSRF required on state-changing forms."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from gateway.api import create_app
from gateway.config import Settings
from tests.api.conftest import Tokens


def test_login_sets_a_strict_httponly_cookie_and_shows_overview(settings: Settings, tokens: Tokens) -> None:
    client = TestClient(create_app(settings))
    assert client.get("/dashboard/", follow_redirects=False).headers["location"] == "/dashboard/login"
    r = client.post("/dashboard/login", data={"token": tokens.operator}, follow_redirects=False)
    assert r.status_code == 303
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert tokens.operator not in r.headers["set-cookie"]
    page = client.get("/dashboard/")
    assert page.status_code == 200 and "ops" in page.text and 'href="/static/app.css"' in page.text
    assert "http://" not in page.text and "https://" not in page.text  # every asset local
    assert client.get("/static/app.css").status_code == 200


def test_non_operator_tokens_and_tampered_cookies_are_refused(settings: Settings, tokens: Tokens) -> None:
    client = TestClient(create_app(settings))
    for token in (tokens.a, tokens.receiver, "wrong"):
        assert client.post("/dashboard/login", data={"token": token}).status_code == 401
    client.cookies.set("kp_session", "eyJvcCI6Im9wcyJ9.deadbeef")
    assert client.get("/dashboard/", follow_redirects=False).status_code == 303


def test_logout_needs_the_sessions_csrf_token(settings: Settings, tokens: Tokens) -> None:
    client = TestClient(create_app(settings))
    client.post("/dashboard/login", data={"token": tokens.operator})
    page = client.get("/dashboard/").text
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    assert csrf is not None
    assert client.post("/dashboard/logout", data={}, follow_redirects=False).status_code == 403
    assert client.post("/dashboard/logout", data={"csrf": "0" * 64}, follow_redirects=False).status_code == 403
    r = client.post("/dashboard/logout", data={"csrf": csrf.group(1)}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/dashboard/login"


def test_replay_form_needs_csrf_and_replays_as_the_operator(settings: Settings, tokens: Tokens) -> None:
    from tests.api.test_matrix import FakeStore, Msg

    store = FakeStore()
    store.messages["d1"] = Msg("d1", "s", "r", status="dead")
    client = TestClient(create_app(settings, store=store))
    client.post("/dashboard/login", data={"token": tokens.operator})
    page = client.get("/dashboard/dead-letters").text
    assert 'action="/dashboard/dead-letters/d1/replay"' in page
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    assert csrf is not None
    assert client.post("/dashboard/dead-letters/d1/replay", data={"csrf": "bad"}).status_code == 403
    assert store.replayed == []
    r = client.post("/dashboard/dead-letters/d1/replay", data={"csrf": csrf.group(1)}, follow_redirects=False)
    assert r.status_code == 303 and store.replayed == [("d1", "ops")]


def test_detail_page_shows_rule_errors_and_audit(settings: Settings, tokens: Tokens) -> None:
    from dataclasses import dataclass

    from gateway.model import Finding
    from tests.api.test_matrix import FakeStore, Msg

    @dataclass
    class Rejected(Msg):
        findings: tuple[Finding, ...] = ()

    store = FakeStore()
    store.messages["r1"] = Rejected(
        "r1",
        "s",
        "r",
        status="rejected",
        findings=(Finding(kind="rule", message="<b>te laat</b>", rule="TR019", retourcode="0200"),),
    )
    client = TestClient(create_app(settings, store=store))
    assert client.get("/dashboard/berichten/r1", follow_redirects=False).status_code == 303
    client.post("/dashboard/login", data={"token": tokens.operator})
    page = client.get("/dashboard/berichten/r1").text
    assert "TR019" in page and "0200" in page and "rejected" in page and "validate" in page
    assert "&lt;b&gt;te laat&lt;/b&gt;" in page  # escaped, not rendered
    assert client.get("/dashboard/berichten/none").status_code == 404


def test_bar_chart_is_inline_svg_with_escaped_labels() -> None:
    from gateway.api.charts import bar_chart

    svg = bar_chart([("08:00", 2), ("<x>", 4)], title="t")
    assert svg.startswith("<svg") and svg.count('class="bar"') == 2
    assert "&lt;x&gt;" in svg and "<x>" not in svg
    heights = [float(h) for h in re.findall(r'height="([0-9.]+)"/>', svg)]
    assert heights[1] == 2 * heights[0]  # proportional to the values
