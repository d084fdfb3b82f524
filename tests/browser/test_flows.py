"""An operator in real Chromium: finds a rejected message's rule errors, replays a dead one, reads a reconciliation."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from gateway.model import MessageStatus
from tests.browser.conftest import ARTIFACTS, RUN_ID, Live, login, screenshot, status

pytestmark = pytest.mark.browser


def test_find_a_rejected_message_and_read_its_rule_errors(page: Page, live: Live) -> None:
    login(page, live)
    page.click("nav >> text=Berichten")
    page.select_option("#status", "rejected")
    page.click("text=Filteren")
    rows = page.locator("table.messages tbody tr")
    expect(rows).to_have_count(1)
    rows.first.locator("a").click()
    page.wait_for_url(f"{live.base}/dashboard/berichten/{live.rejected}")
    expect(page.locator("#status")).to_have_text("afgekeurd")
    view = live.store.get_message(live.rejected)
    assert view is not None
    expected = [f for f in view.findings if f.rule]
    assert expected, "the BSN that fails the 11-proef gives a rule finding"
    table = page.locator("table.findings tbody")
    for finding in expected:
        row = table.locator("tr", has_text=finding.rule or "")
        expect(row.first).to_contain_text(finding.retourcode or "")
    assert "123456789" not in page.content()  # the BSN is never shown
    screenshot(page, "rejected-message")


def test_replay_a_dead_message_and_see_it_delivered(page: Page, live: Live) -> None:
    login(page, live)
    page.click("nav >> text=Onbestelbaar")
    row = page.locator("table.dead tbody tr", has_text=live.dead)
    expect(row).to_have_count(1)
    screenshot(page, "dead-letters")
    live.receiver.respond_ok()
    row.locator("text=Opnieuw aanbieden").click()
    page.wait_for_url(f"{live.base}/dashboard/berichten/{live.dead}")
    expect(page.locator("#status")).to_have_text("afgeleverd", timeout=20_000)  # the page refreshes itself
    assert status(live.store, live.dead) is MessageStatus.DELIVERED
    assert live.dead in live.receiver.delivered_keys() or any(
        r.message_id == live.dead and r.status == 200 for r in live.receiver.records
    )
    expect(page.locator("ol.timeline")).to_contain_text("opnieuw aangeboden (ops)")
    expect(page.locator("table.deliveries tbody tr")).to_have_count(2)  # refused once, then delivered
    screenshot(page, "replayed-delivered")
    page.goto(f"{live.base}/dashboard/dead-letters")
    expect(page.locator("main")).to_contain_text("Geen onbestelbare berichten")


def test_open_a_reconciliation_report_and_see_its_charts(page: Page, live: Live) -> None:
    login(page, live)
    page.click("nav >> text=Afstemming")
    page.click(f"text={RUN_ID}")
    page.wait_for_url(f"{live.base}/dashboard/reconciliation/{RUN_ID}")
    bridge = json.loads((live.data_dir / "reconcile" / RUN_ID / "bridge.json").read_text())
    periods = list(dict.fromkeys(row["periode"] for row in bridge))
    charts = page.locator("section.waterfall svg.chart")
    expect(charts).to_have_count(len(periods))  # one waterfall per period
    first = charts.first
    expect(first.locator("rect.bar")).to_have_count(9)  # one bar per bridge step
    expect(first.locator("rect.total")).to_have_count(3)  # datahuis, verwacht CBS, CBS
    expect(first).to_contain_text("geen CBS-code")
    box = first.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 50  # really drawn, not collapsed
    expect(page.locator("table.bridge tbody tr")).to_have_count(len(bridge))
    report = page.frame_locator("iframe.report")
    expect(report.locator("h1")).to_be_visible()
    report_charts = report.locator("svg")
    expect(report_charts.first).to_be_visible()  # the report's own charts render inside its sandboxed frame
    assert report_charts.count() >= len(periods)
    screenshot(page, "reconciliation-run")
    page.locator("iframe.report").scroll_into_view_if_needed()
    page.locator("iframe.report").screenshot(path=str(ARTIFACTS / "reconciliation-report.png"))
