"""Start and stop rules (TR063 TR071 TR074 TR326 TR382 TR413 TR414 TR415) through the real pipeline and store.

Each case is a sequence of JW301/JW305/JW307 messages submitted one at a time and run through the
validate and map stages on both backends; the last message's verdict is asserted (rule id and
retourcode in its findings and its retour), and a passing twin of each sequence is accepted.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import replace
from datetime import date

import pytest

from gateway.generate.cases import Case, make_case
from gateway.generate.messages import jw301, jw305, jw307
from gateway.model import MessageStatus
from gateway.store import Store
from tests.rules.pipeline_support import verdict as _verdict

DAG = date(2025, 12, 1)
BEGIN = date(2025, 7, 3)


def _case() -> Case:
    case = make_case(random.Random(7), toewijzingnummer=500100, referentie="REF-1", gemeente=("0363", "Amsterdam"))
    return replace(case, ingang=date(2025, 7, 1), einde=date(2026, 6, 30))


class Stream:
    """Builds the messages of one case with unique identifications."""

    def __init__(self) -> None:
        self.case = _case()
        self.n = 0

    def _ident(self) -> str:
        self.n += 1
        return f"H20-{self.n:04d}"

    def toewijzing(self) -> bytes:
        return jw301(self.case, ident=self._ident(), dag=date(2025, 6, 20))

    def start(self, begin: date = BEGIN, status: str = "1") -> bytes:
        return _status(jw305(self.case, ident=self._ident(), dag=DAG, begin=begin), status)

    def stop(self, einde: date, reden: str = "31", begin: date = BEGIN, status: str = "1") -> bytes:
        data = jw307(self.case, ident=self._ident(), dag=DAG, begin=begin, einde=einde, reden=reden)
        return _status(data, status)


def _status(data: bytes, status: str) -> bytes:
    old = b"StatusAanlevering>1<"
    assert data.count(old) == 1
    return data.replace(old, f"StatusAanlevering>{status}<".encode())


Sequence_ = Callable[[Stream], list[bytes]]

# rule, retourcode, the sequence that breaks the rule, its passing twin
CASES: list[tuple[str, str, Sequence_, Sequence_]] = [
    (
        "TR063",
        "9063",
        lambda s: [s.toewijzing(), s.start(status="3")],
        lambda s: [s.toewijzing(), s.start(), s.start(status="3")],
    ),
    (
        "TR071",
        "9071",
        lambda s: [s.toewijzing(), s.start(), s.stop(date(2025, 9, 30)), s.start(status="3")],
        lambda s: [
            s.toewijzing(),
            s.start(),
            s.stop(date(2025, 9, 30)),
            s.stop(date(2025, 9, 30), status="3"),
            s.start(status="3"),
        ],
    ),
    (
        "TR074",
        "9074",
        lambda s: [
            s.toewijzing(),
            s.start(),
            s.stop(date(2025, 9, 30), reden="20"),
            s.stop(date(2025, 9, 30), reden="20"),
        ],
        lambda s: [
            s.toewijzing(),
            s.start(),
            s.stop(date(2025, 9, 30), reden="20"),
            s.stop(date(2025, 10, 31), reden="31"),
        ],
    ),
    (
        "TR326",
        "9326",
        lambda s: [s.toewijzing(), s.start(), s.start(begin=date(2025, 8, 1))],
        lambda s: [s.toewijzing(), s.start(), s.stop(date(2025, 7, 31)), s.start(begin=date(2025, 8, 1))],
    ),
    (
        "TR382",
        "9069",
        lambda s: [s.toewijzing(), s.start(), s.stop(date(2025, 9, 30), begin=date(2025, 7, 4))],
        lambda s: [s.toewijzing(), s.start(), s.stop(date(2025, 9, 30))],
    ),
    (
        "TR413",
        "9413",
        lambda s: [
            s.toewijzing(),
            s.start(),
            s.stop(date(2025, 9, 30), reden="20"),
            s.stop(date(2025, 10, 31), reden="20"),
        ],
        lambda s: [
            s.toewijzing(),
            s.start(),
            s.stop(date(2025, 9, 30), reden="20"),
            s.stop(date(2025, 10, 31), reden="02"),
        ],
    ),
    (
        "TR414",
        "9414",
        lambda s: [
            s.toewijzing(),
            s.start(),
            s.stop(date(2025, 9, 30), reden="20"),
            s.stop(date(2025, 9, 1), reden="31"),
        ],
        lambda s: [
            s.toewijzing(),
            s.start(),
            s.stop(date(2025, 9, 30), reden="20"),
            s.stop(date(2025, 9, 30), reden="31"),
        ],
    ),
    (
        "TR415",
        "9415",
        lambda s: [
            s.toewijzing(),
            s.start(),
            s.stop(date(2025, 9, 30), reden="31"),
            s.stop(date(2025, 10, 31), reden="31"),
        ],
        lambda s: [
            s.toewijzing(),
            s.start(),
            s.stop(date(2025, 9, 30), reden="31"),
            s.stop(date(2025, 9, 30), reden="31", status="3"),
            s.stop(date(2025, 10, 31), reden="31"),
        ],
    ),
]


@pytest.mark.parametrize(("rule", "code", "failing", "passing"), CASES, ids=[c[0] for c in CASES])
def test_start_stop_rule_rejects_its_sequence_and_accepts_the_twin(
    store: Store, rule: str, code: str, failing: Sequence_, passing: Sequence_
) -> None:
    """The failing sequence's last message is rejected with exactly this rule and retourcode; its twin passes."""
    status, findings, retour = _verdict(store, failing(Stream()))
    assert status is MessageStatus.REJECTED
    assert (rule, code) in findings, findings
    assert f">{code}<".encode() in retour
    status, findings, _ = _verdict(store, passing(_other(Stream())))
    assert status is not MessageStatus.REJECTED, findings
    assert findings == []


def _other(stream: Stream) -> Stream:
    """The same story on another toewijzing and identifications, so the passing twin shares no history."""
    stream.case = replace(stream.case, toewijzingnummer=500200)
    stream.n = 500
    return stream


def test_a_removal_and_its_replacement_in_one_message_pass(store: Store) -> None:
    """IV008: a start removed (3) and sent again with another Begindatum (1) in one JW305 is accepted."""
    s = Stream()
    removal = s.start(status="3")
    replacement = s.start(begin=date(2025, 7, 10))
    line = removal[removal.index(b"<jw305:StartProduct>") : removal.index(b"</jw305:StartProducten>")]
    both = replacement.replace(b"<jw305:StartProducten>", b"<jw305:StartProducten>" + line)
    status, findings, _ = _verdict(store, [s.toewijzing(), s.start(), both])
    assert status is not MessageStatus.REJECTED and findings == [], findings
    status, findings, _ = _verdict(store, [s.start(begin=date(2025, 8, 1))])
    assert ("TR326", "9326") in findings  # the replacement is the current start now
