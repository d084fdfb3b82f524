"""The ``corv`` route: a Di01 leaves as its SOAP operation; Bv03 delivered, Fo03 dead at once, the rest retried.

Against the scriptable loopback SOAP receiver (every request checked against the official schemas and
the WUS WS-Addressing rules), and against a second Ketenpoort serving CORV on mutual TLS with 2W-be-S.
"""

from __future__ import annotations

import random
import time
from pathlib import Path
from typing import Any

from lxml import etree

from gateway import intake
from gateway.api.app import create_app
from gateway.corv.outbound import CorvChannel, message_id_for
from gateway.generate.stuf import build_di01
from gateway.model import MessageStatus
from gateway.pseudonym import Pseudonymiser
from gateway.relay import Deliverer, RetryPolicy, Routes
from gateway.relay.channel import Outbound
from gateway.relay.routes import Route, TlsIdentity
from gateway.store import Store
from tests.corv.conftest import Certs, corv_settings
from tests.support.corv import GEMEENTE, GI, KETENPOORT_OIN, serving_tls, wus_errors
from tests.support.databases import TEST_PSEUDONYM_KEY
from tests.support.soap_receiver import SoapReceiver
from workers.loop import Worker
from workers.pipeline import handlers

WSA = "http://www.w3.org/2005/08/addressing"
SOAP = "http://schemas.xmlsoap.org/soap/envelope/"


def _deliverer(route: Route, **kwargs: Any) -> Deliverer:
    return Deliverer(Routes({GEMEENTE: route}), RetryPolicy(base_s=0.01, cap_s=0.02, max_attempts=6),
                     read_timeout_s=0.5, breaker_failures=1000, rng=random.Random(7), **kwargs)  # fmt: skip


def _route(url: str, **kwargs: Any) -> Route:
    return Route(
        url, channel="corv", options={"oin": KETENPOORT_OIN, "from_address": "https://kp.example/soap"}, **kwargs
    )


def _submit(store: Store, ref: str, root: str = "vtoDi01") -> str:
    di01 = build_di01(root, zender_oin=GI, ontvanger_oin=GEMEENTE, referentienummer=ref)
    return intake.submit(store, di01, sender=None, source="corv").message_id


FINAL = frozenset({MessageStatus.DELIVERED, MessageStatus.DEAD, MessageStatus.REJECTED})


def _run(store: Store, deliverer: Deliverer, *message_ids: str, until: float = 20.0) -> None:
    """Run the real pipeline until every message is delivered, dead or rejected (retries are a few ms ahead)."""
    worker = Worker(store, handlers(store, deliverer, Pseudonymiser(TEST_PSEUDONYM_KEY), max_bytes=26 * 1024 * 1024),
                    poll_interval_s=0.01)  # fmt: skip
    deadline = time.monotonic() + until
    while time.monotonic() < deadline:
        worker.run(until_idle=True)
        views = [store.get_message(mid) for mid in message_ids]
        if all(v is not None and v.status in FINAL for v in views):
            return
        time.sleep(0.02)
    raise AssertionError(f"messages not finished: {[store.get_message(m) for m in message_ids]}")


def test_wrap_builds_the_operation_with_stable_addressing() -> None:
    """All attempts of a message share one wsa:MessageID; To and From carry OINs; SOAPAction is the operation's."""
    di01 = build_di01("vcobDi01", zender_oin=GI, ontvanger_oin=GEMEENTE, referentienummer="W-1")
    route = _route("https://corv.example/soap/stuf-jz/vvberichten")
    first = CorvChannel().wrap(Outbound("01MSG", GEMEENTE, di01, attempt=1), route)
    again = CorvChannel().wrap(Outbound("01MSG", GEMEENTE, di01, attempt=2), route)
    assert first.body == again.body
    assert first.headers == (("SOAPAction", '"www.stufstandaarden.nl/koppelvlak/jz0100/vcobDi01"'),)
    envelope = etree.fromstring(first.body)
    assert envelope.findtext(f".//{{{WSA}}}MessageID") == message_id_for("01MSG")
    body = envelope.find(f"{{{SOAP}}}Body")
    assert body is not None and wus_errors(body[0]) == []


def test_delivered_dead_and_retried_follow_the_receivers_answers(store: Store) -> None:
    """Bv03 delivers; a Fo03 is dead after one request with its text; 500 and timeouts are retried until a Bv03."""
    with SoapReceiver(check=wus_errors, delay_s=1.0) as rx, _deliverer(_route(rx.url)) as deliverer:
        delivered = _submit(store, "O-1")
        _run(store, deliverer, delivered)
        assert len(rx.records) == 1
        rx.answer_next(1, "fo03")
        dead = _submit(store, "O-2", "notificatieDi01")
        _run(store, deliverer, dead)
        assert len(rx.records) == 2
        rx.answer_next(2, "status500")
        rx.answer_next(1, "timeout")
        rx.answer_next(1, "server_fault")
        retried = _submit(store, "O-3", "zorgmeldingDi01")
        _run(store, deliverer, retried)
        assert len(rx.records) == 7
        assert rx.invalid() == []
    assert store.get_message(delivered).status is MessageStatus.DELIVERED  # type: ignore[union-attr]
    dead_view = store.get_message(dead)
    assert dead_view is not None and dead_view.status is MessageStatus.DEAD
    assert [m.id for m in store.dead_letters()] == [dead]
    (attempt,) = store.deliveries(dead)
    assert attempt.error is not None and attempt.error.startswith("Fo03 StUF055")
    retried_view = store.get_message(retried)
    assert retried_view is not None and retried_view.status is MessageStatus.DELIVERED
    assert [d.verdict for d in store.deliveries(retried)].count("retry") == 4


def test_a_corv_route_with_mutual_tls_and_signing_reaches_another_ketenpoort(
    tmp_path: Path, store: Store, db_url: str, certs: Certs
) -> None:
    """Over mutual TLS, signed as 2W-be-S, the other side stores it (Bv03); unsigned it refuses (StUF052): dead."""
    receiving = Store.open(f"sqlite:///{tmp_path / 'b.db'}", migrate=True)
    settings = corv_settings(tmp_path, f"sqlite:///{tmp_path / 'b.db'}", certs, signed=True)
    tls = TlsIdentity(ca_file=certs.pki.ca_file, client_cert=certs.corv.cert_file, client_key=certs.corv.key_file)
    try:
        with serving_tls(create_app(settings, receiving), settings) as base:
            url = f"{base}/soap/stuf-jz/jzberichten"
            signing = {"key": certs.corv.key_file, "cert": certs.corv.cert_file}
            with _deliverer(_route(url, tls=tls, signing=signing)) as deliverer:
                signed = _submit(store, "T-1")
                _run(store, deliverer, signed)
            with _deliverer(_route(url, tls=tls)) as deliverer:
                unsigned = _submit(store, "T-2")
                _run(store, deliverer, unsigned)
        assert store.get_message(signed).status is MessageStatus.DELIVERED  # type: ignore[union-attr]
        unsigned_view = store.get_message(unsigned)
        assert unsigned_view is not None and unsigned_view.status is MessageStatus.DEAD
        assert (store.deliveries(unsigned)[0].error or "").startswith("Fo03 StUF052")
        (taken,) = receiving.list_messages()[0]
        assert taken.external_id == "T-1" and taken.sender == GI and taken.source == "corv"
    finally:
        receiving.close()
