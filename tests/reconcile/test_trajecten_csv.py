"""Reading the --trajecten CSV: numpy fast path and csv-module path agree, odd files handled, no BSN survives."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.generate.ijw import elfproef_bsn
from gateway.pseudonym import Pseudonymiser
from gateway.reconcile import Traject, from_records, parse_periodes, read_csv, reconcile
from gateway.reconcile.trajecten import HEADER, TrajectenError, _read_csv, write_csv

PSEUDO = Pseudonymiser(b"s" * 32)
PERIODEN = parse_periodes("2018HJ2,2018JJ")
LINES = [
    "c1,11111111,45A03,2018-07-01,,2018-08-10,natura,0034,0034",
    "c1,11111111,45A04,2018-01-01,2018-09-30,2018-10-15,natura,0034,GM0034",
    "c2,22222222,42A01,2018-03-01,2018-12-31,,natura,0363,0034",
    "c3,22222222,43A01,2017-01-01,2017-12-31,2018-01-10,pgb,0034,0034",
]


def _same(a: object, b: object) -> None:
    for field in ("client", "aanbieder", "productcode", "begin", "end", "declared", "pgb", "woongemeente", "gemeente"):
        x, y = getattr(a, field), getattr(b, field)
        assert len(x) == len(y), field
    ra = reconcile(a, gemeente="0034", perioden=PERIODEN, peildatum=date(2019, 3, 1))  # type: ignore[arg-type]
    rb = reconcile(b, gemeente="0034", perioden=PERIODEN, peildatum=date(2019, 3, 1))  # type: ignore[arg-type]
    assert ra.rows == rb.rows


@pytest.mark.parametrize(
    ("prefix", "newline", "trailer"),
    [(b"", b"\n", b""), (b"\xef\xbb\xbf", b"\r\n", b"\r\n"), (b"", b"\n", b"\n\n"), (b"", b"\n", b"")],
)
def test_line_endings_bom_and_blank_lines(tmp_path: Path, prefix: bytes, newline: bytes, trailer: bytes) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(prefix + newline.join(x.encode() for x in (",".join(HEADER), *LINES)) + trailer)
    fast = read_csv(path)
    slow = _read_csv(path, None)
    assert len(fast) == 4 and fast.clients == 3
    assert fast.end[0] != fast.end[0]  # NaT: ongoing
    assert sorted(fast.gemeenten) == ["0034", "0363"]
    _same(fast, slow)


def test_columns_in_another_order(tmp_path: Path) -> None:
    order = list(reversed(HEADER))
    rows = [dict(zip(HEADER, line.split(","), strict=True)) for line in LINES]
    path = tmp_path / "r.csv"
    path.write_text("\n".join([",".join(order)] + [",".join(r[h] for h in order) for r in rows]) + "\n")
    straight = tmp_path / "s.csv"
    straight.write_text("\n".join([",".join(HEADER), *LINES]) + "\n")
    _same(read_csv(path), read_csv(straight))


def test_quoted_fields_go_through_the_csv_module(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text(",".join(HEADER) + "\n" + '"c,1",11111111,45A03,2018-07-01,,2018-08-10,natura,0034,0034\n')
    found = read_csv(path)
    assert len(found) == 1 and found.clients == 1


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("c1,1,45A03,2018-07-01,,2018-08-10,natura,0034", "fields"),
        ("c1,1,45A03,2018-02-30,,2018-08-10,natura,0034,0034", "begindatum"),
        ("c1,1,45A03,1-7-2018,,2018-08-10,natura,0034,0034", "begindatum"),
        ("c1,1,45A03,2018-07-01,,2018-08-10,zelf,0034,0034", "financiering"),
    ],
)
def test_bad_files_are_refused_with_a_reason(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(",".join(HEADER) + "\n" + line + "\n")
    with pytest.raises(TrajectenError, match=message):
        read_csv(path)


def test_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text("client,aanbieder\nc1,1\n")
    with pytest.raises(TrajectenError, match="missing columns"):
        read_csv(path)


def test_bsn_clients_are_pseudonymised_and_never_kept(tmp_path: Path) -> None:
    import random

    bsn = elfproef_bsn(random.Random(4))
    path = tmp_path / "b.csv"
    lines = [LINES[0].replace("c1,", f"{bsn},", 1), LINES[1].replace("c1,", f"{PSEUDO(bsn)},", 1)]
    path.write_text("\n".join([",".join(HEADER), *lines]) + "\n")
    with pytest.raises(TrajectenError, match="BSN") as refused:
        read_csv(path)
    assert bsn not in str(refused.value)
    found = read_csv(path, pseudonymiser=PSEUDO)
    assert found.clients == 1  # the BSN and its pseudonym are one client
    assert np.array_equal(found.client, [0, 0])


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.text(alphabet="abcdefghij0123456789-", min_size=1, max_size=24).map(lambda s: "c" + s),  # never a BSN
            st.sampled_from(("1", "22222222", "333")),
            st.sampled_from(("45A03", "45a04", "42A01", "43A01", "ZZ")),
            st.dates(date(2017, 1, 1), date(2019, 12, 31)),
            st.one_of(st.none(), st.dates(date(2017, 1, 1), date(2019, 12, 31))),
            st.one_of(st.none(), st.dates(date(2017, 1, 1), date(2019, 12, 31))),
            st.sampled_from(("natura", "pgb")),
            st.sampled_from(("0034", "34", "GM0034", "0363", "")),
            st.sampled_from(("0034", "0363", "GM34")),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_fast_path_equals_records(tmp_path_factory: pytest.TempPathFactory, rows: list[tuple]) -> None:  # type: ignore[type-arg]
    records = [Traject(*r) for r in rows]
    path = tmp_path_factory.mktemp("h") / "t.csv"
    write_csv(records, path)
    _same(read_csv(path), from_records(records))
