"""An operator in real Chromium: finds a rejected message's rule errors, replays a dead one, reads a reconciliation."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from gateway.model import MessageStatus
from tests.browser.conftest import Live, login, screenshot, status

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
    expect(page.locator("#status")).to_have_text("rejected")
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
    page.click("nav >> text=Dead letters")
    row = page.locator("table.dead tbody tr", has_text=live.dead)
    expect(row).to_have_count(1)
    screenshot(page, "dead-letters")
    live.receiver.respond_ok()
    row.locator("text=Opnieuw aanbieden").click()
    page.wait_for_url(f"{live.base}/dashboard/berichten/{live.dead}")
    expect(page.locator("#status")).to_have_text("delivered", timeout=20_000)  # the page refreshes itself
    assert status(live.store, live.dead) is MessageStatus.DELIVERED
    assert live.dead in live.receiver.delivered_keys() or any(
        r.message_id == live.dead and r.status == 200 for r in live.receiver.records
    )
    expect(page.locator("ol.timeline")).to_contain_text("replayed (ops)")
    expect(page.locator("table.deliveries tbody tr")).to_have_count(2)  # refused once, then delivered
    screenshot(page, "replayed-delivered")
    page.goto(f"{live.base}/dashboard/dead-letters")
    expect(page.locator("main")).to_contain_text("Geen dode berichten")


def test_open_a_reconciliation_report_and_see_its_charts(page: Page, live: Live) -> None:
    login(page, live)
    page.click("nav >> text=Afstemming")
    page.click("text=almere-2018HJ2")
    page.wait_for_url(f"{live.base}/dashboard/reconciliation/almere-2018HJ2")
    chart = page.locator("section.waterfall svg.chart")
    expect(chart).to_have_count(1)
    expect(chart.locator("rect.bar")).to_have_count(9)  # one bar per bridge step
    expect(chart.locator("rect.total")).to_have_count(3)  # datahuis, verwacht CBS, CBS
    expect(chart.locator("rect.neg")).to_have_count(4)  # pgb, geen CBS-code, niet woonachtig, dubbel
    expect(chart).to_contain_text("geen CBS-code")
    box = chart.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 50  # really drawn, not collapsed
    expect(page.locator("table.bridge tbody tr")).to_have_count(2)
    report = page.frame_locator("iframe.report")
    expect(report.locator("h1")).to_have_text("Afstemming datahuis en CBS")
    expect(report.locator("#waterval svg")).to_be_visible()
    screenshot(page, "reconciliation-report")
