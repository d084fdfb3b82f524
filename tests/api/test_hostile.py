"""Hostile requests each get their 4xx, nothing is stored (asserted on the store), the server stays up."""

from __future__ import annotations

import gzip
import hashlib
import io
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from gateway.api import create_app
from gateway.config import Settings
from gateway.model import MessageStatus
from gateway.store import Store
from gateway.store.memory import MemoryStore
from tests.api.conftest import OIN_A, OIN_B, Tokens
from tests.api.support import all_messages, open_jobs
from tests.support.stuf_builders import build_di01


@pytest.fixture
def client(settings: Settings, memory_store: MemoryStore) -> TestClient:
    return TestClient(create_app(settings, store=memory_store))


@pytest.fixture
def jobs_before(memory_store: MemoryStore) -> int:
    """Jobs the fresh store already has (its retention job)."""
    return open_jobs(memory_store)


def _msg(oin: str = OIN_A) -> bytes:
    return build_di01("meldingGeneriekDi01", zender_oin=oin, ontvanger_oin=OIN_B, referentienummer="REF-1")


def _h(token: str, ctype: str = "application/xml", **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Content-Type": ctype, **extra}


def test_valid_message_is_accepted_with_id_and_links(
    client: TestClient, tokens: Tokens, memory_store: MemoryStore, jobs_before: int
) -> None:
    body = _msg()
    r = client.post("/v1/berichten", content=body, headers=_h(tokens.a, **{"Idempotency-Key": "k-1"}))
    assert r.status_code == 202
    mid = r.json()["id"]
    assert r.json() == {
        "id": mid,
        "status": "received",
        "links": {"self": f"/v1/berichten/{mid}", "retour": f"/v1/berichten/{mid}/retour"},
    }
    row = memory_store.get_message(mid)
    assert row is not None and row.status is MessageStatus.RECEIVED
    assert (row.sender, row.external_id, row.payload_sha256) == (OIN_A, "REF-1", hashlib.sha256(body).hexdigest())
    assert open_jobs(memory_store) == jobs_before + 1  # its validate job


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Content-Type": "application/xml"}, 401),
        ({"Authorization": "Bearer nope", "Content-Type": "application/xml"}, 401),
        ({"Authorization": "Basic abc", "Content-Type": "application/xml"}, 401),
    ],
)
def test_missing_or_wrong_token_is_401(
    client: TestClient, memory_store: MemoryStore, headers: dict[str, str], status: int
) -> None:
    r = client.post("/v1/berichten", content=_msg(), headers=headers)
    assert r.status_code == status and r.headers["www-authenticate"] == "Bearer"
    assert all_messages(memory_store) == []


def test_sending_as_someone_else_is_403(client: TestClient, tokens: Tokens, memory_store: MemoryStore) -> None:
    assert client.post("/v1/berichten", content=_msg(OIN_B), headers=_h(tokens.a)).status_code == 403
    assert client.post("/v1/berichten", content=_msg(OIN_A), headers=_h(tokens.receiver)).status_code == 403
    assert all_messages(memory_store) == []


def test_hostile_bodies(client: TestClient, tokens: Tokens, memory_store: MemoryStore, jobs_before: int) -> None:
    big = b"<a>" + b"x" * (26 * 1024 * 1024) + b"</a>"
    assert client.post("/v1/berichten", content=big, headers=_h(tokens.a)).status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: refused while streaming
        yield b"<a>"
        for _ in range(27):
            yield b"x" * (1024 * 1024)

    assert client.post("/v1/berichten", content=chunks(), headers=_h(tokens.a)).status_code == 413
    bomb = gzip.compress(b"<a>" + b"\0" * (50 * 1024 * 1024) + b"</a>")
    r = client.post("/v1/berichten", content=bomb, headers=_h(tokens.a, **{"Content-Encoding": "gzip"}))
    assert r.status_code == 415 and r.json()["error"] == "unsupported_encoding"
    r = client.post("/v1/berichten", content=bomb, headers=_h(tokens.a))  # the same bytes, undeclared: never unpacked
    assert r.status_code == 400 and r.json()["error"] == "not_well_formed"
    assert client.post("/v1/berichten", content=_msg(), headers=_h(tokens.a, "application/json")).status_code == 415
    assert client.post("/v1/berichten", content=_msg(), headers=_h(tokens.a, "text/plain")).status_code == 415
    r = client.post("/v1/berichten", content=b"<a><b></a>", headers=_h(tokens.a))
    assert r.status_code == 400 and r.json()["error"] == "not_well_formed" and "message" in r.json()
    xxe = b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>'
    r = client.post("/v1/berichten", content=xxe, headers=_h(tokens.a))
    assert r.status_code == 400 and "root:" not in r.text and "DTD" in r.json()["message"]
    r = client.post("/v1/berichten", content=_msg(), headers=_h(tokens.a, **{"Idempotency-Key": "a b\tSet-Cookie: x"}))
    assert r.status_code == 400
    assert all_messages(memory_store) == [] and open_jobs(memory_store) == jobs_before  # nothing stored, not even half
    assert client.get("/healthz").json() == {"status": "ok"}


def test_anonymous_large_bodies_are_refused_before_parsing(client: TestClient) -> None:
    """FastAPI parses JSON and form bodies before auth runs: the cap must come first, for everyone."""
    big_json = b'{"gemeente": "' + b"9" * (12 * 1024 * 1024) + b'"}'
    r = client.post("/v1/operator/reconciliation/runs", content=big_json, headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and r.json()["error"] == "too_large"

    def json_chunks() -> Iterator[bytes]:  # no Content-Length: counted while it streams
        yield b'{"gemeente": "'
        for _ in range(12):
            yield b"9" * (1024 * 1024)

    r = client.post(
        "/v1/operator/reconciliation/runs", content=json_chunks(), headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 413
    login = client.post("/dashboard/login", content=b"token=" + b"a" * (2 * 1024 * 1024),
                        headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert login.status_code == 400  # Starlette's form parser stops a field at 1 MB
    files = {"cbs": ("cbs.csv", b"x" * (12 * 1024 * 1024), "text/csv")}
    assert client.post("/dashboard/reconciliation", files=files).status_code == 413
    assert client.get("/healthz").status_code == 200


def test_access_log_has_no_token(client: TestClient, tokens: Tokens, access_log: io.StringIO) -> None:
    client.post("/v1/berichten?x=1", content=_msg(), headers=_h(tokens.a))
    text = access_log.getvalue()
    assert '"route": "/v1/berichten"' in text and '"status": 202' in text
    assert tokens.a not in text and "x=1" not in text


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def live(settings: Settings, memory_store: MemoryStore) -> Iterator[str]:
    port = _free_port()
    app = create_app(settings, store=memory_store, body_timeout_s=0.5)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join()


def test_never_ending_chunked_body_times_out_and_server_stays_up(
    live: str, tokens: Tokens, memory_store: MemoryStore
) -> None:
    host, port = live.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as sock:
        head = (
            f"POST /v1/berichten HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {tokens.a}\r\n"
            "Content-Type: application/xml\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n<a>xx\r\n"
        )
        sock.sendall(head.encode())
        sock.settimeout(30)
        reply = sock.recv(4096)  # we never send the rest; the server must answer on its own
    assert reply.startswith(b"HTTP/1.1 408")
    assert all_messages(memory_store) == []
    r = httpx.post(f"{live}/v1/berichten", content=_msg(), headers=_h(tokens.a))
    assert r.status_code == 202
    assert httpx.get(f"{live}/healthz").status_code == 200
    # header injection at the protocol level is refused by the HTTP parser, server survives
    with socket.create_connection((host, int(port))) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Bad: a\rb\r\n\r\n")
        sock.settimeout(30)
        assert sock.recv(4096).startswith(b"HTTP/1.1 400")
    assert httpx.get(f"{live}/healthz").status_code == 200


def test_metrics_and_readyz(settings: Settings, store: Store) -> None:
    """On the real store: the scrape's gauges (gateway.store.gauges) and readiness read it with SQL."""
    client = TestClient(create_app(settings, store=store))
    client.get("/healthz")
    body = client.get("/metrics").text
    assert 'ketenpoort_http_requests_total{route="/healthz",status="200"}' in body
    assert client.get("/readyz").json() == {"status": "ready"}


def test_readyz_is_503_when_the_database_is_unreachable(settings: Settings) -> None:
    from tests.api.support import free_port

    gone = Store.open(f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/nothing")  # nothing listens there
    try:
        r = TestClient(create_app(settings, store=gone)).get("/readyz")
    finally:
        gone.close()
    assert r.status_code == 503 and r.json() == {"status": "unavailable", "reason": "database unreachable"}
