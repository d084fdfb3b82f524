"""Operator login: HttpOnly SameSite=Strict signed cookie; CSRF required on state-changing forms."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient
from markupsafe import escape

from gateway.api import create_app
from gateway.config import Settings
from gateway.generate.ijw import small_jw301
from gateway.intake import submit
from gateway.model import MessageStatus
from gateway.ports import ReadStore
from gateway.store import Store
from gateway.store.memory import MemoryStore
from tests.api.conftest import OIN_A, OIN_R, Tokens
from tests.api.support import drain
from tests.support.receiver import Receiver
from tests.support.stuf_builders import build_di01


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
    csp = page.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp  # no clickjacking of the forms
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


def _di01(ref: str) -> bytes:
    return build_di01("meldingGeneriekDi01", zender_oin=OIN_A, ontvanger_oin=OIN_R, referentienummer=ref)


def _status(store: ReadStore, mid: str) -> MessageStatus | None:
    view = store.get_message(mid)
    return view.status if view is not None else None


def _login(client: TestClient, tokens: Tokens) -> str:
    client.post("/dashboard/login", data={"token": tokens.operator})
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', client.get("/dashboard/").text)
    assert csrf is not None
    return csrf.group(1)


def test_replay_form_needs_csrf_and_replays_as_the_operator(settings: Settings, tokens: Tokens, store: Store) -> None:
    dead = submit(store, _di01("D-1"), sender=None).message_id
    with Receiver() as rx:
        rx.always(400)
        drain(store, rx.url)
        assert _status(store, dead) is MessageStatus.DEAD
        client = TestClient(create_app(settings, store=store))
        csrf = _login(client, tokens)
        page = client.get("/dashboard/dead-letters").text
        assert f'action="/dashboard/dead-letters/{dead}/replay"' in page
        assert client.post(f"/dashboard/dead-letters/{dead}/replay", data={"csrf": "bad"}).status_code == 403
        assert _status(store, dead) is MessageStatus.DEAD
        r = client.post(f"/dashboard/dead-letters/{dead}/replay", data={"csrf": csrf}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == f"/dashboard/berichten/{dead}"
        assert store.audit_events(dead)[-1].actor == "ops"
        rx.respond_ok()
        drain(store, rx.url)
    assert _status(store, dead) is MessageStatus.DELIVERED
    page = client.get(f"/dashboard/berichten/{dead}").text
    assert '<dd class="status" id="status" data-status="delivered">afgeleverd</dd>' in page
    assert "opnieuw aangeboden</span> (ops)" in page


def test_detail_page_shows_rule_errors_and_audit(settings: Settings, tokens: Tokens, memory_store: MemoryStore) -> None:
    bad_bsn = re.sub(rb"<jw301:Bsn>\d+<", b"<jw301:Bsn>123456789<", small_jw301(2))
    mid = submit(memory_store, bad_bsn, sender=None).message_id
    with Receiver() as rx:
        drain(memory_store, rx.url)
    assert _status(memory_store, mid) is MessageStatus.REJECTED
    client = TestClient(create_app(settings, store=memory_store))
    assert client.get(f"/dashboard/berichten/{mid}", follow_redirects=False).status_code == 303
    _login(client, tokens)
    page = client.get(f"/dashboard/berichten/{mid}").text
    view = memory_store.get_message(mid)
    assert view is not None
    finding = next(f for f in view.findings if f.retourcode)
    assert f"<td>{finding.retourcode}</td>" in page and f"<td>{finding.rule}</td>" in page
    assert '<dd class="status" id="status" data-status="rejected">afgekeurd</dd>' in page and "message.rejected" in page
    assert str(escape(finding.message)) in page
    assert "123456789" not in page  # the BSN itself is never shown
    assert client.get("/dashboard/berichten/none").status_code == 404


def test_waterfall_totals_stand_on_zero_and_changes_float() -> None:
    from gateway.api.charts import Step, waterfall_chart

    svg = waterfall_chart([Step("d", 100, total=True), Step("<pgb>", -40), Step("n", 10), Step("v", 70, total=True)],
                          title="t", height=240)  # fmt: skip
    rects = [(float(y), float(h)) for y, h in re.findall(r'<rect class="[^"]+" x="[^"]+" y="([0-9.]+)" width="[^"]+" '
                                                         r'height="([0-9.]+)"', svg)]  # fmt: skip
    (d_y, d_h), (p_y, p_h), (n_y, n_h), (v_y, v_h) = rects
    unit = d_h / 100
    assert d_y + d_h == v_y + v_h  # both totals stand on the zero line
    assert p_y == d_y and abs(p_h - 40 * unit) < 0.2  # the drop starts at the top of the datahuis bar
    assert abs(n_y + n_h - (p_y + p_h)) < 0.2 and abs(n_h - 10 * unit) < 0.2  # the rise starts where the drop ended
    assert abs(v_h - 70 * unit) < 0.2 and "&lt;pgb&gt;" in svg and "<pgb>" not in svg


def test_message_list_coverage_and_reconciliation_pages(
    settings: Settings, tokens: Tokens, tmp_path: Path, memory_store: MemoryStore
) -> None:
    ok = submit(memory_store, _di01("OK-7"), sender=None).message_id
    bad = submit(
        memory_store, re.sub(rb"<jw301:Bsn>\d+<", b"<jw301:Bsn>123456789<", small_jw301(8)), sender=None
    ).message_id
    with Receiver() as rx:
        drain(memory_store, rx.url)
    run = tmp_path / "reconcile" / "r1"
    run.mkdir(parents=True)
    (run / "bridge.json").write_text('[{"periode": "2018JJ", "hulpvorm": "totaal", "datahuis_trajecten": 9}]')
    client = TestClient(create_app(settings.model_copy(update={"data_dir": tmp_path}), store=memory_store))
    _login(client, tokens)
    everything = client.get("/dashboard/berichten").text
    assert f"/dashboard/berichten/{ok}" in everything and f"/dashboard/berichten/{bad}" in everything
    rejected = client.get("/dashboard/berichten?status=rejected").text
    assert f"/dashboard/berichten/{bad}" in rejected and f"/dashboard/berichten/{ok}" not in rejected
    view = memory_store.get_message(ok)
    sender = (view.sender if view else None) or ""
    mine = client.get("/dashboard/berichten", params={"partij": sender}).text
    assert f"/dashboard/berichten/{ok}" in mine
    r = client.get("/dashboard/berichten?status=kwijt")
    assert r.status_code == 400 and 'role="alert"' in r.text
    assert "feiten hebben een productcode zonder CBS-codering" in client.get("/dashboard/mapping").text
    assert 'href="/dashboard/reconciliation/r1"' in client.get("/dashboard/reconciliation").text
    page = client.get("/dashboard/reconciliation/r1").text
    assert "svg" in page and "datahuis" in page and "<iframe" not in page  # no report.html in this run
    assert client.get("/dashboard/reconciliation/nope").status_code == 404


def test_overview_counts_and_throughput_come_from_the_store(
    settings: Settings, tokens: Tokens, memory_store: MemoryStore
) -> None:
    for i in range(3):
        submit(memory_store, _di01(f"O-{i}"), sender=None)
    client = TestClient(create_app(settings, store=memory_store))
    _login(client, tokens)
    page = client.get("/dashboard/").text
    assert re.search(r'<td data-status="received"><a [^>]+>ontvangen</a></td><td class="num">3</td>', page)
    assert re.search(r'<td data-status="delivered"><a [^>]+>afgeleverd</a></td><td class="num">0</td>', page)
    assert 'class="chart throughput"' in page and ": 3 berichten</title>" in page  # this minute's bar holds the three
    assert "3 berichten ontvangen" in page


def test_start_a_reconciliation_from_the_dashboard(
    settings: Settings, tokens: Tokens, tmp_path: Path, memory_store: MemoryStore
) -> None:
    client = TestClient(create_app(settings.model_copy(update={"data_dir": tmp_path}), store=memory_store))
    csrf = _login(client, tokens)
    cbs = ("cbs", ("cbs.csv", b"gemeente,periode,hulpvorm,jongeren\n0034,2018HJ2,totaal,7\n", "text/csv"))
    form = {"gemeente": "0034", "perioden": "2018hj2", "peildatum": "2019-03-01"}
    assert client.post("/dashboard/reconciliation", data=form, files=[cbs]).status_code == 403  # no CSRF token
    assert not (tmp_path / "reconcile").exists()
    r = client.post("/dashboard/reconciliation", data={**form, "csrf": csrf}, files=[cbs], follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/dashboard/reconciliation/0034-2018HJ2-")
    page = client.get(r.headers["location"]).text
    assert 'class="chart waterfall"' in page and "<iframe" in page
    bad = client.post("/dashboard/reconciliation", data={**form, "perioden": "ooit", "csrf": csrf}, files=[cbs])
    assert bad.status_code == 400 and 'role="alert"' in bad.text
