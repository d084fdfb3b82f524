"""The puller against a loopback VSP-Koppeling: retours taken in once, linked to their heenbericht, confirmed after."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from gateway.intake import submit
from gateway.store import Store
from gateway.store.vsp import PULLED, VspStore
from gateway.vsp.berichtstroom import traceer_id
from gateway.vsp.puller import PullClient, PullConfig, PullReport, PullUnavailableError, pull_once
from tests.support.receiver import Receiver
from tests.support.vsp_server import VspServer
from tests.vsp.support import Declaraties, drain
from workers.vsp_pull import Pacing, Puller


@pytest.fixture
def vsp() -> Iterator[VspServer]:
    """The loopback VSP-Koppeling."""
    with VspServer(timeout_s=2.0) as server:
        yield server


def _client(vsp: VspServer) -> PullClient:
    return PullClient(PullConfig(vsp.pull_url, read_timeout_s=1.0))


def _heen_and_retour(store: Store, stream: Declaraties, receiver: Receiver) -> tuple[str, bytes]:
    """A JW323 of ours that went out, and a JW325 for it (Ketenpoort's own, standing in for the gemeente's)."""
    for doc in stream.before:
        submit(store, doc, sender=None, source="api")
    heen = submit(store, stream.jw323[0], sender=None, source="api")
    drain(store, receiver.url)
    view = store.get_message(heen.message_id)
    assert view is not None and view.retour is not None
    return heen.message_id, view.retour


def test_a_retour_is_taken_in_once_linked_to_its_heenbericht_and_confirmed(
    store: Store, vsp: VspServer, stream: Declaraties, receiver: Receiver
) -> None:
    """One round takes the JW325 in (alsAntwoordOp → our message), then DELETEs it; the next finds nothing."""
    heen, jw325 = _heen_and_retour(store, stream, receiver)
    traceer = vsp.offer(jw325, als_antwoord_op=traceer_id(heen))
    client = _client(vsp)
    try:
        first = pull_once(client, store)
        second = pull_once(client, store)
    finally:
        client.close()
    assert (first.listed, first.taken_in, second.listed) == (1, 1, 0)
    assert vsp.confirmed == [traceer] and all(valid for *_, valid in vsp.pull_requests)
    vsp_store = VspStore(store)
    (pulled,) = vsp_store.pulled_for(heen)
    view = store.get_message(pulled)
    assert view is not None and view.source == "vsp-pull" and view.message_type == "JW325"
    assert vsp_store.traceer_ids(PULLED) == [traceer]
    assert store.verify_audit().ok


def test_a_failed_confirmation_takes_nothing_in_twice(
    store: Store, vsp: VspServer, stream: Declaraties, receiver: Receiver
) -> None:
    """DELETE fails after the intake committed: the next round sees the traceerId taken in, and only confirms it."""
    heen, jw325 = _heen_and_retour(store, stream, receiver)
    traceer = vsp.offer(jw325, als_antwoord_op=traceer_id(heen))
    vsp.answer_pull("ok", "ok", "500")  # list, payload, then the DELETE fails
    client = _client(vsp)
    try:
        with pytest.raises(PullUnavailableError):
            pull_once(client, store)
        assert vsp.confirmed == []
        again = pull_once(client, store)
    finally:
        client.close()
    assert (again.taken_in, again.seen_before) == (0, 1) and vsp.confirmed == [traceer]
    assert len(VspStore(store).pulled_for(heen)) == 1


def test_the_loop_backs_off_while_the_api_fails_and_honours_retry_after(store: Store, vsp: VspServer) -> None:
    """429 waits its Retry-After (1 s); repeated 500s and a timeout double the wait; a good round waits the interval."""
    vsp.answer_pull("429", "500", "timeout", "500")
    rounds: list[tuple[str, float]] = []

    def seen(outcome: PullReport | PullUnavailableError, wait: float) -> None:
        rounds.append(("ok" if isinstance(outcome, PullReport) else "fail", wait))

    client = _client(vsp)
    try:
        Puller(client, store, Pacing(interval_s=0.2, backoff_cap_s=0.5), on_round=seen).run(rounds=5)
    finally:
        client.close()
    assert [kind for kind, _ in rounds] == ["fail", "fail", "fail", "fail", "ok"]
    waits = [wait for _, wait in rounds]
    assert waits[0] >= 1.0  # Retry-After
    assert waits[1:4] == [pytest.approx(0.04), pytest.approx(0.08), pytest.approx(0.16)]
    assert waits[4] == pytest.approx(0.2)
