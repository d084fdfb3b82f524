"""Authorisation matrix: every endpoint x {none, wrong, A, B, receiver, operator}, exact status codes.

The messages are put there through the API and the real pipeline (validate, map, relay to a
loopback receiver): A's message is delivered to the receiver, B's is refused and lands dead.
Most of the matrix runs over a MemoryStore (it tests who may do what, not how it is stored); the
endpoints that read the database with SQL of their own (tariffs, the scrape's gauges, readiness)
and the operator's replay run on the real store, SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from gateway.api import create_app
from gateway.config import Settings
from gateway.model import MessageStatus
from gateway.store import Store
from gateway.store.memory import MemoryStore
from tests.api.conftest import OIN_A, OIN_B, OIN_R, Tokens
from tests.api.support import all_messages, drain
from tests.support.receiver import Receiver
from tests.support.stuf_builders import build_di01

CALLERS = ("none", "wrong", "a", "b", "receiver", "operator")


@dataclass
class World:
    client: TestClient
    store: Store | MemoryStore
    tokens: Tokens
    a: str
    b: str

    def headers(self, who: str) -> dict[str, str]:
        tok = {"none": None, "wrong": "x" * 43, "a": self.tokens.a, "b": self.tokens.b,
               "receiver": self.tokens.receiver, "operator": self.tokens.operator}[who]  # fmt: skip
        return {"Authorization": f"Bearer {tok}"} if tok else {}


def msg(oin: str, ref: str, to: str = OIN_R) -> bytes:
    return build_di01("meldingGeneriekDi01", zender_oin=oin, ontvanger_oin=to, referentienummer=ref)


def _world(settings: Settings, tokens: Tokens, tmp_path: Path, store: Store | MemoryStore) -> World:
    run = tmp_path / "reconcile" / "2026-almere"
    run.mkdir(parents=True)
    (run / "bridge.json").write_text(json.dumps([{"periode": "2025HJ2", "hulpvorm": "totaal", "verwacht_cbs": 5}]))
    (run / "report.html").write_text("<html><body><svg></svg></body></html>")
    settings = settings.model_copy(update={"data_dir": tmp_path})
    client = TestClient(create_app(settings, store=store))
    xml = {"Authorization": f"Bearer {tokens.a}", "Content-Type": "application/xml"}
    a = client.post("/v1/berichten", content=msg(OIN_A, "A-1"), headers=xml).json()["id"]
    with Receiver() as rx:
        drain(store, rx.url)
        rx.always(400)
        xml["Authorization"] = f"Bearer {tokens.b}"
        b = client.post("/v1/berichten", content=msg(OIN_B, "B-1", to="00000009999999990000"), headers=xml).json()["id"]
        drain(store, rx.url)
    assert store.get_message(a).status is MessageStatus.DELIVERED
    assert store.get_message(b).status is MessageStatus.DEAD
    return World(client, store, tokens, a, b)


@pytest.fixture
def world(settings: Settings, tokens: Tokens, tmp_path: Path, memory_store: MemoryStore) -> World:
    """A's and B's messages in a MemoryStore."""
    return _world(settings, tokens, tmp_path, memory_store)


@pytest.fixture
def sql_world(settings: Settings, tokens: Tokens, tmp_path: Path, store: Store) -> World:
    """A's and B's messages in the real store (SQLite, then PostgreSQL)."""
    return _world(settings, tokens, tmp_path, store)


# (method, path template) -> expected status per caller, in CALLERS order
MATRIX: dict[tuple[str, str], tuple[int, ...]] = {
    ("GET", "/v1/berichten"): (401, 401, 200, 200, 200, 200),
    ("GET", "/v1/berichten?status=nonsense"): (401, 401, 400, 400, 400, 400),
    ("GET", "/v1/berichten/{a}"): (401, 401, 200, 404, 200, 200),
    ("GET", "/v1/berichten/{b}"): (401, 401, 404, 200, 404, 200),
    ("GET", "/v1/berichten/{a}/retour"): (401, 401, 200, 404, 200, 200),
    ("GET", "/v1/berichten/{b}/retour"): (401, 401, 404, 200, 404, 200),
    ("GET", "/v1/berichten/nope"): (401, 401, 404, 404, 404, 404),
    ("GET", "/v1/operator/dead-letters"): (401, 401, 403, 403, 403, 200),
    ("POST", "/v1/operator/dead-letters/{a}/replay"): (401, 401, 403, 403, 403, 409),
    ("POST", "/v1/operator/dead-letters/nope/replay"): (401, 401, 403, 403, 403, 404),
    ("GET", "/v1/operator/mapping/coverage"): (401, 401, 403, 403, 403, 200),
    ("GET", "/v1/operator/reconciliation/runs"): (401, 401, 403, 403, 403, 200),
    ("POST", "/v1/operator/reconciliation/runs"): (401, 401, 403, 403, 403, 422),  # no body: the operator gets 422
    ("GET", "/v1/operator/reconciliation/runs/2026-almere"): (401, 401, 403, 403, 403, 200),
    ("GET", "/v1/operator/reconciliation/runs/2026-almere/report.html"): (401, 401, 403, 403, 403, 200),
    ("GET", "/v1/operator/reconciliation/runs/..%2F..%2Fetc"): (404,) * 6,  # matches no route at all
    ("GET", "/v1/operator/reconciliation/runs/.hidden"): (401, 401, 403, 403, 403, 404),
    ("GET", "/v1/operator/gemeenten/0363/tarieven"): (401, 401, 403, 403, 403, 200),
    ("PUT", "/v1/operator/gemeenten/0363/tarieven"): (401, 401, 403, 403, 403, 415),  # no body: no content type
    ("GET", "/v1/operator/gemeenten/nope/tarieven"): (401, 401, 403, 403, 403, 404),
    ("GET", "/healthz"): (200,) * 6,
    ("GET", "/readyz"): (200,) * 6,
    ("GET", "/metrics"): (200,) * 6,
    ("GET", "/openapi.json"): (200,) * 6,
    # the dashboard knows only its session cookie: a Bearer token gets the login page, never data
    ("GET", "/dashboard/"): (303,) * 6,
    ("GET", "/dashboard/berichten"): (303,) * 6,
    ("GET", "/dashboard/berichten/{a}"): (303,) * 6,
    ("GET", "/dashboard/dead-letters"): (303,) * 6,
    ("GET", "/dashboard/mapping"): (303,) * 6,
    ("GET", "/dashboard/reconciliation"): (303,) * 6,
    ("GET", "/dashboard/reconciliation/2026-almere"): (303,) * 6,
    ("GET", "/dashboard/reconciliation/2026-almere/report.html"): (303,) * 6,
    ("POST", "/dashboard/dead-letters/{b}/replay"): (303,) * 6,
}


SQL_ROUTES = {
    ("GET", "/v1/operator/gemeenten/0363/tarieven"),
    ("PUT", "/v1/operator/gemeenten/0363/tarieven"),
    ("GET", "/v1/operator/gemeenten/nope/tarieven"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),
}
"""Endpoints that query the SQL store directly (gateway.store.tarieven, gateway.store.gauges) or probe the database."""


def _check(world: World, method: str, path: str) -> None:
    url = path.format(a=world.a, b=world.b)
    got = tuple(
        world.client.request(method, url, headers=world.headers(who), follow_redirects=False).status_code
        for who in CALLERS
    )
    assert got == MATRIX[(method, path)]
    assert world.store.get_message(world.b).status is MessageStatus.DEAD


@pytest.mark.parametrize(("method", "path"), [k for k in MATRIX if k not in SQL_ROUTES])
def test_matrix(world: World, method: str, path: str) -> None:
    _check(world, method, path)


@pytest.mark.parametrize(("method", "path"), sorted(SQL_ROUTES))
def test_matrix_of_the_sql_only_endpoints(sql_world: World, method: str, path: str) -> None:
    _check(sql_world, method, path)


def test_post_matrix(world: World) -> None:
    """Posting A's message: only A (and an operator) may; B and the receiver may not send as A."""
    got = []
    for i, who in enumerate(CALLERS):
        headers = {**world.headers(who), "Content-Type": "application/xml"}
        got.append(world.client.post("/v1/berichten", content=msg(OIN_A, f"P-{i}"), headers=headers).status_code)
    assert tuple(got) == (401, 401, 202, 403, 403, 202)
    assert sorted(m.external_id for m in all_messages(world.store)) == ["A-1", "B-1", "P-2", "P-5"]


def test_lists_never_cross(world: World) -> None:
    def ids(who: str) -> set[str]:
        body = world.client.get("/v1/berichten", headers=world.headers(who)).json()
        return {item["id"] for item in body["items"]}

    assert ids("a") == {world.a}
    assert ids("b") == {world.b}
    assert ids("receiver") == {world.a}  # addressed to it; B's went elsewhere
    assert ids("operator") == {world.a, world.b}
    a_view = world.client.get(f"/v1/berichten/{world.a}", headers=world.headers("a")).text
    assert world.b not in a_view and OIN_B not in a_view


def test_operator_replay_is_attributed_and_requeued(sql_world: World) -> None:
    """On the real store: the operator router end to end, its replay a transaction of the SQL adapter."""
    world = sql_world
    r = world.client.post(f"/v1/operator/dead-letters/{world.b}/replay", headers=world.headers("operator"))
    assert r.status_code == 202 and r.json()["status"] == "replayed"
    assert world.store.get_message(world.b).status is MessageStatus.RELAYING
    events = world.client.get(f"/v1/berichten/{world.b}", headers=world.headers("operator")).json()["audit"]
    assert "replayed" in events[-1]["event"] and events[-1]["actor"] == "ops"
    again = world.client.post(f"/v1/operator/dead-letters/{world.b}/replay", headers=world.headers("operator"))
    assert again.status_code == 409
