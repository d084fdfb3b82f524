"""TR341, TR321, TR322, TR369 (Prestaties against the Omvang or Budget of their toewijzing) and TR357."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from gateway.rules import ToegewezenProduct
from gateway.rules.history_volume import minutes_per_unit, periods_touched
from tests.rules.cases import clean, recompute_total
from tests.rules.support import set_text
from tests.rules.test_history import FakeHistory, P, _jw317_te_wijzigen, _rules

# In the clean JW323: RN001 on toewijzing 10072 delivers 4 uur (04) in April 2026; toewijzing 10073
# gets RN002 (16 uur, April) and RN005 (14 uur, March).


def _history(nummer: str, **change: object) -> FakeHistory:
    history = FakeHistory()
    history.toewijzingen[nummer] = replace(history.toewijzingen[nummer], **change)  # type: ignore[arg-type]
    return history


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"eenheid": "14"}, {("TR341", "9341")}),  # etmaal toegewezen, uren gedeclareerd
        ({"eenheid": "04"}, set()),
        ({"eenheid": None}, set()),  # aspecifiek: the contract decides, not the toewijzing
    ],
)
def test_tr341_eenheid_must_fit_the_toewijzing(change: dict[str, object], expected: set[tuple[str, str]]) -> None:
    assert _rules(clean("JW323"), _history("10072", **change)) == expected


def test_tr341_minutes_on_a_toewijzing_in_hours_are_allowed() -> None:
    root = clean("JW323")
    set_text(root, P + "/Eenheid", "01")
    set_text(root, P + "/GeleverdVolume", "240")
    set_text(root, P + "/ProductTarief", "20")
    set_text(root, P + "/IngediendBedrag/Bedrag", "4800")
    recompute_total(root)
    omvang = {"eenheid": "04", "volume": 4, "frequentie": "4"}
    assert _rules(root, _history("10072", **omvang)) == set()
    assert _rules(root, _history("10072", **{**omvang, "volume": 3})) == {("TR321", "9321")}


@pytest.mark.parametrize(
    ("omvang", "expected"),
    [
        ({"volume": 3, "frequentie": "4"}, {("TR321", "9321")}),  # 3 per maand, 4 gedeclareerd in April
        ({"volume": 4, "frequentie": "4"}, set()),
        ({"volume": 1, "frequentie": "1"}, set()),  # 1 per dag: 30 in April
        ({"volume": 1, "frequentie": "2"}, set()),  # 1 per week: April 2026 touches 5 weeks
        # 3 in total, 4 in one Prestatie: too much for the Prestatie and for the sum
        ({"volume": 3, "frequentie": "6"}, {("TR321", "9321"), ("TR322", "9322")}),
    ],
)
def test_tr321_one_prestatie_within_the_omvang(omvang: dict[str, object], expected: set[tuple[str, str]]) -> None:
    assert _rules(clean("JW323"), _history("10072", eenheid="04", **omvang)) == expected


@pytest.mark.parametrize(("volume", "expected"), [(29, {("TR322", "9322")}), (30, set())])
def test_tr322_sum_of_prestaties_within_the_total_omvang(volume: int, expected: set[tuple[str, str]]) -> None:
    history = _history("10073", eenheid="04", frequentie="6", volume=volume, einddatum=date(2026, 4, 30))
    assert _rules(clean("JW323"), history) == expected


def test_tr322_not_for_an_open_ended_toewijzing_per_maand() -> None:
    assert _rules(clean("JW323"), _history("10073", eenheid="04", frequentie="4", volume=16)) == set()


@pytest.mark.parametrize(("budget", "expected"), [(29, {("TR369", "9369")}), (30, set())])
def test_tr369_sum_of_volumes_within_the_budget(budget: int, expected: set[tuple[str, str]]) -> None:
    assert _rules(clean("JW323"), _history("10073", budget=budget)) == expected


def test_units_and_periods() -> None:
    assert minutes_per_unit("04", "01") == 60
    assert minutes_per_unit("01", "04") is None
    assert minutes_per_unit("14", "14") == 1
    april = (date(2026, 4, 1), date(2026, 4, 30))
    assert periods_touched("1", *april) == 30
    assert periods_touched("2", *april) == 5
    assert periods_touched("2", date(2026, 4, 6), date(2026, 4, 12)) == 1  # Monday to Sunday
    assert periods_touched("4", date(2026, 1, 15), date(2026, 3, 1)) == 3
    assert periods_touched("6", *april) == 1
    assert periods_touched("4", date(2026, 4, 2), date(2026, 4, 1)) is None


@pytest.mark.parametrize(
    ("gewenst", "ingang", "expected"),
    [
        ("2026-01-01", date(2026, 1, 1), set()),  # on/before the Dagtekening (2026-01-02): the toewijzing's own start
        ("2026-01-02", date(2026, 1, 1), {("TR357", "9357")}),
        ("2025-12-01", date(2026, 1, 1), {("TR357", "9357")}),
        ("2026-02-01", date(2026, 1, 1), set()),  # after the Dagtekening: TR357 does not apply
    ],
)
def test_tr357_retroactive_change_starts_at_the_toewijzing(
    gewenst: str, ingang: date, expected: set[tuple[str, str]]
) -> None:
    root = _jw317_te_wijzigen(with_omvang=True)
    set_text(root, "//TeWijzigenProduct/GewensteIngangsdatum", gewenst)
    history = FakeHistory()
    history.toewijzingen["10080"] = ToegewezenProduct("10080", "client", ingang, None, "45", "45A03")
    assert _rules(root, history) == expected


@pytest.mark.parametrize(
    ("einde", "expected"),
    [
        (date(2026, 10, 31), set()),  # the unchanged toewijzing (45A03) ends before the new 45A03 starts
        (date(2026, 11, 1), {("TR361", "9361")}),
        (None, {("TR361", "9361")}),
    ],
)
def test_tr361_new_product_overlapping_an_unchanged_toewijzing(
    einde: date | None, expected: set[tuple[str, str]]
) -> None:
    history = FakeHistory()
    history.toewijzingen["10071"] = replace(history.toewijzingen["10071"], productcode="45A03", einddatum=einde)
    assert _rules(clean("JW317"), history) == expected


def test_tr361_changed_toewijzing_takes_its_new_einddatum() -> None:
    root = _jw317_te_wijzigen(with_omvang=True)  # TeWijzigenProduct 10080 until 2026-10-31
    history = FakeHistory()
    history.toewijzingen["10080"] = ToegewezenProduct("10080", "client", date(2026, 1, 1), None, "45", "45A03")
    assert _rules(root, history) == set()
    set_text(root, "//TeWijzigenProduct/Einddatum", "2026-12-31")
    assert _rules(root, history) == {("TR361", "9361")}  # now overlaps the NieuwProduct 45A03 from 2026-11-01


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({}, set()),  # the same toewijzing sent again (a wijziging): same client, same product
        ({"client": "another"}, {("TR332", "9332")}),
        ({"productcode": "55A13"}, {("TR332", "9332")}),
    ],
)
def test_tr332_a_known_toewijzingnummer_names_the_same_product(
    change: dict[str, object], expected: set[tuple[str, str]]
) -> None:
    history = _history("300201", **change)
    assert _rules(clean("JW301"), history) == expected
    assert history.parties == [("0384", "42420001")]  # gemeente = Afzender, aanbieder = Ontvanger of a JW301


def test_tr332_unknown_numbers_are_new_toewijzingen() -> None:
    history = FakeHistory(toewijzingen={})
    assert _rules(clean("JW301"), history) == set()
