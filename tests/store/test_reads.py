"""The read side: message views, keyset pages, timelines, dead letters and replay, counts, facts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from gateway.contracts import Verdict
from gateway.facts import Fact, FactKind
from gateway.model import Finding, MessageStatus, Stage
from gateway.store import NotDeadError, Store
from gateway.store.schema import messages
from tests.store.helpers import decision, record


def _to(store: Store, stage: Stage) -> None:
    job = store.claim([stage], "w", 30)
    assert job is not None
    if stage is Stage.VALIDATE:
        store.finish_validate(job, MessageStatus.ACCEPTED, [], None)
    elif stage is Stage.MAP:
        store.finish_map(job, [])


def _dead(store: Store, external_id: str) -> str:
    mid = store.intake(record(external_id)).message_id
    _to(store, Stage.VALIDATE)
    _to(store, Stage.MAP)
    job = store.claim([Stage.RELAY], "w", 30)
    assert job is not None
    store.finish_relay(job, decision(Verdict.DEAD, code=400))
    return mid


def test_get_message_has_verdict_findings_and_retour(store: Store) -> None:
    mid = store.intake(record("ID-1", sender="0034", receiver="12345678")).message_id
    view = store.get_message(mid)
    assert view is not None and view.status is MessageStatus.RECEIVED and view.verdict is None
    job = store.claim([Stage.VALIDATE], "w", 30)
    assert job is not None
    finding = Finding("rule", "fout", rule="TR001", retourcode="9001", line=3)
    store.finish_validate(job, MessageStatus.REJECTED, [finding], b"<retour/>")
    view = store.get_message(mid)
    assert view is not None
    assert (view.status, view.verdict, view.findings, view.retour) == (
        MessageStatus.REJECTED, "rejected", (finding,), b"<retour/>"
    )  # fmt: skip
    assert (view.sender, view.receiver, view.message_type, view.external_id) == ("0034", "12345678", "JW301", "ID-1")
    assert view.received_at <= view.updated_at and view.payload_size > 0
    assert store.get_message("nope") is None
    from gateway.api.views import plain

    shown = plain(view)
    assert shown["verdict"] == "rejected" and shown["findings"][0]["rule"] == "TR001" and "retour" not in shown


def test_keyset_pages_newest_first_without_gaps_or_repeats(store: Store) -> None:
    ids = [store.intake(record(f"ID-{i:02d}")).message_id for i in range(23)]
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        items, cursor = store.list_messages(cursor=cursor, limit=5)
        seen += [m.id for m in items]
        pages += 1
        if cursor is None:
            break
    assert seen == sorted(ids, reverse=True) and pages == 5
    store.intake(record("LATE"))  # a new message does not shift the pages already handed out
    items, _ = store.list_messages(cursor=None, limit=1)
    assert items[0].external_id == "LATE"


def test_list_filters_party_status_since_and_bad_cursor(store: Store) -> None:
    mine = store.intake(record("A", sender="0034", receiver="111")).message_id
    to_me = store.intake(record("B", sender="0363", receiver="0034")).message_id
    store.intake(record("C", sender="0363", receiver="222"))
    items, _ = store.list_messages(parties={"0034"})
    assert {m.id for m in items} == {mine, to_me}
    _to(store, Stage.VALIDATE)
    items, _ = store.list_messages(status=MessageStatus.ACCEPTED)
    assert [m.id for m in items] == [mine]
    assert store.list_messages(since=datetime.now(UTC) + timedelta(minutes=1))[0] == []
    assert len(store.list_messages(since=datetime.now(UTC) - timedelta(minutes=1))[0]) == 3
    assert store.list_messages(cursor="!!not-ours!!") == ([], None)


def test_dead_letters_replay_and_replay_all(store: Store) -> None:
    one, two = _dead(store, "D1"), _dead(store, "D2")
    assert [m.id for m in store.dead_letters()] == [one, two]
    assert store.deliveries(one)[0].status_code == 400
    store.replay(one, actor="operator:ann")
    view = store.get_message(one)
    assert view is not None and view.status is MessageStatus.RELAYING and view.relay_attempts == 0
    job = store.claim([Stage.RELAY], "w", 30)
    assert job is not None and job.message_id == one
    event = store.audit_events(one)[-1]
    assert (event.event, event.actor) == ("message.replayed", "operator:ann")
    with pytest.raises(NotDeadError):
        store.replay(one, actor="x")
    with pytest.raises(KeyError):
        store.replay("nope", actor="x")
    assert store.replay_all(actor="ops") == [two] and store.dead_letters() == []


def test_counts_and_throughput(store: Store) -> None:
    for i in range(3):
        store.intake(record(f"ID-{i}"))
    _to(store, Stage.VALIDATE)
    counts = store.status_counts()
    assert counts["received"] == 2 and counts["accepted"] == 1 and counts["dead"] == 0
    jobs = store.job_counts()
    assert jobs["done"] == 1 and jobs["due"] == 2 + 1 + 1  # two validate, one map, one retention
    series = store.throughput("minute", periods=5)
    assert len(series) == 5 and series[-1][1] == 3 and sum(n for _, n in series) == 3
    old = store.intake(record("OLD")).message_id
    with store.db.engine.begin() as conn:  # received two and a half minutes ago
        conn.execute(
            messages.update()
            .where(messages.c.id == old)
            .values(received_at=datetime.now(UTC) - timedelta(minutes=2, seconds=30))
        )
    series = store.throughput("minute", periods=5)
    assert [n for _, n in series][-3:] == [1, 0, 3] and store.throughput("hour", periods=2)[-1][1] == 4


def test_facts_round_trip_and_filter(store: Store) -> None:
    mid = store.intake(record("ID-1")).message_id
    _to(store, Stage.VALIDATE)
    job = store.claim([Stage.MAP], "w", 30)
    assert job is not None
    made = [
        Fact(kind=FactKind.PRESTATIE, client="p-1", aanbieder="A1", gemeente=g, productcategorie="45",
             productcode="45A01", cbs_hulpvorm="J1", begindatum=date(2026, 1, 1), einddatum=date(2026, 1, 31),
             volume=3, eenheid="14", bedrag_cent=-1250 if g == "0363" else 1250, toewijzingnummer="T1",
             referentienummer=f"R-{g}", declared_at=datetime(2026, 2, 1, 12, tzinfo=UTC))
        for g in ("0034", "0363")
    ]  # fmt: skip
    store.finish_map(job, made)
    assert store.facts() == made and store.facts_of(mid) == made
    assert list(store.iter_facts(gemeente="0363")) == [made[1]]
    assert list(store.iter_facts(since=date(2026, 2, 1))) == []
    assert list(store.iter_facts(kind=FactKind.TOEWIJZING)) == []
    assert list(store.iter_facts(batch=1)) == made
