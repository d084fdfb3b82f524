"""The operator's tariff endpoints (TR418) on both backends: PUT replaces a gemeente's table, GET shows it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from gateway.api import create_app
from gateway.config import Settings
from gateway.mapping import mappings_dir
from gateway.store import Store
from tests.api.conftest import Tokens

URL = "/v1/operator/gemeenten/GM0363/tarieven"
EXAMPLE = (mappings_dir() / "gemeenten" / "0363" / "tarieven.csv").read_bytes()
ENTRY = {"aanbieder": "12345678", "productcategorie": "45", "productcode": "45A03", "eenheid": "04",
         "frequentie": "2", "tarief_cent": 1250, "ingangsdatum": "2025-01-01", "einddatum": None}  # fmt: skip


@pytest.fixture
def client(settings: Settings, store: Store, tokens: Tokens) -> Iterator[TestClient]:
    with TestClient(create_app(settings, store=store)) as c:
        c.headers["Authorization"] = f"Bearer {tokens.operator}"
        yield c


def test_put_csv_then_get_filters(client: TestClient) -> None:
    """A CSV body replaces the table; GET shows it, filtered by aanbieder and date."""
    assert client.get(URL).json() == {"gemeente": "0363", "tabel": False, "tarieven": []}
    r = client.put(URL, content=EXAMPLE, headers={"Content-Type": "text/csv"})
    assert r.status_code == 200 and r.json()["geladen"] == 4
    body = client.get(URL, params={"aanbieder": "12345678", "on": "2025-06-01"}).json()
    assert body["tabel"] is True
    assert sorted(t["tarief_cent"] for t in body["tarieven"]) == [1250, 7800, 9500]
    assert client.get(URL, params={"aanbieder": "87654321"}).json()["tabel"] is True  # a table, none for this one


def test_put_json_replaces_the_whole_table(client: TestClient) -> None:
    """A JSON body replaces what was there before."""
    client.put(URL, content=EXAMPLE, headers={"Content-Type": "text/csv"})
    r = client.put(URL, json={"tarieven": [ENTRY]})
    assert r.status_code == 200 and r.json()["geladen"] == 1
    assert client.get(URL).json()["tarieven"] == [ENTRY]


def test_bad_bodies_are_refused_whole_and_lose_nothing(client: TestClient) -> None:
    """A bad entry, a broken body or another media type is refused; the old table stays as it was."""
    client.put(URL, json={"tarieven": [ENTRY]})
    bad = client.put(URL, json={"tarieven": [ENTRY, {**ENTRY, "tarief_cent": "12,50", "ingangsdatum": "2026-01-01"}]})
    assert bad.status_code == 422
    assert "tarieven[1]: tarief_cent" in bad.json()["message"]
    assert client.put(URL, json={"tarieven": [ENTRY, ENTRY]}).status_code == 422  # overlapping validity
    assert client.put(URL, content=b"{", headers={"Content-Type": "application/json"}).status_code == 422
    assert client.put(URL, content=b"x", headers={"Content-Type": "text/plain"}).status_code == 415
    assert client.get(URL).json()["tarieven"] == [ENTRY]
