"""The parts of the API that are SQL over the store's own database, on a store that is not the SQL one.

The tariff table, the VSP bookkeeping, the dead-letter details and the job gauges are queries the
handlers run on :class:`gateway.store.Store` itself (:mod:`gateway.api.stores`). On any other store (the
in-memory one) they say so (501), where they used to fail on a missing ``store.db``; without a store
they answer 503 as intake does. Everything else of the API runs on both (tests/test_api_ports_typing.py).
"""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from gateway.api import create_app
from gateway.config import Settings
from gateway.store.memory import MemoryStore
from tests.api.conftest import Tokens

TARIEVEN = "/v1/operator/gemeenten/GM0363/tarieven"
PULL = "/vsp/berichtenservice/berichten/rest-pull/v1/berichten"
STATUS = "/vsp/berichtenservice/berichtstatus/rest-pull/v3/berichtstatussen"
CONVERSATIE = {"conversatieId": "8c1f0c9e-2b7a-4d1e-9c3a-1f2e3d4c5b6a"}
ENTRY = {"aanbieder": "12345678", "productcategorie": "45", "productcode": "45A03", "eenheid": "04",
         "frequentie": "2", "tarief_cent": 1250, "ingangsdatum": "2025-01-01", "einddatum": None}  # fmt: skip


def _client(settings: Settings, tokens: Tokens, store: MemoryStore | None) -> TestClient:
    client = TestClient(create_app(settings, store))
    client.headers["Authorization"] = f"Bearer {tokens.operator}"
    return client


def test_the_tariff_table_is_not_supported_in_memory(settings: Settings, tokens: Tokens) -> None:
    client = _client(settings, tokens, MemoryStore())
    for r in (client.get(TARIEVEN), client.put(TARIEVEN, json={"tarieven": [ENTRY]})):
        assert r.status_code == 501
        assert r.json() == {"error": "not_supported", "message": "this store keeps no tariff table"}
    assert client.put(TARIEVEN, json={"tarieven": "x"}).status_code == 422  # a bad body is still the caller's
    assert _client(settings, tokens, None).get(TARIEVEN).status_code == 503


def test_vsp_answers_501_in_memory_and_503_without_a_store(settings: Settings, tokens: Tokens) -> None:
    for store, status in ((MemoryStore(), 501), (None, 503)):
        client = TestClient(create_app(settings, store))
        client.headers["Authorization"] = f"Bearer {tokens.a}"
        assert client.get(PULL).status_code == status
        assert client.get(STATUS, params=CONVERSATIE).status_code == status


def test_the_dead_letter_page_says_it_has_no_details_in_memory(settings: Settings, tokens: Tokens) -> None:
    client = TestClient(create_app(settings, MemoryStore()))
    client.post("/dashboard/login", data={"token": tokens.operator})
    r = client.get("/dashboard/dead-letters")
    assert r.status_code == 501 and "geen details" in r.text
    queue = client.get("/v1/operator/dead-letters", headers={"Authorization": f"Bearer {tokens.operator}"})
    assert queue.json() == {"items": []}  # the queue itself is the port's: the same on every store


def test_metrics_leave_the_store_gauges_to_the_sql_store(settings: Settings, tokens: Tokens) -> None:
    body = TestClient(create_app(settings, MemoryStore())).get("/metrics")
    assert body.status_code == 200
    assert not re.search(r"^ketenpoort_(store_up|jobs|messages_total)\b", body.text, re.MULTILINE)
