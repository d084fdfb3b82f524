"""Authorisation matrix: every read/operator endpoint x {none, wrong, A, B, receiver, operator}.

The store is a stand-in with the announced interface (the real store had not landed when this
was written); the matrix itself is the API's decision and breaks if any rule changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient

from gateway.api import create_app
from gateway.config import Settings
from tests.api.conftest import OIN_A, OIN_B, OIN_R, Tokens


@dataclass
class Msg:
    id: str
    sender: str
    receiver: str
    status: str = "accepted"
    retour: bytes | None = b"<retour/>"


@dataclass
class FakeStore:
    messages: dict[str, Msg] = field(default_factory=dict)
    replayed: list[tuple[str, str]] = field(default_factory=list)

    def get_message(self, mid: str) -> Msg | None:
        return self.messages.get(mid)

    def audit_events(self, mid: str) -> list[dict[str, str]]:
        return [{"stage": "validate", "event": "accepted"}]

    def deliveries(self, mid: str) -> list[Any]:
        return []

    def dead_letters(self) -> list[Msg]:
        return [m for m in self.messages.values() if m.status == "dead"]

    def replay(self, mid: str, *, actor: str) -> None:
        self.replayed.append((mid, actor))


@pytest.fixture
def store() -> FakeStore:
    s = FakeStore()
    s.messages["a1"] = Msg("a1", OIN_A, OIN_R)
    s.messages["b1"] = Msg("b1", OIN_B, "00000009999999990000", status="dead")
    return s


CALLERS = ("none", "wrong", "a", "b", "receiver", "operator")
# endpoint -> expected status per caller
MATRIX: dict[tuple[str, str], tuple[int, ...]] = {
    ("GET", "/v1/berichten/a1"): (401, 401, 200, 404, 200, 200),
    ("GET", "/v1/berichten/b1"): (401, 401, 404, 200, 404, 200),
    ("GET", "/v1/berichten/a1/retour"): (401, 401, 200, 404, 200, 200),
    ("GET", "/v1/berichten/b1/retour"): (401, 401, 404, 200, 404, 200),
    ("GET", "/v1/berichten/nope"): (401, 401, 404, 404, 404, 404),
    ("GET", "/v1/operator/dead-letters"): (401, 401, 403, 403, 403, 200),
    ("POST", "/v1/operator/dead-letters/b1/replay"): (401, 401, 403, 403, 403, 202),
}


@pytest.mark.parametrize(("method", "path"), list(MATRIX))
def test_matrix(settings: Settings, tokens: Tokens, store: FakeStore, method: str, path: str) -> None:
    client = TestClient(create_app(settings, store=store))
    tok = {"none": None, "wrong": "x" * 43, "a": tokens.a, "b": tokens.b, "receiver": tokens.receiver,
           "operator": tokens.operator}  # fmt: skip
    got = []
    for name in CALLERS:
        headers = {"Authorization": f"Bearer {tok[name]}"} if tok[name] else {}
        got.append(client.request(method, path, headers=headers).status_code)
    assert tuple(got) == MATRIX[(method, path)]


def test_a_never_sees_b_and_replay_is_attributed(settings: Settings, tokens: Tokens, store: FakeStore) -> None:
    client = TestClient(create_app(settings, store=store))
    r = client.get("/v1/berichten/a1", headers={"Authorization": f"Bearer {tokens.a}"})
    assert r.json()["sender"] == OIN_A and r.json()["audit"][0]["event"] == "accepted" and "retour" not in r.json()
    assert "b1" not in client.get("/v1/berichten/b1", headers={"Authorization": f"Bearer {tokens.a}"}).text.replace(
        "no such message", ""
    )
    client.post("/v1/operator/dead-letters/b1/replay", headers={"Authorization": f"Bearer {tokens.operator}"})
    assert store.replayed == [("b1", "ops")]
