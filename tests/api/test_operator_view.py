"""The operator's view over HTTP: / leads to the dashboard, the login page explains the token, Dutch names,
the throughput chart's axes, the dead-letter queue's last error, and reconciliation runs from the CLI and uploads."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from gateway.api import create_app
from gateway.api.dutch import EVENTS, STATUS, status_name
from gateway.api.timechart import Throughput, nice_top, throughput_chart
from gateway.cli import app as cli
from gateway.config import Settings
from gateway.intake import submit
from gateway.model import MessageStatus
from gateway.reconcile import population
from gateway.store import Store
from gateway.store.dead_letters import dead_letters
from gateway.store.memory import MemoryStore
from tests.api.conftest import OIN_A, OIN_R, Tokens
from tests.api.support import drain
from tests.support.receiver import Receiver
from tests.support.stuf_builders import build_di01


def _login(client: TestClient, tokens: Tokens) -> str:
    client.post("/dashboard/login", data={"token": tokens.operator})
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', client.get("/dashboard/").text)
    assert csrf is not None
    return csrf.group(1)


def _di01(ref: str) -> bytes:
    return build_di01("meldingGeneriekDi01", zender_oin=OIN_A, ontvanger_oin=OIN_R, referentienummer=ref)


def test_root_leads_to_the_dashboard_and_the_login_page_explains_the_token(settings: Settings) -> None:
    """``GET /`` redirects to the dashboard; signed out, that is a login page saying how to get a token."""
    client = TestClient(create_app(settings))
    r = client.get("/", follow_redirects=False)
    assert r.status_code == 307 and r.headers["location"] == "/dashboard/"
    page = client.get("/")
    assert page.url.path == "/dashboard/login"
    assert "ketenpoort senders add beheer --role operator --identity beheer" in page.text
    assert "KETENPOORT_SENDERS_FILE" in page.text and "één keer" in page.text
    assert "nog geen operator" not in page.text  # the test's senders file has one


def test_login_page_says_when_no_operator_exists(tmp_path: Path) -> None:
    """Without any operator in the senders file the login page says one must be made first."""
    from gateway.config import load_settings

    client = TestClient(create_app(load_settings(senders_file=tmp_path / "none.toml")))
    assert "Er is nog geen operator ingesteld" in client.get("/dashboard/login").text


def test_every_status_and_event_has_a_dutch_name() -> None:
    """The dashboard names every message status in Dutch; the common audit events too."""
    assert set(STATUS) == set(MessageStatus)
    assert status_name("dead") == "onbestelbaar" and status_name("onbekend") == "onbekend"
    assert {"message.received", "message.delivered", "message.dead", "message.replayed"} <= set(EVENTS)


def test_pages_show_dutch_status_names_only(settings: Settings, tokens: Tokens, memory_store: MemoryStore) -> None:
    """Overview and message list show Dutch status names; the English codes stay only in values and attributes."""
    submit(memory_store, _di01("NL-1"), sender=None)
    client = TestClient(create_app(settings, store=memory_store))
    _login(client, tokens)
    for path in ("/dashboard/", "/dashboard/berichten"):
        text = client.get(path).text
        visible = re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style|title)[^>]*>.*?</\1>", "", text, flags=re.S))
        for status in MessageStatus:
            assert re.search(rf"\b{status.value}\b", visible) is None, (path, status)
        assert "ontvangen" in visible
    assert "Dead letters" not in client.get("/dashboard/").text


def test_throughput_chart_has_axes_values_and_its_range() -> None:
    """The chart draws count ticks up to a round top, time labels, both axis titles, and a tooltip per bar."""
    points = [(f"10:{m:02d}", n) for m, n in enumerate([0, 3, 7, 0, 12, 1])]
    svg = throughput_chart(Throughput(points, "minuut", "Laatste 6 minuten", "2026-01-01 10:00", "2026-01-01 10:06"))
    ticks = [float(t) for t in re.findall(r'class="tick y"[^>]*>([0-9.]+)<', svg)]
    assert ticks[0] == 0 and ticks[-1] >= 12 and ticks == sorted(ticks)
    assert "berichten per minuut" in svg and "tijd (UTC), 2026-01-01 10:00 – 2026-01-01 10:06" in svg
    assert re.findall(r'class="tick x"[^>]*>([^<]+)<', svg)[0] == "10:00"
    assert "<title>10:04: 12 berichten</title>" in svg and "<title>10:05: 1 bericht</title>" in svg
    heights = [float(h) for h in re.findall(r'class="bar"[^>]*height="([0-9.]+)"', svg)]
    assert heights[4] == pytest.approx(12 * heights[5])
    assert nice_top(12) == (15.0, 5.0) and nice_top(0) == (1.0, 1.0) and nice_top(3) == (3.0, 1.0)
    assert "&lt;b&gt;" in throughput_chart(Throughput([("<b>", 1)], "uur", "x", "a", "b"))


def test_overview_offers_three_ranges(settings: Settings, tokens: Tokens, memory_store: MemoryStore) -> None:
    """The overview's chart covers the last hour, day or month, and says how many arrived in it."""
    submit(memory_store, _di01("R-1"), sender=None)
    client = TestClient(create_app(settings, store=memory_store))
    _login(client, tokens)
    for bereik, unit in (("uur", "minuut"), ("dag", "uur"), ("maand", "dag")):
        page = client.get(f"/dashboard/?bereik={bereik}").text
        assert f"berichten per {unit}" in page and "1 bericht ontvangen" in page, bereik
    assert "Laatste 60 minuten" in client.get("/dashboard/?bereik=onzin").text


def test_dead_letter_page_shows_attempts_last_error_and_next_step(
    settings: Settings, tokens: Tokens, store: Store
) -> None:
    """A message the receiver refused shows its attempt count, the receiver's answer, and the replay to do next."""
    dead = submit(store, _di01("DL-1"), sender=None).message_id
    with Receiver() as rx:
        rx.always(400)
        drain(store, rx.url)
    [row] = dead_letters(store)
    assert row.id == dead and row.relay_attempts == 1 and row.last_status_code == 400
    assert row.reason.startswith("HTTP 400")
    client = TestClient(create_app(settings, store=store))
    _login(client, tokens)
    page = client.get("/dashboard/dead-letters").text
    assert f'<td class="num attempts">{row.relay_attempts}</td>' in page
    assert f'<td class="last-error">{row.reason}</td>' in page
    assert "Opnieuw aanbieden" in page and "Wat nu?" in page and "ketenpoort dlq replay --all" in page


def test_a_cli_run_is_listed_beside_a_dashboard_upload(
    settings: Settings, tokens: Tokens, memory_store: MemoryStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`ketenpoort reconcile --out` elsewhere is listed as a CLI run (outputs only, no BSN); an upload of
    trajecten, CBS and datahuis files from the dashboard gives the same bridge as the CLI."""
    data = tmp_path / "data"
    pop = population.generate("0034", seed=5, units=200)
    files = population.write(pop, tmp_path / "pop")
    perioden = ",".join(p.code for p in pop.perioden)
    monkeypatch.setenv("KETENPOORT_DATA_DIR", str(data))
    monkeypatch.setenv("KETENPOORT_PSEUDONYM_KEY", "k" * 32)
    out = tmp_path / "elsewhere"
    args = ["reconcile", "--gemeente", "0034", "--periode", perioden, "--peildatum", str(pop.peildatum),
            "--trajecten", str(files["trajecten.csv"]), "--cbs", str(files["cbs.csv"]),
            "--datahuis", str(files["datahuis.csv"]), "--out", str(out)]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    [cli_run] = list((data / "reconcile").iterdir())
    assert f"listed on the dashboard as {cli_run.name}" in result.output
    assert sorted(p.name for p in cli_run.iterdir()) == ["bridge.csv", "bridge.json", "report.html", "run.json"]
    assert json.loads((cli_run / "run.json").read_text())["bron"] == "cli"
    bsns = {row.split(",")[0] for row in files["trajecten.csv"].read_text().splitlines()[1:]}
    copied = "".join(p.read_text() for p in cli_run.iterdir())
    assert not any(b in copied for b in bsns if re.fullmatch(r"\d{9}", b))

    client = TestClient(create_app(settings.model_copy(update={"data_dir": data}), store=memory_store))
    csrf = _login(client, tokens)
    form = {"gemeente": "0034", "perioden": perioden, "peildatum": str(pop.peildatum), "csrf": csrf}
    uploads = [(name, (f"{name}.csv", files[f"{name}.csv"].read_bytes(), "text/csv"))
               for name in ("trajecten", "cbs", "datahuis")]  # fmt: skip
    r = client.post("/dashboard/reconciliation", data=form, files=uploads, follow_redirects=False)
    assert r.status_code == 303, r.text
    run_id = r.headers["location"].rsplit("/", 1)[1]
    uploaded = data / "reconcile" / run_id
    assert json.loads((uploaded / "bridge.json").read_text()) == json.loads((cli_run / "bridge.json").read_text())
    assert not (uploaded / "trajecten.csv").exists()  # the BSNs are not kept
    assert json.loads((uploaded / "run.json").read_text())["bron"] == "dashboard"
    listing = client.get("/dashboard/reconciliation").text
    assert f'href="/dashboard/reconciliation/{cli_run.name}"' in listing
    assert f'href="/dashboard/reconciliation/{run_id}"' in listing
    assert 'data-source="cli">opdrachtregel<' in listing and 'data-source="dashboard">dashboard<' in listing


def test_a_bad_upload_is_refused_plainly_and_keeps_no_run(
    settings: Settings, tokens: Tokens, memory_store: MemoryStore, tmp_path: Path
) -> None:
    """A trajecten file without its columns answers 400 with the reason, and leaves no half run behind."""
    client = TestClient(create_app(settings.model_copy(update={"data_dir": tmp_path}), store=memory_store))
    csrf = _login(client, tokens)
    form = {"gemeente": "0034", "perioden": "2018JJ", "peildatum": "2019-03-01", "csrf": csrf}
    uploads = [("cbs", ("cbs.csv", b"gemeente,periode,hulpvorm,jongeren\n0034,2018JJ,totaal,7\n", "text/csv")),
               ("trajecten", ("t.csv", b"bsn,iets\n123456782,x\n", "text/csv"))]  # fmt: skip
    r = client.post("/dashboard/reconciliation", data=form, files=uploads)
    assert r.status_code == 400 and 'role="alert"' in r.text and "missing columns" in r.text
    assert "123456782" not in r.text
    assert not list((tmp_path / "reconcile").glob("*/bridge.json"))
