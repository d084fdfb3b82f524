"""The VSP-Koppeling on the in-memory store: what it refuses it refuses as on the SQL store; what it would keep,
it says it cannot (501), since the VSP bookkeeping is SQL over the store's own database (gateway.store.vsp)."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from gateway.store.memory import MemoryStore
from tests.vsp.support import PULL, Declaraties, Parties, auth, metadata, push


def test_an_acceptable_push_is_501_and_stores_nothing(
    memory_app: FastAPI, memory_store: MemoryStore, stream: Declaraties, tokens: Parties
) -> None:
    client = TestClient(memory_app)
    r = push(client, tokens.a, metadata(stream.aanbieder, stream.gemeente), stream.jw323[0])
    assert r.status_code == 501
    assert memory_store.list_messages(limit=10)[0] == []  # intake never ran: no message without its VSP rows
    refused = push(client, tokens.b, metadata(stream.aanbieder, stream.gemeente), stream.jw323[0])
    assert refused.status_code == 422  # the checks before the store are the same on every store
    assert client.get(f"{PULL}/berichten", headers=auth(tokens.a)).status_code == 501
