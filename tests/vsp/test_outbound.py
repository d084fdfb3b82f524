"""The outbound ``vsp`` channel against a loopback VSP-Koppeling that validates every push against Push 1.0.2."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from gateway.intake import submit
from gateway.model import MessageStatus
from gateway.relay import Deliverer, RetryPolicy, Routes
from gateway.relay.policy import Outcome
from gateway.store.memory import MemoryStore
from gateway.vsp.berichtstroom import traceer_id
from tests.support.stuf_builders import build_di01
from tests.support.vsp_server import VspServer
from tests.vsp.support import Declaraties, header_field


@pytest.fixture
def vsp() -> Iterator[VspServer]:
    """The loopback VSP-Koppeling (a timeout answer stalls 3 s, the deliverer waits 1 s)."""
    with VspServer(timeout_s=3.0) as server:
        yield server


def _deliverer(vsp: VspServer, *, attempts: int = 1, cap_s: float = 0.05) -> Deliverer:
    routes = Routes({}, default={"url": vsp.push_url, "channel": "vsp", "options": {"actie": "Indienen"}})
    policy = RetryPolicy(base_s=0.01, cap_s=cap_s, max_attempts=attempts, max_age_s=3600.0)
    return Deliverer(routes, policy, read_timeout_s=1.0, breaker_failures=1000)


def test_a_push_follows_the_document_and_204_is_delivered(vsp: VspServer, stream: Declaraties) -> None:
    """The request validates against Push 1.0.2; metadata comes from the header; retries keep the traceerId."""
    doc = stream.jw323[0]
    with _deliverer(vsp) as d:
        first = d.deliver("01MSGID", "0034", doc, 1)
        again = d.deliver("01MSGID", "0034", doc, 2)
    assert (first.outcome, again.outcome, first.channel) == (Outcome.DELIVERED, Outcome.DELIVERED, "vsp")
    assert [p.valid for p in vsp.pushes] == [True, True], vsp.pushes[0].errors
    meta = vsp.pushes[0].metadata
    assert meta is not None and vsp.pushes[0].payload == doc
    routing = meta["routeringgegevens"]
    assert routing["afzender"] == {"rol": "Zorgaanbieder", "code": header_field(doc, "Afzender")}
    assert routing["geadresseerden"] == [{"rol": "Gemeente", "code": header_field(doc, "Ontvanger")}]
    assert routing["berichtstroom"] == {"berichttype": "JW323", "berichtversie": 3, "berichtsubversie": 2,
                                        "actie": "Indienen"}  # fmt: skip
    assert meta["referentiegegevens"]["traceerId"] == traceer_id("01MSGID")
    assert vsp.pushes[1].metadata == meta


@pytest.mark.parametrize(
    ("kind", "outcome"),
    [("400", Outcome.PERMANENT), ("422", Outcome.PERMANENT), ("429", Outcome.RETRY), ("500", Outcome.RETRY),
     ("timeout", Outcome.RETRY), ("503", Outcome.RETRY), ("401", Outcome.RETRY)],
)  # fmt: skip
def test_each_answer_is_judged_as_the_document_says(
    vsp: VspServer, stream: Declaraties, kind: str, outcome: Outcome
) -> None:
    """400/422 permanent with the problem details; 429 after its Retry-After; other answers and timeouts retried."""
    vsp.answer_push(kind)
    with _deliverer(vsp, cap_s=30.0) as d:
        result = d.deliver("01MSG", "0034", stream.jw323[0], 1)
    assert result.outcome is outcome
    if outcome is Outcome.PERMANENT:
        assert result.error is not None and f"VSP {kind}" in result.error and "scripted" in result.error
    if kind == "429":
        assert result.retry_delay_s is not None and result.retry_delay_s >= 1.0


def test_a_stuf_message_is_never_pushed_to_vsp(vsp: VspServer) -> None:
    """The VSP-Koppeling carries iJw; a StUF document is a permanent failure and nothing is sent."""
    doc = build_di01("meldingGeneriekDi01", zender_oin="00000001111111110000", ontvanger_oin="00000002222222220000",
                     referentienummer="R-1")  # fmt: skip
    with _deliverer(vsp) as d:
        result = d.deliver("01STUF", "0034", doc, 1)
    assert result.outcome is Outcome.PERMANENT and "iJw" in (result.error or "")
    assert vsp.pushes == []


def test_the_relay_stage_delivers_over_vsp_and_a_422_goes_to_the_dlq_with_its_problem(
    memory_store: MemoryStore, vsp: VspServer, stream: Declaraties
) -> None:
    """Through the real pipeline: the first message DELIVERED, the second (422) DEAD with the problem text."""
    from tests.vsp.support import drain_with

    for doc in stream.before:
        submit(memory_store, doc, sender=None, source="api")
    with _deliverer(vsp, attempts=3) as d:
        drain_with(memory_store, d)
        vsp.pushes.clear()
        ok = submit(memory_store, stream.jw323[0], sender=None, source="api")
        drain_with(memory_store, d)
        vsp.answer_push("422")
        refused = submit(memory_store, stream.jw323[1], sender=None, source="api")
        drain_with(memory_store, d)
    assert all(p.valid for p in vsp.pushes)
    ok_view, refused_view = memory_store.get_message(ok.message_id), memory_store.get_message(refused.message_id)
    assert ok_view is not None and ok_view.status is MessageStatus.DELIVERED
    assert refused_view is not None and refused_view.status is MessageStatus.DEAD
    assert any("VSP 422" in (d.error or "") for d in memory_store.deliveries(refused.message_id))
    assert [m.id for m in memory_store.dead_letters()] == [refused.message_id]
