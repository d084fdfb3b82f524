"""Browser fixtures: Debian's Chromium (never a downloaded one), a live app over a store the real pipeline fills."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

from gateway import reconcile
from gateway.api import create_app
from gateway.api.auth import Role, add_sender
from gateway.config import load_settings
from gateway.generate.ijw import small_jw301
from gateway.intake import submit
from gateway.model import MessageStatus
from gateway.pseudonym import Pseudonymiser
from gateway.reconcile import population
from gateway.reconcile.inputs import read_cbs, read_datahuis
from gateway.store import Store
from tests.api.conftest import OIN_A, OIN_R
from tests.api.support import background_worker, drain, serving
from tests.support.receiver import Receiver
from tests.support.stuf_builders import build_di01

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]  # fmt: skip
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"

RUN_ID = "almere-2018"


@pytest.fixture(scope="module")
def reconciliation_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real run by gateway.reconcile over a generated population (its report has matplotlib charts)."""
    work = tmp_path_factory.mktemp("population")
    pop = population.generate("0034", seed=3, units=300)
    files = population.write(pop, work)
    out = work / "runs" / RUN_ID
    reconcile.run(
        reconcile.read_csv(files["trajecten.csv"]),
        gemeente="0034",
        perioden=pop.perioden,
        peildatum=pop.peildatum,
        cbs=read_cbs(files["cbs.csv"], "0034"),
        datahuis=read_datahuis(files["datahuis.csv"]),
        out=out,
    )
    return out


@dataclass
class Live:
    base: str
    token: str
    store: Store
    receiver: Receiver
    rejected: str
    dead: str
    data_dir: Path


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is not installed (apt-get install -y chromium fonts-liberation)")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    p = context.new_page()
    errors: list[str] = []

    def on_console(msg: ConsoleMessage) -> None:
        if msg.type == "error":
            errors.append(msg.text)

    p.on("console", on_console)
    yield p
    context.close()
    assert errors == [], errors  # no page raised a console error


@pytest.fixture
def live(tmp_path: Path, reconciliation_run: Path) -> Iterator[Live]:
    senders = tmp_path / "senders.toml"
    token = add_sender(senders, "ops", [], Role.OPERATOR)
    shutil.copytree(reconciliation_run, tmp_path / "reconcile" / RUN_ID)
    store = Store.open(f"sqlite:///{tmp_path / 'kp.db'}", migrate=True, pseudonymiser=Pseudonymiser(b"k" * 32))
    bad_bsn = re.sub(rb"<jw301:Bsn>\d+<", b"<jw301:Bsn>123456789<", small_jw301(21))
    rejected = submit(store, bad_bsn, sender=None).message_id
    with Receiver() as rx:
        drain(store, rx.url)
        rx.always(400)
        stuf = build_di01("meldingGeneriekDi01", zender_oin=OIN_A, ontvanger_oin=OIN_R, referentienummer="DEAD-1")
        dead = submit(store, stuf, sender=None).message_id
        drain(store, rx.url)
        assert status(store, rejected) is MessageStatus.REJECTED
        assert status(store, dead) is MessageStatus.DEAD
        app = create_app(load_settings(senders_file=senders, data_dir=tmp_path), store=store)
        with serving(app) as base, background_worker(store, rx.url):
            yield Live(base, token, store, rx, rejected, dead, tmp_path)
    store.close()


def status(store: Store, mid: str) -> MessageStatus | None:
    view = store.get_message(mid)
    return view.status if view is not None else None


def screenshot(page: Page, name: str) -> None:
    """Keep a full-page screenshot as a test artifact (tests/artifacts/, uploaded by CI)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def login(page: Page, live: Live) -> None:
    page.goto(f"{live.base}/dashboard/")
    page.fill("#token", live.token)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live.base}/dashboard/")
