"""The ggk channel: heenberichten leave as ggk_Di01, retours of GGk messages as ggk_Du01, valid per the official XSD.

A loopback SOAP receiver checks every request against the official GGk schema and answers as
scripted; delivered, dead and retried must follow its answers exactly.
"""

from __future__ import annotations

import base64
import random
import time
import uuid
from pathlib import Path

import pytest

from gateway.config import load_settings
from gateway.contracts import Verdict
from gateway.ggk.envelope import ACTION_DI01, ACTION_DU01, DI01, DU01, GGK_NS, STUF_NS, XMIME_NS
from gateway.ggk.inbound import take_in
from gateway.ggk.refs import referentie_of, retour_referentie
from gateway.model import MessageStatus, Stage
from gateway.pseudonym import Pseudonymiser
from gateway.relay import Deliverer, Outcome, RetryPolicy, Route, Routes
from gateway.store.memory import MemoryStore
from tests.api.support import open_jobs
from tests.ggk.builders import GEMEENTE, bad_jw323, di01, jw301, parties
from tests.support.databases import TEST_PSEUDONYM_KEY
from tests.support.ggk_schema import official_errors
from tests.support.soap_receiver import SoapReceiver
from workers.loop import Worker
from workers.runtime import stage_handlers
from workers.stages.relay import relay_once

S = f"{{{STUF_NS}}}"
G = f"{{{GGK_NS}}}"


def _deliverer(url: str, *, attempts: int = 3, **options: str) -> Deliverer:
    route = Route(url, channel="ggk", options=options)
    policy = RetryPolicy(base_s=0.01, cap_s=0.02, max_attempts=attempts)
    return Deliverer(Routes({}, default=route), policy, read_timeout_s=0.5, breaker_failures=1000, rng=random.Random(2))


def test_a_heenbericht_leaves_as_a_complete_ggk_di01() -> None:
    """Every envelope field is filled as the specification says; the request validates against the official schema."""
    payload = jw301(3)
    mid = "01M96ZXDKHR8B4FVN2X4GQZ0RQ"
    with SoapReceiver(check=official_errors) as rx, _deliverer(rx.url, applicatie_versie="0002") as deliverer:
        result = deliverer.deliver(mid, "70329669", payload, 1)
        assert result.outcome is Outcome.DELIVERED, result
        (record,) = rx.records
    assert record.errors == []
    assert record.action == f'"{ACTION_DI01}"'
    assert record.idempotency_key == mid
    env = record.payload
    assert env is not None
    assert env.tag == DI01
    sg = env.find(f"{G}stuurgegevens")
    assert sg is not None
    assert sg.findtext(f"{S}berichtcode") == "Di01"
    assert (sg.findtext(f"{S}zender/{S}organisatie"), sg.findtext(f"{S}zender/{S}applicatie")) == (
        GEMEENTE,
        "Ketenpoort",
    )
    assert (sg.findtext(f"{S}ontvanger/{S}organisatie"), sg.findtext(f"{S}ontvanger/{S}applicatie")) == (
        parties(payload)[1],
        "GGk",
    )
    assert sg.findtext(f"{S}referentienummer") == referentie_of(mid)
    assert uuid.UUID(sg.findtext(f"{S}referentienummer") or "").version == 4
    assert len(sg.findtext(f"{S}tijdstipBericht") or "") == 16
    assert sg.findtext(f"{S}functie") == "JW301"
    params = env.find(f"{G}parameters")
    assert params is not None
    versions = [
        params.findtext(f"{G}{n}")
        for n in ("applicatieVersie", "applicatieSubversie", "functieVersie", "functieSubversie")
    ]
    assert versions == ["0002", "0000", "0003", "0002"]
    bericht = params.find(f"{G}bericht")
    assert bericht is not None
    assert bericht.get(f"{{{XMIME_NS}}}contentType") == "application/xml"
    assert bericht.get(f"{S}bestandsnaam") == f"JW301_{referentie_of(mid)}.xml"
    assert base64.b64decode(bericht.text or "") == payload


def test_the_referentienummer_is_stable_over_retries() -> None:
    """A retried Di01 carries the same referentienummer, so the receiver can deduplicate it."""
    mid = "01M96ZXDKHR8B4FVN2X4GQZ0RQ"
    with SoapReceiver(check=official_errors) as rx, _deliverer(rx.url) as deliverer:
        rx.answer_next(1, "status500")
        assert deliverer.deliver(mid, "70329669", jw301(), 1).outcome is Outcome.RETRY
        assert deliverer.deliver(mid, "70329669", jw301(), 2).outcome is Outcome.DELIVERED
        refs = {r.payload.findtext(f".//{S}referentienummer") for r in rx.records if r.payload is not None}
    assert refs == {referentie_of(mid)}


@pytest.mark.parametrize(
    ("script", "verdicts", "requests"),
    [
        (["bv03"], [Verdict.DELIVERED], 1),
        (["fo03"], [Verdict.DEAD], 1),
        (["status500", "bv03"], [Verdict.RETRY, Verdict.DELIVERED], 2),
        (["timeout", "server_fault", "bv03"], [Verdict.RETRY, Verdict.RETRY, Verdict.DELIVERED], 3),
        (["status500", "status500", "status500"], [Verdict.RETRY, Verdict.RETRY, Verdict.DEAD], 3),
        (["server_fault", "fo03"], [Verdict.RETRY, Verdict.DEAD], 2),
    ],
)
def test_delivered_dead_and_retried_follow_the_receiver(
    script: list[str], verdicts: list[Verdict], requests: int
) -> None:
    """Bv03 delivers, a Fo03 is dead at once and never retried; 500, timeout, server fault are retried to the budget."""
    with SoapReceiver(check=official_errors, delay_s=1.0) as rx, _deliverer(rx.url) as deliverer:
        for answer in script:
            rx.answer_next(1, answer)
        got = []
        for n in range(len(verdicts)):
            decision = relay_once(
                deliverer, message_id="01M96ZXDKHR8B4FVN2X4GQZ0RQ", receiver="70329669", payload=jw301(),
                attempts_before=n, first_attempt_at=0, now=0,
            )  # fmt: skip
            got.append(decision.verdict)
            if decision.verdict is not Verdict.RETRY:
                break
        assert got == verdicts
        assert len(rx.records) == requests
        assert rx.invalid() == []


def test_a_payload_that_is_not_ijw_is_dead_without_a_request() -> None:
    """The ggk channel carries iJw messages only; anything else is a permanent failure and no request leaves."""
    with SoapReceiver(check=official_errors) as rx, _deliverer(rx.url) as deliverer:
        result = deliverer.deliver("01M96ZXDKHR8B4FVN2X4GQZ0RQ", "70329669", b"<Other/>", 1)
        assert result.outcome is Outcome.PERMANENT
        assert result.error is not None
        assert "not an iJw message" in result.error
        assert rx.records == []


# --- retours back to the GGk sender -------------------------------------------------------------


class _AllowAll:
    def __call__(self, organisatie: str) -> bool:
        return True


def _run_until_quiet(store: MemoryStore, deliverer: Deliverer, tmp_path: Path) -> None:
    """Run the whole pipeline (validate, map, relay, retour) until no job is left or a guard passes."""
    settings = load_settings(data_dir=tmp_path)
    stages = (Stage.VALIDATE, Stage.MAP, Stage.RELAY, Stage.RETOUR)
    handlers = stage_handlers(store, deliverer, Pseudonymiser(TEST_PSEUDONYM_KEY), settings, stages)
    worker = Worker(store, handlers, concurrency=1, poll_interval_s=0.01)
    guard = time.monotonic() + 60
    while time.monotonic() < guard:
        worker.run(until_idle=True)
        if _open_jobs(store) == 0:
            return
        time.sleep(0.02)
    raise AssertionError(f"jobs left: {store.job_counts()}")


def _open_jobs(store: MemoryStore) -> int:
    """Jobs not done yet, less the recurring retention job (always open, never one of the pipeline's)."""
    return open_jobs(store) - 1


def _ggk_message(store: MemoryStore, payload: bytes) -> tuple[str, str]:
    """Take ``payload`` in as a ggk_Di01 would be; its message id and the envelope's referentienummer."""
    ref = str(uuid.uuid4())
    taken = take_in(store, di01(payload, ref=ref), ACTION_DI01, max_bytes=26 * 1024 * 1024, may_send_as=_AllowAll())
    assert taken.message_id is not None
    return taken.message_id, ref


@pytest.mark.parametrize("payload", [jw301(5), bad_jw323(5)], ids=["JW301", "rule-breaking JW323"])
def test_the_retour_of_a_ggk_message_goes_back_as_a_du01(
    memory_store: MemoryStore, tmp_path: Path, payload: bytes
) -> None:
    """The retour leaves as a ggk_Du01 to the sender; its crossRefnummer is the heenbericht's referentienummer."""
    mid, ref = _ggk_message(memory_store, payload)
    with SoapReceiver(check=official_errors) as rx, _deliverer(rx.url) as deliverer:
        _run_until_quiet(memory_store, deliverer, tmp_path)
        records = list(rx.records)
    message = memory_store.get_message(mid)
    assert message is not None
    assert rx.invalid() == []
    du01 = [r for r in records if r.payload is not None and r.payload.tag == DU01]
    assert len(du01) == 1
    (sent,) = du01
    assert sent.action == f'"{ACTION_DU01}"'
    assert sent.idempotency_key == f"{mid}.retour"
    assert sent.payload is not None
    sg = sent.payload.find(f"{G}stuurgegevens")
    assert sg is not None
    assert sg.findtext(f"{S}crossRefnummer") == ref
    assert sg.findtext(f"{S}referentienummer") == retour_referentie(mid)
    afzender = message.sender
    assert sg.findtext(f"{S}ontvanger/{S}organisatie") == afzender
    bericht = sent.payload.find(f".//{G}bericht")
    assert bericht is not None
    assert base64.b64decode(bericht.text or "") == message.retour
    functie = sg.findtext(f"{S}functie")
    assert functie == ("JW302" if message.message_type == "JW301" else "JW325")
    heen = [r for r in records if r.payload is not None and r.payload.tag == DI01]
    if message.status is MessageStatus.REJECTED:
        assert heen == [], "a rejected message is not relayed, but its retour still goes back"
    else:
        assert len(heen) == 1
        assert message.status is MessageStatus.DELIVERED
    verdicts = [d.verdict for d in memory_store.deliveries(mid)]
    assert "retour-delivered" in verdicts
    assert "retour.delivered" in [e.event for e in memory_store.audit_events(mid)]
    assert memory_store.verify_audit().ok


@pytest.mark.parametrize(
    ("script", "verdicts"),
    [
        (["status500", "timeout", "bv03"], ["retour-retry", "retour-retry", "retour-delivered"]),
        (["fo03"], ["retour-dead"]),
    ],
)
def test_a_retour_is_retried_like_a_relay_and_a_fo03_is_final(
    memory_store: MemoryStore, tmp_path: Path, script: list[str], verdicts: list[str]
) -> None:
    """The retour job follows the receiver's answers: retried on 500 and timeouts, dead at once on a Fo03."""
    mid, _ = _ggk_message(memory_store, bad_jw323(6))  # rejected: only the retour leaves
    with SoapReceiver(check=official_errors, delay_s=1.0) as rx, _deliverer(rx.url) as deliverer:
        for answer in script:
            rx.answer_next(1, answer)
        _run_until_quiet(memory_store, deliverer, tmp_path)
        assert len(rx.records) == len(script)
    assert [d.verdict for d in memory_store.deliveries(mid)] == verdicts
