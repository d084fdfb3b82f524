"""The relay's TLS settings against a real HTTPS receiver on loopback that may demand a client certificate.

A test CA (trustme) signs the receiver's certificate for ``localhost`` and our client
certificate; the receiver trusts only that CA for clients, as a Digikoppeling endpoint trusts
PKIoverheid. Both relay transports are run through ``Deliverer.from_settings``.
"""

from __future__ import annotations

import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import trustme

from gateway.config import load_settings
from gateway.relay import Deliverer, Outcome, TLSConfigError, relay_ssl_context
from gateway.relay.transport import StdlibTransport
from tests.support.scripted_server import post

PAYLOAD = b"<Bericht>synthetic</Bericht>"


class _Recorded(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    seen: list[str | None]

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.seen.append(self.headers.get("Idempotency-Key"))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        del format, args


class HttpsReceiver:
    """An HTTPS server on 127.0.0.1; ``seen`` holds the Idempotency-Key of each request it read."""

    def __init__(self, context: ssl.SSLContext) -> None:
        self.seen: list[str | None] = []
        handler = type("Handler", (_Recorded,), {"seen": self.seen})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.url = f"https://localhost:{self.server.server_address[1]}/ijw"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def pems(ca: trustme.CA, tmp_path: Path) -> dict[str, Path]:
    """The CA's certificate, and a client certificate and key it signed, as PEM files."""
    client = ca.issue_cert("ketenpoort.test")
    paths = {"ca": tmp_path / "ca.pem", "cert": tmp_path / "client.pem", "key": tmp_path / "client.key"}
    ca.cert_pem.write_to_path(str(paths["ca"]))
    client.cert_chain_pems[0].write_to_path(str(paths["cert"]))
    client.private_key_pem.write_to_path(str(paths["key"]))
    return paths


@pytest.fixture
def mutual(ca: trustme.CA) -> Iterator[HttpsReceiver]:
    """A receiver that demands a client certificate signed by the test CA."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("localhost").configure_cert(context)
    ca.configure_trust(context)
    context.verify_mode = ssl.CERT_REQUIRED
    receiver = HttpsReceiver(context)
    try:
        yield receiver
    finally:
        receiver.close()


def _deliverer(url: str, transport: str, **tls: Path) -> Deliverer:
    settings = load_settings(
        default_route=url, relay_transport=transport, connect_timeout_s=2.0, read_timeout_s=2.0, **tls
    )
    return Deliverer.from_settings(settings)


@pytest.mark.parametrize("transport", ["stdlib", "httpx"])
def test_mutual_tls_with_our_ca_and_client_certificate(
    mutual: HttpsReceiver, pems: dict[str, Path], transport: str
) -> None:
    """With the CA file and our certificate set, the receiver reads and accepts the message."""
    tls = {"relay_ca_file": pems["ca"], "relay_client_cert": pems["cert"], "relay_client_key": pems["key"]}
    with _deliverer(mutual.url, transport, **tls) as deliverer:
        result = deliverer.deliver("m-1", "0034", PAYLOAD, 1)
    assert result.outcome is Outcome.DELIVERED, result.error
    assert mutual.seen == ["m-1"]


@pytest.mark.parametrize("transport", ["stdlib", "httpx"])
def test_without_a_client_certificate_the_receiver_reads_nothing(
    mutual: HttpsReceiver, pems: dict[str, Path], transport: str
) -> None:
    """The receiver refuses the handshake: a transport error the relay retries, and no request read."""
    with _deliverer(mutual.url, transport, relay_ca_file=pems["ca"]) as deliverer:
        result = deliverer.deliver("m-1", "0034", PAYLOAD, 1)
    assert result.outcome is Outcome.RETRY and result.status_code is None
    assert mutual.seen == []


@pytest.mark.parametrize("transport", ["stdlib", "httpx"])
def test_without_the_ca_file_the_receiver_is_not_trusted(
    mutual: HttpsReceiver, pems: dict[str, Path], transport: str
) -> None:
    """certifi's roots do not include the test CA: the certificate check fails before anything is sent."""
    tls = {"relay_client_cert": pems["cert"], "relay_client_key": pems["key"]}
    with _deliverer(mutual.url, transport, **tls) as deliverer:
        result = deliverer.deliver("m-1", "0034", PAYLOAD, 1)
    assert result.outcome is Outcome.RETRY
    assert "CERTIFICATE_VERIFY_FAILED" in (result.error or "")
    assert mutual.seen == []


def test_a_missing_ca_file_is_a_clear_configuration_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.pem"
    with pytest.raises(TLSConfigError, match=r"KETENPOORT_RELAY_CA_FILE .*nope\.pem: No such file"):
        relay_ssl_context(ca_file=missing)


def test_a_key_without_a_certificate_is_refused(pems: dict[str, Path]) -> None:
    with pytest.raises(TLSConfigError, match="without KETENPOORT_RELAY_CLIENT_CERT"):
        relay_ssl_context(client_key=pems["key"])


def test_a_key_that_does_not_match_the_certificate_is_refused(ca: trustme.CA, pems: dict[str, Path]) -> None:
    other = ca.issue_cert("other.test")
    other.private_key_pem.write_to_path(str(pems["key"]))
    with pytest.raises(TLSConfigError, match="KETENPOORT_RELAY_CLIENT_CERT") as caught:
        relay_ssl_context(client_cert=pems["cert"], client_key=pems["key"])
    assert "PRIVATE KEY" not in str(caught.value)  # the message names files, never key material


def test_a_certificate_file_that_is_not_pem_is_refused(pems: dict[str, Path]) -> None:
    pems["cert"].write_text("not a certificate\n")
    with pytest.raises(TLSConfigError, match="KETENPOORT_RELAY_CLIENT_CERT"):
        relay_ssl_context(client_cert=pems["cert"], client_key=pems["key"])


def test_the_worker_reports_a_bad_tls_setting_and_exits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`ketenpoort worker` with a missing CA file: a one-line error naming the setting, exit code 2."""
    from typer.testing import CliRunner

    from gateway.cli import app

    monkeypatch.setenv("KETENPOORT_DATABASE_URL", f"sqlite:///{tmp_path / 'k.db'}")
    monkeypatch.setenv("KETENPOORT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KETENPOORT_DEFAULT_ROUTE", "https://localhost:9/ijw")
    monkeypatch.setenv("KETENPOORT_RELAY_CA_FILE", str(tmp_path / "absent.pem"))
    result = CliRunner().invoke(app, ["worker", "--stages", "relay"])
    assert result.exit_code != 0
    assert "KETENPOORT_RELAY_CA_FILE" in result.output and "Traceback" not in result.output


# -- the transport alone, against a receiver that asks for no client certificate ---------------


@pytest.fixture
def plain(ca: trustme.CA) -> Iterator[HttpsReceiver]:
    """An HTTPS receiver with a certificate for ``localhost`` signed by the test CA."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("localhost").configure_cert(context)
    receiver = HttpsReceiver(context)
    try:
        yield receiver
    finally:
        receiver.close()


def test_https_to_a_trusted_receiver_keeps_the_connection(ca: trustme.CA, plain: HttpsReceiver) -> None:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    with StdlibTransport(ssl_context=context) as transport:
        assert [post(transport, plain.url).status_code for _ in range(2)] == [200, 200]
    assert plain.seen == ["m-1", "m-1"]


def test_https_to_an_untrusted_certificate_is_refused(plain: HttpsReceiver) -> None:
    """The default context trusts certifi's roots, not the test CA: no request goes out."""
    with StdlibTransport() as transport, pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        post(transport, plain.url)
    assert plain.seen == []


def test_https_checks_the_host_name(ca: trustme.CA, plain: HttpsReceiver) -> None:
    """A certificate for localhost does not do for 127.0.0.1."""
    context = ssl.create_default_context()
    ca.configure_trust(context)
    with StdlibTransport(ssl_context=context) as transport, pytest.raises(httpx.ConnectError):
        post(transport, plain.url.replace("localhost", "127.0.0.1"))
    assert plain.seen == []
