"""ReferentieAanbieder rules (TR347 TR355 TR359 TR360 TR365 TR374 TR379) through the real pipeline and store.

Each case is a sequence of JW315/JW317/JW319/JW301 messages submitted one at a time and run through the
validate and map stages on both backends; the last message's verdict is asserted (rule id and
retourcode in its findings and its retour), and a passing twin of each sequence is accepted.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import date

import pytest

from gateway.generate import ijw_traffic
from gateway.generate.cases import Case, make_case
from gateway.generate.messages import jw301, jw315, jw317, jw319
from gateway.intake import submit
from gateway.mapping import coverage_of_facts
from gateway.model import MessageStatus
from gateway.store import Store
from tests.rules.pipeline_support import run_pipeline as _run
from tests.rules.pipeline_support import verdict as _verdict

DAG = date(2025, 6, 20)


def _case(seed: int, toewijzingnummer: int) -> Case:
    case = make_case(random.Random(seed), toewijzingnummer=toewijzingnummer, referentie=f"VOT-{seed}",
                     gemeente=("0363", "Amsterdam"))  # fmt: skip
    return replace(case, ingang=date(2025, 7, 1), einde=date(2026, 6, 30))


class Stream:
    """Builds the verzoek/antwoord messages of one client with unique identifications."""

    def __init__(self, seed: int = 11, first: int = 1) -> None:
        self.case = _case(seed, 600100 + seed)
        self.seed = seed
        self.n = first

    def _ident(self) -> str:
        self.n += 1
        return f"R20-{self.n:04d}"

    def vot(self, referentie: str | None = None) -> bytes:
        """A JW315 (verzoek om toewijzing) with the case's ReferentieAanbieder, or ``referentie``."""
        case = self.case if referentie is None else replace(self.case, referentie=referentie)
        return jw315(case, ident=self._ident(), dag=DAG)

    def toewijzing(self, honoreert: bool = True, referentie: str | None = None, nummer: int | None = None) -> bytes:
        """A JW301; ``honoreert`` fills the case's (or ``referentie``'s) ReferentieAanbieder."""
        case = self.case if referentie is None else replace(self.case, referentie=referentie)
        if nummer is not None:
            case = replace(case, toewijzingnummer=nummer)
        return jw301(case, ident=self._ident(), dag=DAG, honoreert=honoreert)

    def vow(self, referentie: str) -> bytes:
        """A JW317 (verzoek om wijziging) with ReferentieAanbieder ``referentie``."""
        return jw317(self.case, ident=self._ident(), dag=DAG, referentie=referentie, wijziging=date(2025, 9, 1),
                     nieuw=None)  # fmt: skip

    def antwoord(self, referentie: str, antwoord: str) -> bytes:
        """A JW319: ``antwoord`` 1 afgewezen (reden 1) or 2 in onderzoek."""
        reden = "1" if antwoord == "1" else None
        return jw319(self.case, ident=self._ident(), dag=DAG, referentie=referentie, antwoord=antwoord, reden=reden)


Sequence_ = Callable[[Stream], list[bytes]]

# rule, retourcode, the sequence that breaks the rule, its passing twin
CASES: list[tuple[str, str, Sequence_, Sequence_]] = [
    (
        "TR347",
        "9347",
        lambda s: [s.vot(), s.toewijzing(), s.vow(s.case.referentie)],
        lambda s: [s.vot(), s.toewijzing(), s.vow("VOW-1")],
    ),
    (
        "TR374",
        "9374",
        lambda s: [s.toewijzing(honoreert=False), s.vow("VOW-1"), s.vow("VOW-2")],
        lambda s: [s.toewijzing(honoreert=False), s.vow("VOW-1"), s.antwoord("VOW-1", "1"), s.vow("VOW-2")],
    ),
    (
        "TR355",
        "9355",
        lambda s: [s.toewijzing(honoreert=False), s.vow("VOW-1"), s.antwoord("VOW-9", "1")],
        lambda s: [s.toewijzing(honoreert=False), s.vow("VOW-1"), s.antwoord("VOW-1", "1")],
    ),
    (
        "TR359",
        "9359",
        lambda s: [s.vot(), s.toewijzing(), s.antwoord(s.case.referentie, "1")],
        lambda s: [s.vot(), s.antwoord(s.case.referentie, "1")],
    ),
    (
        "TR360",
        "9360",
        lambda s: [s.toewijzing(honoreert=False), s.vow("VOW-1"), s.antwoord("VOW-1", "2"), s.antwoord("VOW-1", "2")],
        lambda s: [s.toewijzing(honoreert=False), s.vow("VOW-1"), s.antwoord("VOW-1", "2"), s.antwoord("VOW-1", "1")],
    ),
    (
        "TR365",
        "9365",
        lambda s: [s.toewijzing(honoreert=False), s.vow("VOW-1"), s.antwoord("VOW-1", "1"), s.antwoord("VOW-1", "1")],
        lambda s: [s.toewijzing(honoreert=False), s.vow("VOW-1"), s.antwoord("VOW-1", "2"), s.antwoord("VOW-1", "1")],
    ),
    (
        "TR379",
        "9379",
        lambda s: [s.toewijzing(referentie="NIET-GEVRAAGD")],
        lambda s: [s.vot(), s.toewijzing()],
    ),
]


@pytest.mark.parametrize(("rule", "code", "failing", "passing"), CASES, ids=[c[0] for c in CASES])
def test_referentie_rule_rejects_its_sequence_and_accepts_the_twin(
    store: Store, rule: str, code: str, failing: Sequence_, passing: Sequence_
) -> None:
    """The failing sequence's last message is rejected with exactly this rule and retourcode; its twin passes."""
    status, findings, retour = _verdict(store, failing(Stream()))
    assert status is MessageStatus.REJECTED
    assert (rule, code) in findings, findings
    assert f">{code}<".encode() in retour
    status, findings, _ = _verdict(store, passing(Stream(seed=12, first=500)))
    assert status is not MessageStatus.REJECTED, findings
    assert findings == []


def test_a_changed_toewijzing_may_repeat_its_referentie(store: Store) -> None:
    """TR379 asks for the verzoek's referentie only the first time: a resent ToewijzingNummer may repeat it."""
    s = Stream()
    status, findings, _ = _verdict(store, [s.vot(), s.toewijzing(), s.toewijzing()])
    assert status is not MessageStatus.REJECTED and findings == [], findings


def test_a_verzoek_in_onderzoek_stays_onderhanden(store: Store) -> None:
    """TR374: an antwoord "in onderzoek" does not close the verzoek; a toewijzing with its referentie does."""
    s = Stream()
    status, findings, _ = _verdict(store, [s.vot(), s.antwoord(s.case.referentie, "2"), s.vow("VOW-1")])
    assert status is MessageStatus.REJECTED and ("TR374", "9374") in findings, findings
    status, findings, _ = _verdict(store, [s.toewijzing(), s.vow("VOW-2")])
    assert status is not MessageStatus.REJECTED and findings == [], findings


def test_referentie_uniek_over_gemeenten(store: Store) -> None:
    """TR347 holds per aanbieder over all gemeenten: the same referentie to another gemeente is refused."""
    s = Stream()
    other = Stream(seed=11, first=300)
    other.case = replace(other.case, gemeente="0599")
    status, findings, _ = _verdict(store, [s.vot(), other.vot(s.case.referentie)])
    assert status is MessageStatus.REJECTED and ("TR347", "9347") in findings, findings


REFERENTIE_RULES = {"TR347", "TR355", "TR359", "TR360", "TR365", "TR374", "TR379"}


def test_generated_traffic_passes_the_referentie_rules_through_the_store(store: Store) -> None:
    """The traffic generator's valid stream, kept by the real store, breaks none of the referentie rules."""
    ids: dict[str, str] = {}
    for message in ijw_traffic(400, seed=33, invalid_ratio=0.0):
        ids[submit(store, message.data, sender=None).message_id] = message.message_type
    _run(store)
    seen: dict[str, int] = {}
    for mid, message_type in ids.items():
        view = store.get_message(mid)
        assert view is not None
        broken = [(f.rule, f.message) for f in view.findings if f.rule in REFERENTIE_RULES]
        assert broken == [], (message_type, broken)
        seen[message_type] = seen.get(message_type, 0) + 1
    assert {"JW301", "JW315", "JW317", "JW319"} <= set(seen)
    kinds = Counter(str(f.kind) for f in store.facts())
    assert kinds["verzoek"] > 0 and kinds["antwoord"] > 0  # the facts these rules read were kept


def test_verzoek_facts_are_not_counted_by_mapping_coverage(store: Store) -> None:
    """Mapping coverage counts product facts only: a JW315's verzoek fact is kept but not seen as a fact."""
    s = Stream()
    _verdict(store, [s.vot(), s.toewijzing()])
    kept = store.facts()
    assert sorted(str(f.kind) for f in kept) == ["toewijzing", "verzoek"]
    _, seen, _ = coverage_of_facts(kept)
    assert seen == 1
