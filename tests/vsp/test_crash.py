"""Crash tests over VSP: ``ketenpoort worker`` SIGKILLed at random moments, at least 20 times, while berichten flow.

Over the outbound ``vsp`` channel: every message ends delivered exactly once in the store, and the
loopback VSP-Koppeling saw each under one traceerId (a resend carries the same one, for VECOZO to
deduplicate). Over the puller (``--stages vsp-pull``): every waiting retour is taken in exactly once
and confirmed, whatever moment the kill came at (between the intake's commit and the DELETE too).
Both: the audit chain verifies.
"""

from __future__ import annotations

import random
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from gateway.generate.traffic import ijw_traffic
from gateway.intake import submit
from gateway.model import MessageStatus
from gateway.pseudonym import Pseudonymiser
from gateway.store import Store
from gateway.store.schema import messages, vsp_berichten
from gateway.store.vsp import PULLED
from gateway.vsp.berichtstroom import traceer_id
from tests.reliability.checks import audit_counts, open_jobs, statuses
from tests.reliability.harness import WorkerPool, worker_env
from tests.support.databases import TEST_PSEUDONYM_KEY
from tests.support.vsp_server import VspServer

pytestmark = pytest.mark.slow

KILLS = 20


class StagePool(WorkerPool):
    """A WorkerPool whose processes run ``ketenpoort worker --stages <stages>``."""

    def __init__(self, env: dict[str, str], stages: str, *, log_dir: Path) -> None:
        super().__init__(env, 1, concurrency=2, log_dir=log_dir)
        self.stages = stages

    def _spawn(self, slot: int) -> None:
        command = [sys.executable, "-m", "gateway", "worker", "--concurrency", "2", "--stages", self.stages]
        log = (self.log_dir / f"worker-{slot}-{self.starts}.log").open("wb")
        self.procs[slot] = subprocess.Popen(command, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        self.starts += 1


@pytest.fixture
def vsp() -> Iterator[VspServer]:
    """The loopback VSP-Koppeling; every pull request takes 15 ms, so a round spans many kills."""
    with VspServer(timeout_s=2.0, delay_s=0.015) as server:
        yield server


def _open(db_url: str) -> Store:
    return Store.open(db_url, migrate=True, pseudonymiser=Pseudonymiser(TEST_PSEUDONYM_KEY))


def test_the_push_channel_survives_sigkill(db_url: str, tmp_path: Path, vsp: VspServer) -> None:
    """Kills during relay over vsp: every message delivered once, pushed under its one traceerId, audit intact."""
    store = _open(db_url)
    try:
        sent = [submit(store, m.data, sender=None, source="api").message_id for m in
                ijw_traffic(120, seed=18, invalid_ratio=0.0)]  # fmt: skip
        routes = tmp_path / "routes.toml"
        routes.write_text(f'[default]\nurl = "{vsp.push_url}"\nchannel = "vsp"\n', encoding="utf-8")
        env = worker_env(db_url, tmp_path, "", KETENPOORT_PSEUDONYM_KEY=TEST_PSEUDONYM_KEY.decode(),
                         KETENPOORT_ROUTES_FILE=str(routes))  # fmt: skip
        env.pop("KETENPOORT_DEFAULT_ROUTE")
        with StagePool(env, "validate,map,relay", log_dir=tmp_path) as pool:
            pool.chaos(KILLS, random.Random(18), done=lambda: open_jobs(store.db.engine) == 0, gap_s=(0.1, 0.6))
            assert pool.kills >= KILLS
        final = statuses(store.db.engine)
        assert {final[mid] for mid in sent} == {str(MessageStatus.DELIVERED)}, Counter(final.values())
        assert all(p.valid for p in vsp.pushes), [p.errors for p in vsp.pushes if not p.valid][:2]
        pushed = Counter(p.metadata["referentiegegevens"]["traceerId"] for p in vsp.pushes if p.metadata)
        assert set(pushed) == {traceer_id(mid) for mid in sent}  # resends (if any) under the same traceerId
        assert set(audit_counts(store.db.engine, "message.delivered").values()) == {1}
        assert store.verify_audit().ok
    finally:
        store.close()


def _retours(count: int, template: bytes) -> list[bytes]:
    return [re.sub(rb"<ijw:Identificatie>[^<]+<", b"<ijw:Identificatie>R%08d<" % i, template, count=1)
            for i in range(count)]  # fmt: skip


def test_the_puller_survives_sigkill(db_url: str, tmp_path: Path, vsp: VspServer) -> None:
    """Kills during pull rounds: each waiting retour taken in exactly once and confirmed; audit intact."""
    store = _open(db_url)
    try:
        jw325 = _jw325(tmp_path)
        offered = {vsp.offer(doc) for doc in _retours(80, jw325)}
        env = worker_env(db_url, tmp_path, "http://127.0.0.1:9/", KETENPOORT_PSEUDONYM_KEY=TEST_PSEUDONYM_KEY.decode(),
                         KETENPOORT_VSP_PULL_URL=vsp.pull_url, KETENPOORT_VSP_PULL_INTERVAL_S="0.05")  # fmt: skip
        with StagePool(env, "vsp-pull", log_dir=tmp_path) as pool:
            pool.chaos(KILLS, random.Random(25), done=lambda: not vsp.waiting, gap_s=(0.1, 0.5))
            assert pool.kills >= KILLS
        with store.db.engine.connect() as conn:
            pulled = list(conn.execute(sa.select(vsp_berichten.c.traceer_id, vsp_berichten.c.message_id)
                                       .where(vsp_berichten.c.kind == PULLED)))  # fmt: skip
            taken = conn.execute(
                sa.select(sa.func.count()).select_from(messages).where(messages.c.source == "vsp-pull")
            ).scalar_one()
        assert sorted(t for t, _ in pulled) == sorted(offered) and set(vsp.confirmed) == offered
        assert taken == len(offered) == len({m for _, m in pulled})
        assert set(audit_counts(store.db.engine, "vsp.pulled").values()) == {1}
        assert store.verify_audit().ok
    finally:
        store.close()


def _jw325(tmp_path: Path) -> bytes:
    """A JW325 as Ketenpoort builds them, made in a scratch store (the crash store starts empty)."""
    from tests.support.receiver import Receiver
    from tests.vsp.support import declaraties, drain

    scratch = Store.open(f"sqlite:///{tmp_path / 'scratch.db'}", migrate=True,
                         pseudonymiser=Pseudonymiser(TEST_PSEUDONYM_KEY))  # fmt: skip
    try:
        stream = declaraties(1)
        for doc in stream.before:
            submit(scratch, doc, sender=None, source="api")
        heen = submit(scratch, stream.jw323[0], sender=None, source="api")
        with Receiver() as receiver:
            drain(scratch, receiver.url)
        view = scratch.get_message(heen.message_id)
        assert view is not None and view.retour is not None
        return view.retour
    finally:
        scratch.close()
