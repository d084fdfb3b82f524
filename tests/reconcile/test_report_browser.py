"""The report opens in headless Chromium (Debian's) with no console errors, and its charts are drawn."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from gateway.reconcile import from_records, reconcile, write_run
from gateway.reconcile import population as pop_module

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]  # fmt: skip

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is not installed (apt-get install -y chromium fonts-liberation)")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def test_report_renders_without_errors_and_with_charts(browser: Browser, tmp_path: Path) -> None:
    pop = pop_module.generate("0034", seed=21, units=900)
    cbs = {(r["periode"], r["hulpvorm"]): r["jongeren"] for r in pop.cbs}
    datahuis = {(r["periode"], r["hulpvorm_gemeente"]): r["gebruik"] for r in pop.datahuis}
    perioden = [p for p in pop.perioden if p.code in ("2018HJ2", "2018JJ")]
    result = reconcile(from_records(pop.trajecten), gemeente="0034", perioden=perioden,
                       peildatum=date(2019, 3, 1), cbs=cbs)  # fmt: skip
    write_run(result, tmp_path, datahuis=datahuis)
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto((tmp_path / "report.html").as_uri())
    page.wait_for_load_state("load")
    assert problems == []
    assert all(url.startswith("file://") for url in requests)  # nothing fetched from a network
    assert page.title().startswith("Datahuis en CBS")
    charts = page.locator("svg.grafiek")
    assert charts.count() == 2 * len(perioden)  # the waterfall and the per-hulpvorm bars
    for i in range(charts.count()):
        chart = charts.nth(i)
        box = chart.bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 150
        assert chart.locator("path").count() > 10  # bars and axes were drawn
    waterfall = page.locator("#periode-2018JJ svg.grafiek").first
    assert "Van datahuis naar CBS" in (waterfall.get_attribute("aria-label") or "")
    assert "Onverklaard" in waterfall.inner_html()  # the chart has the unexplained step as a label
    total = next(r for r in result.rows if r.periode == "2018JJ" and r.hulpvorm == "totaal")
    summary = page.locator("#periode-2018JJ p").first.inner_text()
    assert f"{total.datahuis_trajecten:,}".replace(",", ".") in summary
    assert page.locator("table.datahuis .nee").count() == 0 and page.locator("table.datahuis .ja").count() > 0
    assert page.locator("table.aanbieders tbody tr").first.inner_text().startswith(pop_module.AFWIJKER)
    page.close()
