"""TR349 and TR373 (a verzoek om wijziging against the client's toewijzingen) through the real pipeline and store.

Each case is a sequence of JW301s and a JW317 submitted one at a time and run through the validate and
map stages on both backends; the JW317's verdict is asserted (rule id and retourcode in its findings and
its retour), and a passing twin of each sequence is accepted.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import replace
from datetime import date

import pytest
from lxml import etree

from gateway.generate.cases import PRODUCTS, Case, make_case
from gateway.generate.messages import jw301, jw317
from gateway.model import MessageStatus
from gateway.rules.context import ToegewezenProduct
from gateway.rules.history_verzoek import _changes_budget_or_total, actueel
from gateway.store import Store
from tests.rules.pipeline_support import assert_rejected_and_twin_passes
from tests.rules.pipeline_support import verdict as _verdict

INGANG, EINDE = date(2025, 7, 1), date(2026, 6, 30)
DAG = date(2025, 6, 25)
"""The JW317's Dagtekening: before the toewijzingen start, so every requested date lies after it."""


class Client:
    """One client with two toewijzingen (other products) from one gemeente to one aanbieder."""

    def __init__(self, seed: int) -> None:
        case = make_case(random.Random(seed), toewijzingnummer=800100 + seed, referentie=f"VOW-{seed}",
                         gemeente=("0363", "Amsterdam"))  # fmt: skip
        self.eerste = replace(case, product=PRODUCTS[0], ingang=INGANG, einde=EINDE)
        self.tweede = replace(self.eerste, toewijzingnummer=900100 + seed, product=PRODUCTS[1])
        self.seed, self.n = seed, 0

    def _ident(self) -> str:
        self.n += 1
        return f"V{self.seed}-{self.n:04d}"

    def toewijzing(self, case: Case, ingang: date | None = None, einde: date | None = None) -> bytes:
        case = replace(case, ingang=ingang or case.ingang, einde=einde or case.einde)
        return jw301(case, ident=self._ident(), dag=date(2025, 6, 20))

    def verzoek(self, wijziging: date = date(2025, 9, 1), *, ongewijzigd: Case | None = None,
                frequentie: str | None = None) -> bytes:  # fmt: skip
        """A JW317 changing the first toewijzing from ``wijziging`` on; ``ongewijzigd`` keeps another as it is,
        ``frequentie`` replaces the requested Omvang's Frequentie."""
        referentie = f"VOW-{self.seed}-{self.n}"
        data = jw317(self.eerste, ident=self._ident(), dag=DAG, referentie=referentie, wijziging=wijziging, nieuw=None)
        if ongewijzigd is not None:
            block = (
                "<jw317:OngewijzigdeProducten><jw317:OngewijzigdProduct><jw317:ToewijzingNummer>"
                f"{ongewijzigd.toewijzingnummer}</jw317:ToewijzingNummer></jw317:OngewijzigdProduct>"
                "</jw317:OngewijzigdeProducten><jw317:TeWijzigenProducten>"
            )
            data = data.replace(b"<jw317:TeWijzigenProducten>", block.encode())
        if frequentie is not None:
            old = f"<ijw:Frequentie>{self.eerste.product.frequentie}</ijw:Frequentie>".encode()
            assert data.count(old) == 1
            data = data.replace(old, f"<ijw:Frequentie>{frequentie}</ijw:Frequentie>".encode())
        return data


Sequence_ = Callable[[Client], list[bytes]]

# rule, retourcode, the sequence that breaks the rule, its passing twin
CASES: list[tuple[str, str, Sequence_, Sequence_]] = [
    (
        "TR349",
        "9349",
        lambda c: [c.toewijzing(c.eerste), c.toewijzing(c.tweede), c.verzoek()],
        lambda c: [c.toewijzing(c.eerste), c.toewijzing(c.tweede), c.verzoek(ongewijzigd=c.tweede)],
    ),
    (
        "TR373",
        "9373",
        lambda c: [c.toewijzing(c.eerste), c.verzoek(frequentie="6")],
        lambda c: [c.toewijzing(c.eerste), c.verzoek(INGANG, frequentie="6")],
    ),
]


@pytest.mark.parametrize(("rule", "code", "failing", "passing"), CASES, ids=[c[0] for c in CASES])
def test_verzoek_rule_rejects_its_sequence_and_accepts_the_twin(
    store: Store, rule: str, code: str, failing: Sequence_, passing: Sequence_
) -> None:
    """The failing sequence's JW317 is rejected with this rule and retourcode; its twin passes."""
    assert_rejected_and_twin_passes(store, rule, code, failing(Client(1)), passing(Client(2)))


def test_a_toewijzing_ended_before_the_verzoek_need_not_be_named(store: Store) -> None:
    """TR349 asks for the actuele toewijzingen only: one that ended before the Dagtekening is left out."""
    c = Client(3)
    status, findings, _ = _verdict(
        store, [c.toewijzing(c.eerste), c.toewijzing(c.tweede, date(2025, 1, 1), date(2025, 6, 1)), c.verzoek()]
    )
    assert ("TR349", "9349") not in findings, findings
    assert status is not MessageStatus.REJECTED, findings


def test_a_change_per_week_may_start_later(store: Store) -> None:
    """TR373 holds for a Budget or a total only: more hours per week from a later date is no such change."""
    c = Client(4)
    status, findings, _ = _verdict(store, [c.toewijzing(c.eerste), c.verzoek()])
    assert status is not MessageStatus.REJECTED and findings == [], findings


@pytest.mark.parametrize(
    ("einde", "reden", "expected"),
    [
        (None, None, True),
        (date(2025, 6, 30), None, False),  # ended before the day it is judged on
        (date(2025, 7, 1), None, True),
        (date(2025, 7, 1), "01", False),  # vervallen: Einddatum on its Ingangsdatum
        (date(2026, 6, 30), "01", True),  # an administrative correction that keeps it running
        (date(2025, 7, 1), "13", False),  # verwijderd
    ],
)
def test_what_counts_as_actueel(einde: date | None, reden: str | None, expected: bool) -> None:
    product = ToegewezenProduct("1", "client", date(2025, 7, 1), einde, "45", "45A03", reden_wijziging=reden)
    assert actueel(product, date(2025, 7, 1)) is expected


def _te_wijzigen(budget: str | None, omvang: tuple[str, str, str] | None) -> etree._Element:
    parts = f"<Budget>{budget}</Budget>" if budget is not None else ""
    if omvang is not None:
        parts = "<Omvang><Volume>{}</Volume><Eenheid>{}</Eenheid><Frequentie>{}</Frequentie></Omvang>".format(*omvang)
    return etree.fromstring(f"<TeWijzigenProduct><ToewijzingNummer>1</ToewijzingNummer>{parts}</TeWijzigenProduct>")


_BUDGET = ToegewezenProduct("1", "client", INGANG, EINDE, budget=50000)
_TOTAAL = ToegewezenProduct("1", "client", INGANG, EINDE, "45", "45A03", "04", 80, "6")
_PER_WEEK = ToegewezenProduct("1", "client", INGANG, EINDE, "45", "45A03", "04", 3, "2")
_UNKNOWN = ToegewezenProduct("1", "client", INGANG, EINDE, "45", "45A03", "04", 3)  # as the store has it


@pytest.mark.parametrize(
    ("budget", "omvang", "product", "expected"),
    [
        ("60000", None, _BUDGET, True),
        ("50000", None, _BUDGET, False),  # the same budget: only the Einddatum changes
        ("50000", None, _UNKNOWN, True),  # the store keeps no Budget: a stated one counts as asked for
        (None, ("100", "04", "6"), _TOTAAL, True),
        (None, ("80", "04", "6"), _TOTAAL, False),
        (None, ("3", "04", "2"), _TOTAAL, True),  # a total turned into hours per week
        (None, ("5", "04", "2"), _PER_WEEK, False),  # more hours per week: may start later
        (None, ("80", "04", "6"), _UNKNOWN, True),  # a total while the current Frequentie is unknown
        (None, ("5", "04", "2"), _UNKNOWN, False),
    ],
)
def test_what_counts_as_a_budget_or_total_change(
    budget: str | None, omvang: tuple[str, str, str] | None, product: ToegewezenProduct, expected: bool
) -> None:
    assert _changes_budget_or_total(_te_wijzigen(budget, omvang), product) is expected
