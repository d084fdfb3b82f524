"""Crash test over a ``ggk`` route: ``ketenpoort worker`` SIGKILLed at random while iJw messages leave as ggk_Di01.

Half the messages came in as ggk_Di01 themselves, so their retours leave as ggk_Du01 too. The
GGk receiver checks every request against the official schema and now and then answers 500 or a
Fo03. Afterwards nothing may be lost, nothing may be marked delivered that the receiver did not
answer with Bv03, a Fo03 is final, each message is marked delivered (and each retour settled) once,
and the audit chain verifies.
"""

from __future__ import annotations

import random
import threading
import uuid
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa

from gateway.generate.ijw import small_jw301
from gateway.ggk.envelope import ACTION_DI01
from gateway.ggk.inbound import take_in
from gateway.intake import submit
from gateway.pseudonym import Pseudonymiser
from gateway.store import Store
from gateway.store.schema import deliveries
from tests.ggk.builders import di01
from tests.reliability.checks import audit_counts, delivered_rows, open_jobs, statuses
from tests.reliability.harness import WorkerPool, worker_env
from tests.support.databases import TEST_PSEUDONYM_KEY
from tests.support.ggk_schema import official_errors
from tests.support.soap_receiver import SoapReceiver

MESSAGES = 400
KILLS = 20


class Trouble(threading.Thread):
    """Now and then makes the receiver answer 500 (retried) or a Fo03 (final)."""

    def __init__(self, rx: SoapReceiver, rng: random.Random) -> None:
        super().__init__(daemon=True)
        self.rx, self.rng, self.stop = rx, rng, threading.Event()

    def run(self) -> None:
        while not self.stop.wait(self.rng.uniform(0.4, 1.0)):
            self.rx.answer_next(self.rng.randrange(1, 4), "status500")
            if self.rng.random() < 0.3:
                self.rx.answer_next(1, "fo03")


def _retour_rows(engine: sa.Engine) -> Counter[tuple[str, str]]:
    query = sa.select(deliveries.c.message_id, deliveries.c.verdict).where(deliveries.c.verdict.like("retour-%"))
    with engine.connect() as conn:
        return Counter((row.message_id, row.verdict) for row in conn.execute(query))


@pytest.mark.slow
def test_a_worker_killed_twenty_times_over_a_ggk_route_loses_nothing(db_url: str, tmp_path: Path) -> None:
    """Nothing lost, nothing delivered without a Bv03, Fo03 never retried, once-only outcomes, audit intact."""
    store = Store.open(db_url, migrate=True, pseudonymiser=Pseudonymiser(TEST_PSEUDONYM_KEY))
    rng = random.Random(20261207)
    submitted: list[str] = []
    ggk_sourced: set[str] = set()
    for seed in range(MESSAGES):
        payload = small_jw301(1000 + seed)
        if seed % 2:
            taken = take_in(
                store,
                di01(payload, ref=str(uuid.uuid4())),
                ACTION_DI01,
                max_bytes=26 << 20,
                may_send_as=lambda _o: True,
            )
            assert taken.message_id is not None
            submitted.append(taken.message_id)
            ggk_sourced.add(taken.message_id)
        else:
            submitted.append(submit(store, payload, sender=None).message_id)
    try:
        with SoapReceiver(check=official_errors) as rx:
            routes = tmp_path / "routes.toml"
            routes.write_text(f'default = {{ url = "{rx.url}", channel = "ggk" }}\n', encoding="utf-8")
            env = worker_env(db_url, tmp_path, rx.url, KETENPOORT_PSEUDONYM_KEY=TEST_PSEUDONYM_KEY.decode())
            del env["KETENPOORT_DEFAULT_ROUTE"]  # it would win over the file's ggk default
            env["KETENPOORT_ROUTES_FILE"] = str(routes)
            env["KETENPOORT_RETRY_MAX_ATTEMPTS"] = "50"
            env["KETENPOORT_BREAKER_FAILURES"] = "1000"  # the scripted 500s must not park the route for 30 s
            trouble = Trouble(rx, rng)
            trouble.start()
            with WorkerPool(env, 1, concurrency=2, log_dir=tmp_path) as pool:
                pool.chaos(KILLS, rng, done=lambda: open_jobs(store.db.engine) == 0, gap_s=(0.3, 1.2))
                assert pool.kills >= KILLS
            trouble.stop.set()
            records = list(rx.records)
        assert [r.errors for r in records if r.errors] == []
        final = statuses(store.db.engine)
        assert set(final) == set(submitted)  # nothing lost, nothing invented
        assert set(final.values()) <= {"delivered", "dead"}, Counter(final.values())
        answered: dict[str, set[str]] = {}
        for record in records:
            answered.setdefault(record.idempotency_key or "", set()).add(record.answer)
        delivered = {mid for mid, status in final.items() if status == "delivered"}
        dead = {mid for mid, status in final.items() if status == "dead"}
        assert all("bv03" in answered.get(mid, set()) for mid in delivered)  # delivered only after a Bv03
        assert all("fo03" in answered.get(mid, set()) for mid in dead)  # dead only after a Fo03
        assert dead, "the receiver refused some: the test must see Fo03s"
        assert delivered_rows(store.db.engine) == Counter(dict.fromkeys(delivered, 1))
        assert audit_counts(store.db.engine, "message.delivered") == Counter(dict.fromkeys(delivered, 1))
        retours = _retour_rows(store.db.engine)
        settled = Counter(mid for (mid, verdict) in retours if verdict in ("retour-delivered", "retour-dead"))
        assert {mid for mid, n in settled.items() if n == 1} == ggk_sourced  # each retour settled exactly once
        for (mid, verdict), _count in retours.items():
            if verdict == "retour-delivered":
                assert "bv03" in answered.get(f"{mid}.retour", set())
            if verdict == "retour-dead":
                assert "fo03" in answered.get(f"{mid}.retour", set())
        verdict_chain = store.verify_audit()
        assert verdict_chain.ok, verdict_chain
    finally:
        store.close()
