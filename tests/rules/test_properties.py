"""Property tests: generated valid declaraties raise no rule; one injected fault raises exactly its rule."""

from __future__ import annotations

import calendar
import copy
from dataclasses import dataclass
from datetime import date
from functools import cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from gateway.mapping import all_codes, category_of, product_in_category
from tests.rules.cases import clean, recompute_total
from tests.rules.support import check, find, set_text

_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2)


@cache
def _products() -> tuple[tuple[str, str], ...]:
    on = date(2025, 1, 1)
    pairs = ((code, category_of(code) or "") for code in all_codes())
    return tuple((code, cat) for code, cat in pairs if cat and product_in_category(code, cat, on))


def _bsn(first8: str) -> str | None:
    total = sum(int(d) * w for d, w in zip(first8, _WEIGHTS, strict=True))
    check_digit = total % 11
    return None if check_digit == 10 or total == check_digit else first8 + str(check_digit)


@dataclass(frozen=True)
class Line:
    """One generated Prestatie."""

    product: tuple[str, str]
    month: int
    volume: int
    tarief: int


bsns = st.text("0123456789", min_size=8, max_size=8).map(_bsn).filter(lambda b: b is not None)
lines = st.builds(
    Line,
    st.sampled_from(_products()),
    st.integers(0, 14),  # months Jan 2025 .. Mar 2026: before the April 2026 DeclaratiePeriode
    st.integers(1, 200),
    st.integers(1, 20000),
)
clients = st.lists(st.tuples(bsns, st.lists(lines, min_size=1, max_size=4)), min_size=1, max_size=4)


def _month(index: int) -> tuple[date, date]:
    year, month = 2025 + index // 12, index % 12 + 1
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def build(generated: list[tuple[str | None, list[Line]]]) -> etree._Element:
    """A JW323 with the generated clients and Prestaties, unique references and a consistent total."""
    root = clean("JW323")
    clienten = find(root, "Declaratie/Clienten")
    template_client = copy.deepcopy(find(clienten, "Client"))
    template = copy.deepcopy(find(template_client, "Prestaties/Prestatie"))
    for old in list(clienten):
        clienten.remove(old)
    n = 0
    for bsn, client_lines in generated:
        client = copy.deepcopy(template_client)
        set_text(client, "Bsn", bsn or "")
        prestaties = find(client, "Prestaties")
        for old in list(prestaties):
            prestaties.remove(old)
        for line in client_lines:
            n += 1
            p = copy.deepcopy(template)
            begin, end = _month(line.month)
            for path, value in (
                ("ProductReferentie/ReferentieNummer", f"RN{n}"),
                ("ToewijzingNummer", str(20000 + n)),
                ("ProductCode", line.product[0]),
                ("ProductCategorie", line.product[1]),
                ("ProductPeriode/Begindatum", begin.isoformat()),
                ("ProductPeriode/Einddatum", end.isoformat()),
                ("GeleverdVolume", str(line.volume)),
                ("ProductTarief", str(line.tarief)),
                ("IngediendBedrag/Bedrag", str(line.volume * line.tarief)),
            ):
                set_text(p, path, value)
            prestaties.append(p)
        clienten.append(client)
    recompute_total(root)
    return root


_SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(clients)
def test_generated_valid_declaraties_raise_no_rule(generated: list[tuple[str | None, list[Line]]]) -> None:
    assert check(build(generated)) == []


def _fault_bsn(root: etree._Element) -> None:
    bsn = find(root, "//Client/Bsn").text or ""
    set_text(root, "//Client/Bsn", bsn[:8] + str((int(bsn[8]) + 1) % 10))


def _fault_total(root: etree._Element) -> None:
    el = find(root, "Declaratie/TotaalIngediendBedrag/TotaalBedrag")
    el.text = str(int(el.text or 0) + 1)


def _fault_amount(root: etree._Element) -> None:
    el = find(root, "//Prestatie/IngediendBedrag/Bedrag")
    el.text = str(int(el.text or 0) + 1)
    recompute_total(root)


def _fault_period(root: etree._Element) -> None:
    begin = date.fromisoformat(find(root, "//Prestatie/ProductPeriode/Begindatum").text or "")
    set_text(
        root,
        "//Prestatie/ProductPeriode/Einddatum",
        (date(begin.year + begin.month // 12, begin.month % 12 + 1, 1)).isoformat(),
    )


def _fault_reference(root: etree._Element) -> None:
    set_text(root, "//Prestatie/ProductReferentie/ReferentieNummer", "RN1", -1)


def _fault_category(root: etree._Element) -> None:
    category = find(root, "//Prestatie/ProductCategorie").text
    set_text(root, "//Prestatie/ProductCategorie", "40" if category != "40" else "41")


FAULTS = {
    "CS002": _fault_bsn,
    "TR358": _fault_total,
    "TR346": _fault_amount,
    "CS337": _fault_period,
    "TR314": _fault_reference,
    "TR381": _fault_category,
}


@_SETTINGS
@given(clients, st.sampled_from(sorted(FAULTS)))
def test_one_injected_fault_raises_exactly_its_rule(generated: list[tuple[str | None, list[Line]]], rule: str) -> None:
    root = build(generated)
    if rule == "TR314" and len(list(root.iter("{*}Prestatie"))) < 2:
        rule = "TR358"
    FAULTS[rule](root)
    assert {f.rule for f in check(root)} == {rule}
