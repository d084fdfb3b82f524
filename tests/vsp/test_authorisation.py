"""Authorisation over VSP: a party sees and confirms only what is addressed to it; a push names its own afzender."""

from __future__ import annotations

import uuid

from fastapi import FastAPI
from fastapi.testclient import TestClient

from gateway.store import Store
from gateway.store.memory import MemoryStore
from tests.support.receiver import Receiver
from tests.vsp.conftest import OTHER_AANBIEDER
from tests.vsp.support import PULL, STATUS_V3, Declaraties, Parties, auth, drain, metadata, push, wrong_total


def test_b_never_lists_reads_confirms_or_sees_the_status_of_as_retour(
    app: FastAPI, store: Store, stream: Declaraties, tokens: Parties, receiver: Receiver
) -> None:
    """A's retour is listed for A only; B gets 404 on its payload and its DELETE, and an empty status list."""
    client = TestClient(app)
    meta = metadata(stream.aanbieder, stream.gemeente)
    assert push(client, tokens.a, meta, wrong_total(stream.jw323[0])).status_code == 204
    drain(store, receiver.url)
    listed = client.get(f"{PULL}/berichten", headers=auth(tokens.a)).json()
    assert len(listed) == 1
    retour = listed[0]["referentiegegevens"]["traceerId"]
    heen = meta["referentiegegevens"]["traceerId"]
    for other in (tokens.b, tokens.operator):
        assert client.get(f"{PULL}/berichten", headers=auth(other)).json() == []
        zoek = {"zoekpadType": "ZoekpadOpAlsAntwoordOp", "alsAntwoordOp": heen}
        assert client.post(f"{PULL}/berichten/zoeken", json=zoek, headers=auth(other)).json() == []
        assert client.get(f"{PULL}/berichten/{retour}/payload", headers=auth(other)).status_code == 404
        assert client.delete(f"{PULL}/berichten/{retour}", headers=auth(other)).status_code == 404
        for key in (heen, retour):
            assert client.get(STATUS_V3, params={"traceerId": key}, headers=auth(other)).json() == []
        conversatie = meta["referentiegegevens"]["conversatieId"]
        assert client.get(STATUS_V3, params={"conversatieId": conversatie}, headers=auth(other)).json() == []
    assert client.get(f"{PULL}/berichten", headers=auth(tokens.a)).json() == listed  # B's DELETE changed nothing
    zoek = {"zoekpadType": "ZoekpadOpAlsAntwoordOp", "alsAntwoordOp": heen}
    assert client.post(f"{PULL}/berichten/zoeken", json=zoek, headers=auth(tokens.a)).json() == listed
    assert client.get(f"{PULL}/berichten/{retour}/payload", headers=auth(tokens.a)).status_code == 200
    assert {s["referentiegegevens"]["traceerId"] for s in client.get(
        STATUS_V3, params={"traceerId": heen}, headers=auth(tokens.a)).json()} == {heen, retour}  # fmt: skip


def test_a_push_as_someone_elses_afzender_is_refused_and_nothing_is_stored(
    memory_app: FastAPI, memory_store: MemoryStore, stream: Declaraties, tokens: Parties
) -> None:
    """B pushing A's declaratie (as A, or as itself with A's Afzender in the XML) gets 422; the store stays empty."""
    client = TestClient(memory_app)
    as_a = push(client, tokens.b, metadata(stream.aanbieder, stream.gemeente), stream.jw323[0])
    as_b = push(client, tokens.b, metadata(OTHER_AANBIEDER, stream.gemeente), stream.jw323[0])
    gemeente = push(client, tokens.gemeente, metadata(stream.gemeente, stream.gemeente), stream.jw323[0])
    for refused in (as_a, as_b, gemeente):
        assert refused.status_code == 422
        assert refused.json()["status"] == 422 and refused.json()["errors"]
    assert client.post(
        "/vsp/berichtenservice/berichten/rest-push/v1/berichten", files={"payload": ("x", b"<a/>")}
    ).status_code == 401  # fmt: skip
    assert memory_store.list_messages(limit=10)[0] == []


def test_a_traceer_id_taken_by_a_is_refused_to_b(app: FastAPI, stream: Declaraties, tokens: Parties) -> None:
    """B cannot push under a traceerId A used (it would attach to A's message); A's repeat is the same message."""
    client = TestClient(app)
    traceer = str(uuid.uuid4())
    assert (
        push(
            client, tokens.a, metadata(stream.aanbieder, stream.gemeente, traceer=traceer), stream.jw323[0]
        ).status_code
        == 204
    )
    assert (
        push(
            client, tokens.a, metadata(stream.aanbieder, stream.gemeente, traceer=traceer), stream.jw323[0]
        ).status_code
        == 204
    )
    b_doc = stream.jw323[1].replace(stream.aanbieder.encode(), OTHER_AANBIEDER.encode())
    r = push(client, tokens.b, metadata(OTHER_AANBIEDER, stream.gemeente, traceer=traceer), b_doc)
    assert r.status_code == 422 and "traceerId" in str(r.json()["errors"])


def test_bad_input_gets_a_clear_answer(memory_app: FastAPI, stream: Declaraties, tokens: Parties) -> None:
    """Metadata against the schema: 400 naming the field; not XML or an unknown document: 422; nothing 5xx."""
    client = TestClient(memory_app)
    meta = metadata(stream.aanbieder, stream.gemeente)
    meta["referentiegegevens"]["traceerId"] = "not-a-uuid"
    r = push(client, tokens.a, meta, stream.jw323[0])
    assert r.status_code == 400 and "berichtMetadata.referentiegegevens.traceerId" in r.json()["errors"]
    extra = metadata(stream.aanbieder, stream.gemeente)
    extra["routeringgegevens"]["berichtstroom"]["berichtversie"] = "3"
    assert push(client, tokens.a, extra, stream.jw323[0]).status_code == 400
    assert push(client, tokens.a, b"{not json", stream.jw323[0]).status_code == 400
    for payload in (b"%PDF-1.4 not xml", b"<unknown xmlns='urn:x'/>", stream.jw323[0][:200]):
        r = push(client, tokens.a, metadata(stream.aanbieder, stream.gemeente), payload)
        assert r.status_code == 422 and r.json()["errors"]["payload"]
    assert client.get(f"{PULL}/berichten", params={"limit": 251}, headers=auth(tokens.a)).status_code == 400
    assert client.post(f"{PULL}/berichten/zoeken", content=b"[]", headers=auth(tokens.a)).status_code == 400
