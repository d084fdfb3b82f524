"""The operator's view in real Chromium: / → login with the token explained, a Dutch overview whose chart has
axes, values and a range, the dead-letter queue's last error and next step, and reconciliation runs from the CLI
and from an upload side by side. Screenshots go to tests/artifacts/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from typer.testing import CliRunner

from gateway.cli import app as cli
from gateway.model import MessageStatus
from gateway.reconcile import population
from tests.browser.conftest import Live, login, screenshot

pytestmark = pytest.mark.browser


def test_root_leads_to_a_login_page_that_explains_the_token(page: Page, live: Live) -> None:
    """A newcomer typing the bare address gets the login page, which says how an operator gets a token."""
    page.goto(f"{live.base}/")
    page.wait_for_url(f"{live.base}/dashboard/login")
    howto = page.locator("section.howto")
    expect(howto).to_contain_text("ketenpoort senders add beheer --role operator --identity beheer")
    expect(howto).to_contain_text("KETENPOORT_SENDERS_FILE")
    screenshot(page, "login")
    page.fill("#token", live.token)
    page.click("form.login button[type=submit]")
    page.wait_for_url(f"{live.base}/dashboard/")
    expect(page.locator("h1")).to_have_text("Overzicht")


def test_overview_is_dutch_and_its_chart_has_axes_values_and_a_range(page: Page, live: Live) -> None:
    """Status names are Dutch; the throughput chart has count ticks, time labels, axis titles and a summary."""
    login(page, live)
    counts = page.locator("table.counts tbody")
    expect(counts).to_contain_text("afgekeurd")
    expect(counts).to_contain_text("onbestelbaar")
    visible = page.locator("main").inner_text()
    for status in MessageStatus:
        assert re.search(rf"\b{status.value}\b", visible) is None, status
    chart = page.locator("svg.throughput")
    expect(chart).to_be_visible()
    ticks = chart.locator("text.tick.y").all_text_contents()
    assert len(ticks) >= 2 and ticks[0] == "0" and float(ticks[-1]) >= 2  # two messages this hour at least
    assert len(chart.locator("text.tick.x").all_text_contents()) >= 6
    expect(chart.locator("text.axis-title").first).to_contain_text("tijd (UTC)")
    expect(chart.locator("text.axis-title").nth(1)).to_have_text("berichten per minuut")
    expect(page.locator("#throughput-summary")).to_contain_text("berichten ontvangen")
    box = chart.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 150
    screenshot(page, "overview")
    page.click("nav.ranges >> text=Laatste 24 uur")
    expect(page.locator("svg.throughput text.axis-title").nth(1)).to_have_text("berichten per uur")
    expect(page.locator("#throughput-summary")).to_contain_text("Laatste 24 uur")


def test_dead_letters_show_attempts_last_error_and_the_next_step(page: Page, live: Live) -> None:
    """The dead message's row says how often it was tried, the receiver's refusal, and offers the replay."""
    view = live.store.get_message(live.dead)
    assert view is not None
    login(page, live)
    page.click("nav >> text=Onbestelbaar")
    expect(page.locator("h1")).to_have_text("Onbestelbare berichten")
    row = page.locator("table.dead tbody tr", has_text=live.dead)
    expect(row.locator("td.attempts")).to_have_text(str(view.relay_attempts))
    expect(row.locator("td.last-error")).to_contain_text("HTTP 400")
    expect(row.locator("button")).to_have_text("Opnieuw aanbieden")
    expect(page.locator("ol.next-steps")).to_contain_text("Opnieuw aanbieden")
    screenshot(page, "dead-letters-detail")


def test_cli_and_uploaded_reconciliations_are_listed_alike(
    page: Page, live: Live, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A `ketenpoort reconcile --out` run appears in the list; uploading trajecten, CBS and datahuis files starts
    another, whose waterfalls render; both are listed with their source."""
    pop = population.generate("0034", seed=9, units=200)
    files = population.write(pop, tmp_path / "pop")
    perioden = ",".join(p.code for p in pop.perioden)
    monkeypatch.setenv("KETENPOORT_DATA_DIR", str(live.data_dir))
    args = ["reconcile", "--gemeente", "0034", "--periode", perioden, "--peildatum", str(pop.peildatum),
            "--trajecten", str(files["trajecten.csv"]), "--cbs", str(files["cbs.csv"]),
            "--out", str(tmp_path / "o")]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    found = re.search(r"listed on the dashboard as (\S+)", result.output)
    assert found is not None
    cli_run = found.group(1)

    login(page, live)
    page.click("nav >> text=Afstemming")
    expect(page.locator("table.runs tbody tr", has_text=cli_run).locator("td.source")).to_have_text("opdrachtregel")
    page.fill("#gemeente", "0034")
    page.fill("#perioden", perioden)
    page.fill("#peildatum", str(pop.peildatum))
    page.set_input_files("#trajecten", str(files["trajecten.csv"]))
    page.set_input_files("#cbs", str(files["cbs.csv"]))
    page.set_input_files("#datahuis", str(files["datahuis.csv"]))
    screenshot(page, "reconciliation-upload-form")
    page.click("form.run button[type=submit]")
    page.wait_for_url(re.compile(r".*/dashboard/reconciliation/0034-.*"))
    expect(page.locator("section.waterfall svg.chart")).to_have_count(len(pop.perioden))
    page.click("nav >> text=Afstemming")
    sources = page.locator("table.runs td.source").all_inner_texts()
    assert "opdrachtregel" in sources and "dashboard" in sources
    screenshot(page, "reconciliation-runs")
