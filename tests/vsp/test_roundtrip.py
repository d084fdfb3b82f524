"""Push a clean and a rule-breaking JW323 over the VSP Push API, pull both JW325s back, confirm each."""

from __future__ import annotations

import uuid

import httpx
from fastapi import FastAPI
from lxml import etree

from gateway.intake import submit
from gateway.model import MessageStatus
from gateway.store import Store
from tests.api.support import serving
from tests.support.receiver import Receiver
from tests.vsp.support import PULL, STATUS_V2, STATUS_V3, Declaraties, Parties, auth, drain, metadata, push, wrong_total


def _retourcodes(jw325: bytes) -> set[str]:
    root = etree.fromstring(jw325)
    return {e.text or "" for e in root.iter() if etree.QName(e).localname == "RetourCode"}


def test_a_clean_and_a_broken_declaratie_come_back_as_two_jw325s_linked_to_their_traceer_ids(
    app: FastAPI, store: Store, stream: Declaraties, tokens: Parties, receiver: Receiver
) -> None:
    """Two pushes → 204; after validation two JW325s wait, alsAntwoordOp = each traceerId; DELETE removes each."""
    for doc in stream.before:
        submit(store, doc, sender=None, source="api")
    drain(store, receiver.url)
    clean, broken = stream.jw323[0], wrong_total(stream.jw323[1])
    heen = [metadata(stream.aanbieder, stream.gemeente) for _ in range(2)]
    with serving(app) as url, httpx.Client(base_url=url) as client:
        for meta, doc in zip(heen, (clean, broken), strict=True):
            assert push(client, tokens.a, meta, doc).status_code == 204
        assert push(client, tokens.a, heen[0], clean).status_code == 204  # same traceerId again: one message
        assert client.get(f"{PULL}/berichten", headers=auth(tokens.a)).json() == []  # nothing validated yet
        drain(store, receiver.url)
        listed = client.get(f"{PULL}/berichten", headers=auth(tokens.a)).json()
        traceer = [m["referentiegegevens"]["traceerId"] for m in heen]
        assert [m["referentiegegevens"]["alsAntwoordOp"] for m in listed] == traceer
        assert all(m["routeringgegevens"]["berichtstroom"]["berichttype"] == "JW325" for m in listed)
        codes = []
        for item in listed:
            r = client.get(item["basisgegevens"]["payload"]["url"], headers=auth(tokens.a))
            assert r.status_code == 200 and len(r.content) == item["basisgegevens"]["payload"]["grootte"]
            codes.append(_retourcodes(r.content))
        assert codes[0] <= {"0200", "8001"} and codes[1] - codes[0]  # clean: geen opmerking; broken: its retourcodes
        statuses = client.get(STATUS_V3, params={"traceerId": traceer[1]}, headers=auth(tokens.a)).json()
        by_id = {s["referentiegegevens"]["traceerId"]: s for s in statuses}
        assert by_id[traceer[1]]["berichtstatus"] == "AfgekeurdDoorDienst" and by_id[traceer[1]]["meldingen"]
        assert client.get(STATUS_V3, params={"traceerId": traceer[0]}, headers=auth(tokens.a)).json()[0][
            "berichtstatus"
        ] in ("VerwerkingVoltooid", "WordtAangeboden", "Bezorgd")
        retour_ids = [m["referentiegegevens"]["traceerId"] for m in listed]
        assert client.delete(f"{PULL}/berichten/{retour_ids[0]}", headers=auth(tokens.a)).status_code == 202
        left = client.get(f"{PULL}/berichten", headers=auth(tokens.a)).json()
        assert [m["referentiegegevens"]["traceerId"] for m in left] == retour_ids[1:]
        assert client.delete(f"{PULL}/berichten/{retour_ids[0]}", headers=auth(tokens.a)).status_code == 404
        assert client.delete(f"{PULL}/berichten/{retour_ids[1]}", headers=auth(tokens.a)).status_code == 202
        assert client.get(f"{PULL}/berichten", headers=auth(tokens.a)).json() == []
        assert client.get(f"{PULL}/berichten/{retour_ids[1]}/payload", headers=auth(tokens.a)).status_code == 404
        v2 = client.get(STATUS_V2, params={"traceerId": retour_ids[1]}, headers=auth(tokens.a)).json()
        assert [s["berichtstatus"] for s in v2 if s["referentiegegevens"]["traceerId"] == retour_ids[1]] == ["Bezorgd"]
    pushed = [m for m in store.list_messages(limit=100)[0] if m.source == "vsp"]
    assert sorted(str(m.status) for m in pushed) == sorted([str(MessageStatus.DELIVERED), str(MessageStatus.REJECTED)])
    assert store.verify_audit().ok


def test_the_gemeente_pulls_the_accepted_heenbericht_addressed_to_it(
    app: FastAPI, store: Store, stream: Declaraties, tokens: Parties, receiver: Receiver
) -> None:
    """A heenbericht pushed to a geadresseerde is offered to it once accepted, as pushed, and never to others."""
    for doc in stream.before:
        submit(store, doc, sender=None, source="api")
    drain(store, receiver.url)
    meta = metadata(stream.aanbieder, stream.gemeente, conversatie=str(uuid.uuid4()))
    with serving(app) as url, httpx.Client(base_url=url) as client:
        assert push(client, tokens.a, meta, stream.jw323[0]).status_code == 204
        drain(store, receiver.url)
        listed = client.get(f"{PULL}/berichten", headers=auth(tokens.gemeente)).json()
        assert [m["referentiegegevens"]["traceerId"] for m in listed] == [meta["referentiegegevens"]["traceerId"]]
        body = client.get(listed[0]["basisgegevens"]["payload"]["url"], headers=auth(tokens.gemeente)).content
        assert body == stream.jw323[0]
        assert client.get(f"{PULL}/berichten", headers=auth(tokens.b)).json() == []
