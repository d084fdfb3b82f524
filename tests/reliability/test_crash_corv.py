"""Crash test over a ``corv`` route: ``ketenpoort worker`` SIGKILLed at random while StUF Di01s leave as SOAP.

The receiver is the loopback SOAP receiver, checking every request against the official schemas and
the WUS WS-Addressing rules and refusing the first requests with HTTP 500 (so retries happen under the
kills too). Each kill comes at a random moment after the worker sent another request: mid-delivery.
Afterwards: nothing lost, nothing marked delivered that the receiver did not answer Bv03,
every message marked delivered once, and the audit chain verifies.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from itertools import islice
from pathlib import Path

import pytest

from gateway.generate.stuf import stuf_traffic
from gateway.intake import submit
from gateway.pseudonym import Pseudonymiser
from gateway.store import Store
from tests.reliability.checks import audit_counts, delivered_rows, open_jobs, statuses
from tests.reliability.harness import WorkerPool, worker_env
from tests.support.corv import KETENPOORT_OIN, wus_errors
from tests.support.databases import TEST_PSEUDONYM_KEY
from tests.support.soap_receiver import SoapReceiver


def _kill_while_working(
    pool: WorkerPool,
    rx: SoapReceiver,
    kills: int,
    rng: random.Random,
    *,
    drained: Callable[[], bool],
    refill: Callable[[], None],
) -> None:
    """SIGKILL the worker ``kills`` times, each at a random moment after it has sent at least one more request.

    A restarted worker takes seconds to import on a loaded machine; killing it on a timer alone would
    mostly kill processes that had not started working yet. A fast machine can drain the traffic before
    the last kill; then ``refill`` submits more, so every kill still lands mid-delivery.
    """
    deadline = time.monotonic() + 400.0
    while pool.kills < kills:
        seen = len(rx.records)
        while len(rx.records) == seen:
            pool.check_alive()
            assert time.monotonic() < deadline, f"the worker made no progress after {pool.kills} kills"
            if drained():
                refill()
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 0.4))
        pool.kill(0)
        pool.restart(0)


@pytest.mark.slow
def test_a_worker_killed_twenty_times_over_a_corv_route_delivers_each_di01_once(db_url: str, tmp_path: Path) -> None:
    """20+ SIGKILLs while 300+ Di01s travel a corv route: all delivered exactly once, only on Bv03, audit intact."""
    rng = random.Random(20261207)
    store = Store.open(db_url, migrate=True, pseudonymiser=Pseudonymiser(TEST_PSEUDONYM_KEY))
    with SoapReceiver(check=wus_errors, delay_s=2.0) as rx:
        rx.answer_next(12, "status500")
        routes = tmp_path / "routes.toml"
        routes.write_text(
            f'[default]\nurl = "{rx.url}"\nchannel = "corv"\n'
            f'options = {{ oin = "{KETENPOORT_OIN}", from_address = "https://kp.example/soap" }}\n',
            encoding="utf-8",
        )
        env = worker_env(
            db_url,
            tmp_path,
            rx.url,
            KETENPOORT_PSEUDONYM_KEY=TEST_PSEUDONYM_KEY.decode(),
            KETENPOORT_ROUTES_FILE=str(routes),
            KETENPOORT_BREAKER_RESET_S="0.5",
            # envelope only: every generated Di01 must reach the relay; this test is about the corv route under
            # kills, content validation against the installed package is tested in tests/schemas_stuf
            KETENPOORT_STUF_JZ_ENVELOPE_ONLY="true",
        )
        del env["KETENPOORT_DEFAULT_ROUTE"]
        env.pop("KETENPOORT_STUF_JZ_PACKAGE", None)  # nor compile the full package at each of the 20 restarts
        try:
            submitted: list[str] = []
            # one stream, so that no refill repeats a zender + referentienummer of an earlier one (StUF016)
            traffic = stuf_traffic(2000, seed=rng.randrange(10**6), duplicate_ratio=0.0)

            def refill(count: int = 50) -> None:
                submitted.extend(submit(store, data, sender=None).message_id for _, data in islice(traffic, count))

            refill(300)
            with WorkerPool(env, 1, concurrency=2, log_dir=tmp_path) as pool:
                _kill_while_working(pool, rx, 20, rng, drained=lambda: open_jobs(store.db.engine) == 0, refill=refill)
                pool.wait(lambda: open_jobs(store.db.engine) == 0, guard_s=400.0)
                assert pool.kills >= 20
            final = statuses(store.db.engine)
            assert set(final) == set(submitted)
            assert Counter(final.values()) == Counter({"delivered": len(submitted)})
            assert rx.invalid() == []
            delivered = set(submitted)
            assert delivered <= rx.accepted_keys()
            assert delivered_rows(store.db.engine) == Counter(dict.fromkeys(delivered, 1))
            assert audit_counts(store.db.engine, "message.delivered") == Counter(dict.fromkeys(delivered, 1))
            verdict = store.verify_audit()
            assert verdict.ok, verdict
        finally:
            store.close()
