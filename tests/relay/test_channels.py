"""The channel layer: routes name a channel and TLS identity; a channel wraps and judges; the Deliverer keeps the rest.

Runs against real loopback receivers (a SOAP one from tests/support/soap_receiver.py and an
HTTPS one with a test CA); the channel under test is a small real implementation of the
Protocol that wraps the payload in a SOAP envelope and judges with :func:`judge_stuf`.
"""

from __future__ import annotations

import random
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import trustme
from lxml import etree

from gateway.contracts import Verdict
from gateway.relay import Deliverer, Outcome, RetryPolicy, RouteConfigError, Routes, load_routes
from gateway.relay.channel import (
    Channel,
    ChannelError,
    HttpChannel,
    Judgement,
    Outbound,
    Wrapped,
    channel_for,
    judge_stuf,
)
from gateway.relay.routes import Route, TlsIdentity
from gateway.relay.transport import Answer
from gateway.soap import envelope
from tests.support.soap_receiver import SoapReceiver, bv03, fo03
from workers.stages.relay import relay_once

PAYLOAD = b"<Bericht xmlns='urn:test'><Nummer>123456782</Nummer></Bericht>"
"""123456782 passes the elfproef: it stands for a BSN that must never reach an error text."""


class SoapTestChannel:
    """A minimal SOAP channel: the payload as the Body, a fixed SOAPAction, the StUF judge."""

    name = "corv"

    def __init__(self) -> None:
        self.routes_seen: list[Route] = []

    def wrap(self, message: Outbound, route: Route) -> Wrapped:
        self.routes_seen.append(route)
        if not message.payload.startswith(b"<"):
            raise ChannelError("not an XML document 123456782")
        action = route.option("action", "urn:test/Di01") or ""
        return Wrapped(envelope(message.payload), "text/xml; charset=utf-8", (("SOAPAction", f'"{action}"'),))

    def judge(self, answer: Answer, route: Route) -> Judgement:
        return judge_stuf(answer)


def _deliverer(url: str, channel: Channel, **kwargs: Any) -> Deliverer:
    route = Route(url, channel="corv", options={"action": "urn:test/Di01"})
    return Deliverer(
        Routes({"0034": route}),
        RetryPolicy(base_s=0.01, cap_s=0.05, max_attempts=3),
        read_timeout_s=0.5,
        breaker_failures=1000,
        rng=random.Random(1),
        channels={"corv": channel},
        **kwargs,
    )


# --- routes -----------------------------------------------------------------------------------


def test_flat_and_table_routes_load_with_channel_tls_signing_and_options(tmp_path: Path) -> None:
    """The old flat form is channel http; the table form carries channel, TLS files (relative to the file), options."""
    path = tmp_path / "routes.toml"
    path.write_text(
        '[routes]\n"0034" = "http://almere.test/ijw"\n'
        '[routes."0363"]\nurl = "https://ggk.test/soap/ggk0310"\nchannel = "ggk"\n'
        'ca_file = "pki/ca.pem"\nclient_cert = "/abs/client.pem"\nclient_key = "pki/client.key"\n'
        'signing = { key = "pki/sign.key", required = true }\n'
        'options = { zender_applicatie = "Ketenpoort", versie = 2 }\n',
        encoding="utf-8",
    )
    routes = load_routes(path)
    assert routes.route("0034") == Route("http://almere.test/ijw")
    assert routes.resolve("0034") == "http://almere.test/ijw"
    ggk = routes.route("0363")
    assert ggk is not None
    assert ggk.channel == "ggk"
    assert ggk.tls == TlsIdentity(tmp_path / "pki/ca.pem", Path("/abs/client.pem"), tmp_path / "pki/client.key")
    assert ggk.signing == {"key": tmp_path / "pki/sign.key", "required": True}
    assert ggk.option("zender_applicatie") == "Ketenpoort"
    assert ggk.option("versie") == "2"
    assert routes.table == {"0034": "http://almere.test/ijw", "0363": "https://ggk.test/soap/ggk0310"}


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ('[routes."0034"]\nurl = "http://x.test/"\nchannel = "smtp"', "unknown channel 'smtp'"),
        ('[routes."0034"]\nchannel = "ggk"', "table without url"),
        ('[routes."0034"]\nurl = "http://x.test/"\ncert = "a.pem"', "unknown keys cert"),
        ('[routes."0034"]\nurl = "http://x.test/"\noptions = "x"', "options must be a table"),
        ('[routes."0034"]\nurl = "http://x.test/"\nca_file = 3', "expected a file path"),
    ],
)
def test_bad_table_routes_raise_clear_errors(tmp_path: Path, text: str, match: str) -> None:
    """Every malformed table-form route gives a RouteConfigError naming the file and the problem."""
    path = tmp_path / "routes.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RouteConfigError, match=match) as info:
        load_routes(path)
    assert str(path) in str(info.value)


def test_channel_registry_knows_http_and_refuses_unknown_names() -> None:
    """channel_for finds the built-in http channel and reports a name this build cannot serve as a config error."""
    assert isinstance(channel_for("http"), HttpChannel)
    with pytest.raises(RouteConfigError, match="not available"):
        channel_for("smtp")


# --- the channel wraps, the Deliverer keeps the Idempotency-Key --------------------------------


def test_channel_wraps_the_request_and_the_deliverer_adds_the_idempotency_key() -> None:
    """The receiver gets the channel's envelope, content type and SOAPAction plus the relay's Idempotency-Key."""
    channel = SoapTestChannel()
    with SoapReceiver() as rx, _deliverer(rx.url, channel) as deliverer:
        result = deliverer.deliver("m-1", "0034", PAYLOAD, 1)
        assert result.outcome is Outcome.DELIVERED
        assert result.channel == "corv"
        (record,) = rx.records
        assert record.idempotency_key == "m-1"
        assert record.action == '"urn:test/Di01"'
        assert record.payload_tag == "{urn:test}Bericht"
        assert channel.routes_seen[0].option("action") == "urn:test/Di01"


@pytest.mark.parametrize(
    ("answer", "outcome", "text"),
    [
        ("bv03", Outcome.DELIVERED, None),
        ("fo03", Outcome.PERMANENT, "Fo03 StUF055"),
        ("server_fault", Outcome.RETRY, "Fo03 StUF058"),
        ("status500", Outcome.RETRY, "HTTP 500"),
        ("timeout", Outcome.RETRY, "ReadTimeout"),
    ],
)
def test_the_answer_is_judged_by_the_channel(answer: str, outcome: Outcome, text: str | None) -> None:
    """Bv03 is delivered, a client Fo03 permanent, a server fault, a bare 500 and a timeout are retried."""
    with SoapReceiver(delay_s=2.0) as rx, _deliverer(rx.url, SoapTestChannel()) as deliverer:
        rx.always(answer)
        result = deliverer.deliver("m-1", "0034", PAYLOAD, 1)
    assert result.outcome is outcome
    if text is None:
        assert result.error is None
    else:
        assert result.error is not None
        assert text in result.error


def test_a_fo03_is_never_retried_and_a_server_fault_is_retried_until_the_budget_ends() -> None:
    """Under the relay stage's decision, Fo03 is dead after one request; a server fault is retried to the budget."""
    with SoapReceiver() as rx, _deliverer(rx.url, SoapTestChannel()) as deliverer:
        rx.always("fo03")
        decision = relay_once(
            deliverer, message_id="m-1", receiver="0034", payload=PAYLOAD, attempts_before=0, first_attempt_at=0, now=0
        )
        assert decision.verdict is Verdict.DEAD
        assert len(rx.records) == 1
        rx.always("server_fault")
        verdicts = [
            (
                relay_once(
                    deliverer,
                    message_id="m-2",
                    receiver="0034",
                    payload=PAYLOAD,
                    attempts_before=n,
                    first_attempt_at=0,
                    now=0,
                ).verdict
            )
            for n in range(3)
        ]
        assert verdicts == [Verdict.RETRY, Verdict.RETRY, Verdict.DEAD]
        assert len(rx.records) == 4


def test_error_texts_never_carry_a_bsn() -> None:
    """A Fo03 text or a ChannelError that quotes a BSN reaches the DeliveryResult scrubbed."""
    channel = SoapTestChannel()
    with SoapReceiver(check=lambda _payload: ["Nummer 123456782 is ongeldig"]) as rx, _deliverer(rx.url, channel) as d:
        refused = d.deliver("m-1", "0034", PAYLOAD, 1)
        unwrappable = d.deliver("m-2", "0034", b"123456782", 1)
    assert refused.outcome is Outcome.PERMANENT
    assert refused.error is not None
    assert "123456782" not in refused.error
    assert "[bsn]" in refused.error
    assert unwrappable.outcome is Outcome.PERMANENT
    assert unwrappable.error is not None
    assert "123456782" not in unwrappable.error


@pytest.mark.parametrize(
    ("status", "body", "outcome"),
    [
        (200, bv03(None), Outcome.DELIVERED),
        (200, b"<ok/>", Outcome.RETRY),
        (200, b"", Outcome.RETRY),
        (500, fo03(None, plek="client"), Outcome.PERMANENT),
        (500, fo03(None, plek="server"), Outcome.RETRY),
        (503, b"busy", Outcome.RETRY),
        (404, b"", Outcome.PERMANENT),
        (429, b"", Outcome.RETRY),
    ],
)
def test_judge_stuf_only_calls_a_bv03_delivered(status: int, body: bytes, outcome: Outcome) -> None:
    """judge_stuf: a 2xx without a Bv03 is not proof of delivery; a client Fo03 or a 4xx is permanent."""
    assert judge_stuf(Answer(status, "", None, body, "text/xml")).outcome is outcome


def test_a_client_fault_without_fo03_is_permanent_and_a_server_fault_is_retried() -> None:
    """A SOAP Fault without a StUF report is judged by its faultcode."""
    from gateway.soap import fault

    assert judge_stuf(Answer(500, "", None, fault("Client", "bad"))).outcome is Outcome.PERMANENT
    assert judge_stuf(Answer(500, "", None, fault("Server", "later"))).outcome is Outcome.RETRY
    fo01 = etree.fromstring(fo03(None, plek="client").replace(b"Fo03", b"Fo01"))
    body = etree.tostring(fo01.find(".//{http://www.egem.nl/StUF/StUF0301}Fo01Bericht"))
    assert judge_stuf(Answer(200, "", None, envelope(body))).outcome is Outcome.PERMANENT


# --- per-route TLS identities -------------------------------------------------------------------


class _Ok(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        del format, args


@pytest.fixture
def mutual_tls(tmp_path: Path) -> Iterator[tuple[str, TlsIdentity]]:
    """An HTTPS receiver demanding a client certificate from its own test CA, and the identity that passes."""
    ca = trustme.CA()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("localhost").configure_cert(context)
    ca.configure_trust(context)
    context.verify_mode = ssl.CERT_REQUIRED
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Ok)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    client = ca.issue_cert("ketenpoort.test")
    paths = [tmp_path / name for name in ("ca.pem", "client.pem", "client.key")]
    ca.cert_pem.write_to_path(str(paths[0]))
    client.cert_chain_pems[0].write_to_path(str(paths[1]))
    client.private_key_pem.write_to_path(str(paths[2]))
    try:
        yield f"https://localhost:{server.server_address[1]}/in", TlsIdentity(*paths)
    finally:
        server.shutdown()
        server.server_close()


def test_each_route_uses_its_own_tls_identity(mutual_tls: tuple[str, TlsIdentity]) -> None:
    """The route with the identity gets through mutual TLS; the same URL without it fails on the relay-wide one."""
    url, identity = mutual_tls
    routes = Routes({"with": Route(url, tls=identity), "without": url})
    with Deliverer(routes, RetryPolicy(base_s=0.01), breaker_failures=1000) as deliverer:
        assert deliverer.deliver("m-1", "with", PAYLOAD, 1).outcome is Outcome.DELIVERED
        failed = deliverer.deliver("m-2", "without", PAYLOAD, 1)
    assert failed.outcome is Outcome.RETRY
    assert failed.error is not None
    assert "Connect" in failed.error


def test_a_route_naming_a_missing_certificate_fails_at_start(tmp_path: Path) -> None:
    """A TLS file that does not exist is a configuration error when the Deliverer is built, not at the first message."""
    identity = TlsIdentity(client_cert=tmp_path / "absent.pem")
    with pytest.raises(RouteConfigError, match=r"absent\.pem"):
        Deliverer(Routes({"0034": Route("https://x.test/", tls=identity)}))
