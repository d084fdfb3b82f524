"""MessageHistory from the store: identifications, declaration numbers, toewijzingen and earlier Prestaties."""

from __future__ import annotations

from datetime import date

from gateway.facts import Fact, FactKind
from gateway.model import MessageStatus, Stage
from gateway.ports import MessageHistory
from gateway.pseudonym import Pseudonymiser
from gateway.rules.context import PrestatieSleutel
from gateway.store import Store
from tests.store.helpers import record
from tests.support.databases import TEST_PSEUDONYM_KEY

JAN, FEB = date(2026, 1, 1), date(2026, 1, 31)


def _accept(store: Store, facts: list[Fact], **kw: object) -> str:
    mid = store.intake(record(**kw)).message_id  # type: ignore[arg-type]
    job = store.claim([Stage.VALIDATE], "w", 30)
    assert job is not None and job.message_id == mid
    store.finish_validate(job, MessageStatus.ACCEPTED, [], None)
    job = store.claim([Stage.MAP], "w", 30)
    assert job is not None
    store.finish_map(job, facts)
    return mid


def _toewijzing(nummer: str, client: str, code: str) -> Fact:
    return Fact(kind=FactKind.TOEWIJZING, client=client, aanbieder="A1", gemeente="0034", productcategorie="45",
                productcode=code, cbs_hulpvorm=None, begindatum=JAN, einddatum=None, volume=5, eenheid="04",
                toewijzingnummer=nummer)  # fmt: skip


def _prestatie(ref: str, bedrag: int) -> Fact:
    return Fact(kind=FactKind.PRESTATIE, client="p-x", aanbieder="A1", gemeente="0034", productcategorie="45",
                productcode="45A01", cbs_hulpvorm=None, begindatum=JAN, einddatum=FEB, bedrag_cent=bedrag,
                toewijzingnummer="T1", referentienummer=ref)  # fmt: skip


def test_history_is_a_message_history(store: Store) -> None:
    assert isinstance(store.history(), MessageHistory)
    assert store.history().client_key("999999990") == Pseudonymiser(TEST_PSEUDONYM_KEY)("999999990")


def test_seen_identificatie_excludes_itself_and_rejected(store: Store) -> None:
    mid = store.intake(record("ID-1", sender="0034")).message_id
    history = store.history()
    assert history.seen_identificatie("0034", "ID-1", None, message_type="JW301")
    assert not history.seen_identificatie("0034", "ID-1", mid)
    assert not history.seen_identificatie("0034", "ID-1", None, message_type="JW315")
    assert not history.seen_identificatie("0363", "ID-1", None)
    job = store.claim([Stage.VALIDATE], "w", 30)
    assert job is not None
    store.finish_validate(job, MessageStatus.REJECTED, [], None)
    assert not history.seen_identificatie("0034", "ID-1", None)


def test_seen_declaratienummer_from_the_jw323_header(store: Store) -> None:
    body = b"<jw323:Bericht><jw323:Declaratie><jw323:DeclaratieNummer>DN-77</jw323:DeclaratieNummer>"
    mid = store.intake(record("ID-9", sender="A1", payload=body, message_type="JW323")).message_id
    history = store.history()
    assert history.seen_declaratienummer("A1", "DN-77", None)
    assert not history.seen_declaratienummer("A1", "DN-77", mid)
    assert not history.seen_declaratienummer("A2", "DN-77", None)


def test_toegewezen_producten_latest_jw301_wins(store: Store) -> None:
    _accept(store, [_toewijzing("T1", "p-old", "45A01"), _toewijzing("T2", "p-2", "45A02")], external_id="J1")
    _accept(store, [_toewijzing("T1", "p-new", "45A09")], external_id="J2")
    found = store.history().toegewezen_producten("0034", "A1", {"T1", "T2", "T3"})
    assert set(found) == {"T1", "T2"}
    assert (found["T1"].client, found["T1"].productcode, found["T1"].ingangsdatum) == ("p-new", "45A09", JAN)
    assert store.history().toegewezen_producten("0363", "A1", {"T1"}) == {}


def test_earlier_prestaties_and_open_debets(store: Store) -> None:
    first = _accept(store, [_prestatie("R1", 1000)], external_id="P1")
    key = PrestatieSleutel("T1", "45", "45A01", JAN, FEB)
    history = store.history()
    earlier = history.eerdere_prestaties("A1", {"R1", "R9"}, None)
    assert set(earlier) == {"R1"} and earlier["R1"].debet_credit == "D" and not earlier["R1"].gecrediteerd
    assert history.eerdere_prestaties("A1", {"R1"}, first) == {}
    assert set(history.open_debetten("A1", [key], None)) == {key}
    _accept(store, [_prestatie("R2", -1000)], external_id="P2")  # credited
    assert history.eerdere_prestaties("A1", {"R1"}, None)["R1"].gecrediteerd
    assert set(history.open_debetten("A1", [key], None)) == set()
