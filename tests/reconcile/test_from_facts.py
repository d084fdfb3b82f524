"""Trajecten from stored facts: dates from start/stop/Prestatie, declared at the first Prestatie, JW301 residence."""

from __future__ import annotations

from datetime import UTC, date, datetime

from gateway.facts import Fact, FactKind
from gateway.reconcile.from_facts import trajecten_from_facts

AT = datetime(2018, 8, 10, 9, tzinfo=UTC)


def fact(kind: FactKind, begin: date, end: date | None = None, **extra: object) -> Fact:
    base: dict[str, object] = {
        "client": "p-1", "aanbieder": "11111111", "gemeente": "0034", "productcategorie": "45",
        "productcode": "45A03", "cbs_hulpvorm": "02", "begindatum": begin, "einddatum": end,
    }  # fmt: skip
    base.update(extra)
    return Fact(kind=kind, **base)  # type: ignore[arg-type]


def test_start_stop_prestatie_and_residence() -> None:
    facts = [
        fact(FactKind.TOEWIJZING, date(2018, 6, 1), date(2019, 5, 31), woongemeente="0363", declared_at=AT),
        fact(FactKind.START, date(2018, 6, 15)),
        fact(FactKind.PRESTATIE, date(2018, 7, 1), date(2018, 7, 31), declared_at=datetime(2018, 8, 20, tzinfo=UTC)),
        fact(FactKind.PRESTATIE, date(2018, 6, 15), date(2018, 6, 30), declared_at=AT),
        fact(FactKind.STOP, date(2018, 6, 15), date(2018, 9, 30)),
    ]
    (t,) = trajecten_from_facts(facts)
    assert (t.begindatum, t.einddatum, t.gedeclareerd_op) == (date(2018, 6, 15), date(2018, 9, 30), date(2018, 8, 10))
    assert (t.woongemeente, t.gemeente, t.financiering, t.client) == ("0363", "0034", "natura", "p-1")


def test_started_without_stop_is_ongoing_and_undeclared_stays_empty() -> None:
    (t,) = trajecten_from_facts([fact(FactKind.START, date(2018, 6, 15))])
    assert (t.einddatum, t.gedeclareerd_op, t.woongemeente) == (None, None, "")


def test_outputgericht_care_ends_with_its_last_prestatie_and_pgb_is_kept() -> None:
    facts = [
        fact(FactKind.PRESTATIE, date(2018, 1, 1), date(2018, 1, 31), declared_at=AT),
        fact(FactKind.PRESTATIE, date(2018, 2, 1), date(2018, 2, 28), declared_at=AT, financiering="pgb"),
    ]
    (t,) = trajecten_from_facts(facts)
    assert (t.begindatum, t.einddatum, t.financiering) == (date(2018, 1, 1), date(2018, 2, 28), "pgb")


def test_one_traject_per_gemeente_aanbieder_client_and_code() -> None:
    facts = [
        fact(FactKind.START, date(2018, 1, 1)),
        fact(FactKind.START, date(2018, 1, 1), productcode="45A04"),
        fact(FactKind.START, date(2018, 1, 1), aanbieder="22222222"),
        fact(FactKind.START, date(2018, 1, 1), client="p-2"),
        fact(FactKind.START, date(2018, 1, 1), gemeente="0363"),
        fact(FactKind.START, date(2018, 3, 1)),
        fact(FactKind.TOEWIJZING, date(2018, 1, 1), productcode=None, woongemeente="0034"),
    ]
    found = trajecten_from_facts(facts)
    assert len(found) == 5
    first = next(
        t for t in found if (t.client, t.productcode, t.aanbieder, t.gemeente) == ("p-1", "45A03", "11111111", "0034")
    )
    assert first.begindatum == date(2018, 1, 1) and first.woongemeente == "0034"
