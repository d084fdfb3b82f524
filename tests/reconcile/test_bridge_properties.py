"""Property tests: on any trajecten the causes add up exactly to the difference, and agree with a plain reference."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.reconcile import STEPS, TOTAAL, Traject, from_records, parse_periodes, reconcile
from tests.reconcile.naive import naive_bridge

CODES = ("45A03", "45A74", "45A75", "43A01", "44A13", "42A01", "47A01", "48B12", "50A01", "40A01", "99X99")
PERIODEN = parse_periodes("2018KW3,2018HJ2,2018JJ,2019KW1")
PEIL = date(2019, 2, 15)
DAY0 = date(2017, 10, 1)


@st.composite
def trajecten(draw: st.DrawFn) -> Traject:
    begin = DAY0 + timedelta(days=draw(st.integers(0, 600)))
    end = draw(st.one_of(st.none(), st.integers(0, 300).map(lambda d: begin + timedelta(days=d))))
    declared = draw(st.one_of(st.none(), st.integers(-30, 500).map(lambda d: begin + timedelta(days=d))))
    return Traject(
        client=f"c{draw(st.integers(0, 25))}",
        aanbieder=draw(st.sampled_from(("11111111", "22222222", "33333333"))),
        productcode=draw(st.sampled_from(CODES)),
        begindatum=begin,
        einddatum=end,
        gedeclareerd_op=declared,
        financiering=draw(st.sampled_from(("natura", "natura", "pgb"))),
        woongemeente=draw(st.sampled_from(("0034", "GM0034", "34", "", "0363"))),
        gemeente=draw(st.sampled_from(("0034", "GM0034", "0363"))),
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(trajecten(), max_size=60), st.dictionaries(st.sampled_from(("totaal", "02", "14")), st.integers(0, 40)))
def test_steps_add_up_and_agree_with_the_reference(records: list[Traject], published: dict[str, int]) -> None:
    cbs = {(p.code, h): n for p in PERIODEN for h, n in published.items()}
    result = reconcile(from_records(records), gemeente="GM0034", perioden=PERIODEN, peildatum=PEIL, cbs=cbs)
    rows = [r.to_dict() for r in result.rows]
    assert rows == naive_bridge(records, "0034", PERIODEN, PEIL, cbs)
    for row in rows:
        assert sum(row[s] for s in STEPS[:-1]) == row["verwacht_cbs"]
        if row["cbs_gepubliceerd"] is None:
            assert row["onverklaard"] is None
        else:
            assert row["verwacht_cbs"] + row["onverklaard"] == row["cbs_gepubliceerd"]
        if row["hulpvorm"] != TOTAAL:
            assert row["zonder_cbs_codering"] == 0
    for detail in result.details:
        total = next(r for r in result.rows if r.periode == detail.periode.code and r.hulpvorm == TOTAAL)
        assert sum(u.trajecten for u in detail.uncoded) <= -total.zonder_cbs_codering
        assert sum(detail.datahuis_groepen.values()) == total.datahuis_trajecten


@settings(max_examples=60, deadline=None)
@given(st.lists(trajecten(), min_size=1, max_size=40))
def test_categories_partition_the_coded_trajecten(records: list[Traject]) -> None:
    result = reconcile(from_records(records), gemeente="0034", perioden=PERIODEN, peildatum=PEIL)
    for p in PERIODEN:
        rows = [r for r in result.rows if r.periode == p.code]
        total, cats = rows[0], rows[1:]
        assert total.hulpvorm == TOTAAL
        for step in ("niet_woonachtig", "nagekomen"):  # only coded trajecten reach these steps
            assert sum(getattr(c, step) for c in cats) == getattr(total, step)
        natura_coded = sum(c.datahuis_trajecten + c.pgb for c in cats)
        assert natura_coded == total.datahuis_trajecten + total.pgb + total.zonder_cbs_codering
        assert sum(c.datahuis_trajecten for c in cats) <= total.datahuis_trajecten
        assert sum(c.verwacht_cbs for c in cats) >= total.verwacht_cbs  # a client in two hulpvormen counts in both
