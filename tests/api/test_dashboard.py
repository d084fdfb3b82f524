"""Operator login: HttpOnly SameSite=Strict signed cookie; CSRF required on state-changing forms."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from markupsafe import escape

from gateway.api import create_app
from gateway.config import Settings
from gateway.generate.ijw import small_jw301
from gateway.intake import submit
from gateway.model import MessageStatus
from tests.api.conftest import Tokens
from tests.api.memory import MemoryStore
from tests.api.support import drain
from tests.support.receiver import Receiver


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


def _login(client: TestClient, tokens: Tokens) -> str:
    client.post("/dashboard/login", data={"token": tokens.operator})
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', client.get("/dashboard/").text)
    assert csrf is not None
    return csrf.group(1)


def test_replay_form_needs_csrf_and_replays_as_the_operator(settings: Settings, tokens: Tokens) -> None:
    store = MemoryStore()
    dead = submit(store, small_jw301(1), sender=None).message_id
    with Receiver() as rx:
        rx.always(400)
        drain(store, rx.url)
        assert store.rows[dead].status is MessageStatus.DEAD
        client = TestClient(create_app(settings, store=store))
        csrf = _login(client, tokens)
        page = client.get("/dashboard/dead-letters").text
        assert f'action="/dashboard/dead-letters/{dead}/replay"' in page
        assert client.post(f"/dashboard/dead-letters/{dead}/replay", data={"csrf": "bad"}).status_code == 403
        assert store.rows[dead].status is MessageStatus.DEAD
        r = client.post(f"/dashboard/dead-letters/{dead}/replay", data={"csrf": csrf}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == f"/dashboard/berichten/{dead}"
        assert store.audit_events(dead)[-1]["actor"] == "ops"
        rx.respond_ok()
        drain(store, rx.url)
    assert store.rows[dead].status is MessageStatus.DELIVERED
    page = client.get(f"/dashboard/berichten/{dead}").text
    assert '<dd class="status" id="status">delivered</dd>' in page and "replayed (ops)" in page


def test_detail_page_shows_rule_errors_and_audit(settings: Settings, tokens: Tokens) -> None:
    store = MemoryStore()
    bad_bsn = re.sub(rb"<jw301:Bsn>\d+<", b"<jw301:Bsn>123456789<", small_jw301(2))
    mid = submit(store, bad_bsn, sender=None).message_id
    with Receiver() as rx:
        drain(store, rx.url)
    assert store.rows[mid].status is MessageStatus.REJECTED
    client = TestClient(create_app(settings, store=store))
    assert client.get(f"/dashboard/berichten/{mid}", follow_redirects=False).status_code == 303
    _login(client, tokens)
    page = client.get(f"/dashboard/berichten/{mid}").text
    finding = next(f for f in store.rows[mid].findings if f.retourcode)
    assert f"<td>{finding.retourcode}</td>" in page and "rejected" in page and "validate" in page
    assert str(escape(finding.message)) in page
    assert "123456789" not in page  # the BSN itself is never shown
    assert client.get("/dashboard/berichten/none").status_code == 404


def test_bar_chart_is_inline_svg_with_escaped_labels() -> None:
    from gateway.api.charts import bar_chart

    svg = bar_chart([("08:00", 2), ("<x>", 4)], title="t")
    assert svg.startswith("<svg") and svg.count('class="bar"') == 2
    assert "&lt;x&gt;" in svg and "<x>" not in svg
    heights = [float(h) for h in re.findall(r'height="([0-9.]+)"/>', svg)]
    assert heights[1] == 2 * heights[0]  # proportional to the values
