"""TR318 (DeclaratiePeriode against the last one) and TR385 (no removal of a declared toewijzing) through the store.

Each case is a sequence of JW301s and JW323s submitted one at a time and run through the validate and
map stages on both backends; the last message's verdict is asserted (rule id and retourcode in its
findings and its retour), and a passing twin of each sequence is accepted. TR318 counts the declaraties
received on or before a declaratie's Dagtekening, so its messages are dated today.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta

import pytest

from gateway.generate.cases import PRODUCTS, Case, make_case, month_end, next_month
from gateway.generate.messages import jw301, jw323
from gateway.model import MessageStatus
from gateway.store import Store
from tests.rules.pipeline_support import assert_rejected_and_twin_passes
from tests.rules.pipeline_support import verdict as _verdict

TODAY = date.today()
VORIGE = (TODAY.replace(day=1) - timedelta(days=1)).replace(day=1)
"""The month before this one: declarable today (its DeclaratiePeriode ends before the Dagtekening)."""
DAARVOOR = (VORIGE - timedelta(days=1)).replace(day=1)
INGANG = (DAARVOOR - timedelta(days=100)).replace(day=1)


class Aanbieder:
    """The toewijzingen and declaraties of one aanbieder to one gemeente, with unique identifications."""

    def __init__(self, seed: int) -> None:
        self.seed, self.n = seed, 0
        self.aanbieder = f"{87000000 + seed}"

    def case(self, i: int = 0) -> Case:
        rng = random.Random(self.seed * 100 + i)
        case = make_case(rng, toewijzingnummer=700000 + self.seed * 100 + i, referentie=f"R{self.seed}-{i}",
                         gemeente=("0363", "Amsterdam"), aanbieder=self.aanbieder)  # fmt: skip
        return replace(case, product=PRODUCTS[0], ingang=INGANG, einde=INGANG + timedelta(days=700))

    def _ident(self) -> str:
        self.n += 1
        return f"G{self.seed}x{self.n:04d}"

    def toewijzing(self, case: Case) -> bytes:
        return jw301(case, ident=self._ident(), dag=INGANG - timedelta(days=5))

    def verwijdering(self, case: Case) -> bytes:
        """The toewijzing resent as removed: Einddatum on its Ingangsdatum, RedenWijziging 13."""
        data = jw301(replace(case, einde=case.ingang), ident=self._ident(), dag=TODAY)
        end = f"<jw301:Einddatum>{case.ingang}</jw301:Einddatum>".encode()
        assert data.count(end) == 1
        return data.replace(end, end + b"<jw301:RedenWijziging>13</jw301:RedenWijziging>")

    def declaratie(self, month: date, *cases: Case, dag: date = TODAY) -> bytes:
        ident = self._ident()
        return jw323(list(cases), ident=ident, month=month, dag=dag, nummer=f"N{ident}", rng=random.Random(self.n),
                     reference=f"P{ident}")  # fmt: skip

    def credit(self, debet: bytes) -> bytes:
        """A declaratie that credits every Prestatie of ``debet`` (same product and ProductPeriode)."""
        ident = self._ident()
        data = re.sub(
            rb"<ijw:ReferentieNummer>([^<]+)</ijw:ReferentieNummer>",
            rb"<ijw:ReferentieNummer>C\1</ijw:ReferentieNummer><ijw:VorigReferentieNummer>\1</ijw:VorigReferentieNummer>",
            debet,
        )
        data = re.sub(rb"<jw323:DeclaratieNummer>[^<]+<", f"<jw323:DeclaratieNummer>N{ident}<".encode(), data)
        data = re.sub(rb"(BerichtIdentificatie><ijw:Identificatie>)[^<]+<", rb"\g<1>" + ident.encode() + b"<", data)
        return data.replace(b"<ijw:DebetCredit>D<", b"<ijw:DebetCredit>C<")


Sequence_ = Callable[[Aanbieder], list[bytes]]


def _declared_then_removed(a: Aanbieder) -> list[bytes]:
    case = a.case()
    return [a.toewijzing(case), a.declaratie(VORIGE, case), a.verwijdering(case)]


def _declared_credited_then_removed(a: Aanbieder) -> list[bytes]:
    case = a.case()
    debet = a.declaratie(VORIGE, case)
    return [a.toewijzing(case), debet, a.credit(debet), a.verwijdering(case)]


def _earlier_month_after_later(a: Aanbieder) -> list[bytes]:
    case = a.case()
    return [a.toewijzing(case), a.declaratie(VORIGE, case), a.declaratie(DAARVOOR, case)]


def _months_in_order(a: Aanbieder) -> list[bytes]:
    case = a.case()
    return [a.toewijzing(case), a.declaratie(DAARVOOR, case), a.declaratie(VORIGE, case)]


# rule, retourcode, the sequence that breaks the rule, its passing twin
CASES: list[tuple[str, str, Sequence_, Sequence_]] = [
    ("TR318", "8214", _earlier_month_after_later, _months_in_order),
    ("TR385", "9385", _declared_then_removed, _declared_credited_then_removed),
]


@pytest.mark.parametrize(("rule", "code", "failing", "passing"), CASES, ids=[c[0] for c in CASES])
def test_declaratie_rule_rejects_its_sequence_and_accepts_the_twin(
    store: Store, rule: str, code: str, failing: Sequence_, passing: Sequence_
) -> None:
    """The failing sequence's last message is rejected with this rule and retourcode; its twin passes."""
    assert_rejected_and_twin_passes(store, rule, code, failing(Aanbieder(1)), passing(Aanbieder(2)))


def test_a_second_declaratie_for_the_last_month_passes(store: Store) -> None:
    """IV090: Prestaties found later may go in a second declaratie with the last DeclaratiePeriode."""
    a = Aanbieder(3)
    first, second = a.case(0), a.case(1)
    messages = [a.toewijzing(first), a.toewijzing(second), a.declaratie(VORIGE, first), a.declaratie(VORIGE, second)]
    status, findings, _ = _verdict(store, messages)
    assert status is not MessageStatus.REJECTED and findings == [], findings


def test_a_declaratie_dated_before_the_later_one_arrived_passes(store: Store) -> None:
    """A declaratie dated before the later month's one reached the gateway (a late delivery) is not refused."""
    a = Aanbieder(4)
    case = a.case()
    late = a.declaratie(DAARVOOR, case, dag=next_month(DAARVOOR) + timedelta(days=3))
    assert month_end(DAARVOOR) < next_month(DAARVOOR) + timedelta(days=3) < TODAY
    status, findings, _ = _verdict(store, [a.toewijzing(case), a.declaratie(VORIGE, case), late])
    assert status is not MessageStatus.REJECTED and findings == [], findings


def test_other_aanbieders_and_gemeenten_do_not_count(store: Store) -> None:
    """The last DeclaratiePeriode is that of this aanbieder to this gemeente."""
    a, b = Aanbieder(5), Aanbieder(6)
    case_a, case_b = a.case(), b.case()
    other = replace(a.case(1), gemeente="0599", toewijzingnummer=799999)
    messages = [a.toewijzing(case_a), b.toewijzing(case_b), a.toewijzing(other), a.declaratie(VORIGE, other),
                b.declaratie(VORIGE, case_b), a.declaratie(DAARVOOR, case_a)]  # fmt: skip
    status, findings, _ = _verdict(store, messages)
    assert status is not MessageStatus.REJECTED and findings == [], findings


def test_removal_without_declaraties_passes(store: Store) -> None:
    """TR385: a toewijzing nobody declared on may be removed with RedenWijziging 13."""
    a = Aanbieder(7)
    case = a.case()
    status, findings, _ = _verdict(store, [a.toewijzing(case), a.verwijdering(case)])
    assert status is not MessageStatus.REJECTED and findings == [], findings
