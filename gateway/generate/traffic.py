"""Seeded iJw 3.2 traffic: a mixed stream of heenberichten, a known fraction broken in a known way.

Every message comes with the verdict the gateway must give it (`Expected`): valid, or invalid
with the finding kind (``xml``, ``xsd``, ``rule``) and, for a rule, the rule id. Same seed, same
bytes; Header Identificaties, DeclaratieNummers and Prestatie ReferentieNummers never repeat
within a stream.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import ClassVar

from gateway.generate import messages as m
from gateway.generate.cases import GEMEENTEN, PRODUCTS, Case, make_case, next_month
from gateway.generate.ijw import agb_code

TYPES: tuple[str, ...] = ("JW315", "JW301", "JW305", "JW317", "JW319", "JW323", "JW307")
WEIGHTS: dict[str, int] = {"JW315": 10, "JW301": 18, "JW305": 14, "JW317": 5, "JW319": 5, "JW323": 38, "JW307": 10}
"""Relative volumes: declaraties dominate, verzoeken and antwoorden are rarer."""
_CLIENTS_PER_DECLARATIE = (1, 1, 2, 3, 5, 8, 12, 20, 35, 60)


@dataclass(frozen=True, slots=True)
class Expected:
    """The verdict the gateway must give: valid, or the kind (and rule id) of the injected fault."""

    valid: bool
    kind: str | None = None
    rule: str | None = None
    fault: str | None = None

    def to_dict(self) -> dict[str, object]:
        """JSON form for the manifest written next to generated files."""
        return {"valid": self.valid, "kind": self.kind, "rule": self.rule, "fault": self.fault}


VALID = Expected(True)


@dataclass(frozen=True, slots=True)
class TrafficMessage:
    """One generated message, its type and the verdict it must get."""

    index: int
    message_type: str
    data: bytes
    expected: Expected

    @property
    def name(self) -> str:
        """A file name that sorts in stream order and tells type and fault."""
        return f"{self.index:06d}-{self.message_type}-{self.expected.fault or 'valid'}.xml"


def _first_sub(pattern: bytes, repl: Callable[[re.Match[bytes]], bytes], data: bytes) -> bytes:
    changed, count = re.subn(pattern, repl, data, count=1)
    if count != 1:  # pragma: no cover - a builder changed shape; the fault must not silently vanish
        raise ValueError(f"fault pattern {pattern!r} not found")
    return changed


def _truncate(data: bytes, _: str) -> bytes:
    return data[: len(data) * 2 // 3]


def _drop_versie(data: bytes, _: str) -> bytes:
    return _first_sub(rb"<(jw\d{3}):BerichtVersie>3</\1:BerichtVersie>", lambda _m: b"", data)


def _impossible_date(data: bytes, _: str) -> bytes:
    return _first_sub(rb"<ijw:Dagtekening>(\d{4})-\d\d-\d\d<", lambda x: b"<ijw:Dagtekening>" + x[1] + b"-02-30<", data)


def _future_dagtekening(data: bytes, _: str) -> bytes:
    return _first_sub(rb"<ijw:Dagtekening>\d{4}-", lambda _m: b"<ijw:Dagtekening>2099-", data)


def _bad_bsn(data: bytes, _: str) -> bytes:
    def flip(x: re.Match[bytes]) -> bytes:
        digits = x[2]
        last = (digits[-1] - 0x30 + 1) % 10  # a changed check digit always fails the elfproef
        return x[1] + digits[:-1] + str(last).encode() + b"<"

    return _first_sub(rb"(<jw\d{3}:Bsn>)(\d{9})<", flip, data)


def _wrong_total(data: bytes, _: str) -> bytes:
    return _first_sub(rb"<ijw:TotaalBedrag>(\d+)<", lambda x: b"<ijw:TotaalBedrag>%d<" % (int(x[1]) + 100), data)


def _foreign_productcode(data: bytes, message_type: str) -> bytes:
    pattern = rb"<jw323:ProductCode>(\w+)<" if message_type == "JW323" else rb"<ijw:Code>(\w+)<"

    def swap(x: re.Match[bytes]) -> bytes:
        other = b"43A01" if not x[1].startswith(b"43") else b"45A03"
        return x[0].replace(x[1], other)

    return _first_sub(pattern, swap, data)


@dataclass(frozen=True, slots=True)
class Fault:
    """A way to break a message and the verdict that follows."""

    name: str
    expected: Expected
    applies: frozenset[str]
    apply: Callable[[bytes, str], bytes]


_ALL = frozenset(TYPES)
_WITH_PRODUCT = frozenset({"JW301", "JW305", "JW307", "JW315", "JW323"})
FAULTS: tuple[Fault, ...] = (
    Fault("not-well-formed", Expected(False, "xml", None, "not-well-formed"), _ALL, _truncate),
    Fault("xsd-missing-element", Expected(False, "xsd", None, "xsd-missing-element"), _ALL, _drop_versie),
    Fault("xsd-impossible-date", Expected(False, "xsd", None, "xsd-impossible-date"), _ALL, _impossible_date),
    Fault("bsn-elfproef", Expected(False, "rule", "CS002", "bsn-elfproef"), _ALL - {"JW319"}, _bad_bsn),
    Fault("wrong-total", Expected(False, "rule", "TR358", "wrong-total"), frozenset({"JW323"}), _wrong_total),
    Fault("future-dagtekening", Expected(False, "rule", "TR135", "future-dagtekening"), _ALL, _future_dagtekening),
    Fault(
        "foreign-productcode",
        Expected(False, "rule", "TR381", "foreign-productcode"),
        _WITH_PRODUCT,
        _foreign_productcode,
    ),
)


class _Stream:
    """The cases and counters behind one stream; builds a valid message of a type on demand."""

    def __init__(self, rng: random.Random, seed: int, cases: int) -> None:
        self.rng = rng
        self.seed = seed
        aanbieders = [agb_code(rng) for _ in range(5)]
        gemeenten = rng.sample(GEMEENTEN, 4)
        numbers = rng.sample(range(10**6, 10**9), cases)
        self.cases: list[Case] = []
        self.by_pair: dict[tuple[str, str], list[Case]] = {}
        for i, nummer in enumerate(numbers):
            case = make_case(
                rng,
                toewijzingnummer=nummer,
                referentie=f"R{seed % 10**6}C{i}",
                gemeente=rng.choice(gemeenten),
                aanbieder=rng.choice(aanbieders),
            )
            self.cases.append(case)
            self.by_pair.setdefault((case.aanbieder, case.gemeente), []).append(case)
        self.pairs = sorted(self.by_pair)

    def build(self, message_type: str, index: int) -> bytes:
        """A valid message of ``message_type``, the ``index``-th of the stream."""
        builder = self._builders.get(message_type)
        if builder is None:
            raise ValueError(f"unknown iJw message type {message_type!r}; choose from {', '.join(TYPES)}")
        return builder(self, self.rng.choice(self.cases), f"{self.seed % 10**4:04d}{index:08d}")

    def _jw315(self, case: Case, ident: str) -> bytes:
        return m.jw315(case, ident=ident, dag=case.ingang - timedelta(days=self.rng.randrange(10, 41)))

    def _jw301(self, case: Case, ident: str) -> bytes:
        return m.jw301(case, ident=ident, dag=case.ingang - timedelta(days=self.rng.randrange(1, 10)))

    def _jw305(self, case: Case, ident: str) -> bytes:
        begin = m.days_after(case.ingang, self.rng, 0, 20)
        return m.jw305(case, ident=ident, dag=m.days_after(begin, self.rng, 1, 10), begin=begin)

    def _jw307(self, case: Case, ident: str) -> bytes:
        rng = self.rng
        begin = m.days_after(case.ingang, rng, 0, 20)
        einde = m.days_after(begin, rng, 30, 200)
        reden = rng.choice(m.REDEN_BEEINDIGING)
        return m.jw307(case, ident=ident, dag=m.days_after(einde, rng, 1, 10), begin=begin, einde=einde, reden=reden)

    def _jw317(self, case: Case, ident: str) -> bytes:
        rng = self.rng
        wijziging = case.ingang
        for _ in range(rng.randrange(1, 5)):
            wijziging = next_month(wijziging)
        nieuw = None
        if rng.random() < 0.5:
            other = [p for p in PRODUCTS if p.categorie != case.product.categorie]
            nieuw = replace(case, product=rng.choice(other), volume=rng.randrange(1, 10))
        dag = wijziging - timedelta(days=rng.randrange(5, 21))
        return m.jw317(case, ident=ident, dag=dag, referentie=f"V{ident}", wijziging=wijziging, nieuw=nieuw)

    def _jw319(self, case: Case, ident: str) -> bytes:
        rng = self.rng
        antwoord = rng.choice("12")
        reden = rng.choice("123456789") if antwoord == "1" else None
        dag = m.days_after(case.ingang, rng, 30, 120)
        return m.jw319(case, ident=ident, dag=dag, referentie=f"V{ident}", antwoord=antwoord, reden=reden)

    def _jw323(self, _case: Case, ident: str) -> bytes:
        rng = self.rng
        pool = self.by_pair[rng.choice(self.pairs)]
        chosen = rng.sample(pool, min(len(pool), rng.choice(_CLIENTS_PER_DECLARATIE)))
        month = date(2025, rng.randrange(7, 13), 1)
        dag = m.days_after(next_month(month), rng, 0, 14)
        nummer = f"D{ident[1:]}"  # 12 characters, unique like the identificatie
        return m.jw323(chosen, ident=ident, month=month, dag=dag, nummer=nummer, rng=rng, reference=f"P{ident}")

    _builders: ClassVar[dict[str, Callable[[_Stream, Case, str], bytes]]] = {
        "JW301": _jw301,
        "JW305": _jw305,
        "JW307": _jw307,
        "JW315": _jw315,
        "JW317": _jw317,
        "JW319": _jw319,
        "JW323": _jw323,
    }


def ijw_traffic(
    n: int, seed: int = 0, invalid_ratio: float = 0.1, *, types: Sequence[str] = TYPES
) -> Iterator[TrafficMessage]:
    """Yield ``n`` messages of ``types`` (weighted like real traffic); about ``invalid_ratio`` of them broken.

    The fault of a broken message is drawn from those that apply to its type (see ``FAULTS``).
    """
    unknown = [t for t in types if t not in WEIGHTS]
    if unknown or not types:
        raise ValueError(f"unknown iJw message type(s) {unknown}; choose from {', '.join(TYPES)}")
    if not 0.0 <= invalid_ratio <= 1.0:
        raise ValueError("invalid_ratio must be between 0 and 1")
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not security
    stream = _Stream(rng, seed, max(8, min(n, 5000)))
    weights = [WEIGHTS[t] for t in types]
    for index in range(n):
        message_type = rng.choices(list(types), weights)[0]
        data = stream.build(message_type, index)
        expected = VALID
        if rng.random() < invalid_ratio:
            fault = rng.choice([f for f in FAULTS if message_type in f.applies])
            data, expected = fault.apply(data, message_type), fault.expected
        yield TrafficMessage(index, message_type, data, expected)


def ijw_message(message_type: str, seed: int = 0) -> bytes:
    """One valid iJw 3.2 message of ``message_type`` (JW301, JW305, JW307, JW315, JW317, JW319, JW323)."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not security
    return _Stream(rng, seed, 8).build(message_type.upper(), 0)


def ijw23_jw303(seed: int = 0, clients: int = 3) -> bytes:
    """One valid iJw 2.3 JW303 declaratie/factuur for ``clients`` clients of one aanbieder and gemeente."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not security
    gemeente, aanbieder = rng.choice(GEMEENTEN), agb_code(rng)
    numbers = rng.sample(range(10**6, 10**9), clients)
    cases = [
        make_case(rng, toewijzingnummer=n, referentie=f"R{i}", gemeente=gemeente, aanbieder=aanbieder)
        for i, n in enumerate(numbers)
    ]
    month = date(2025, rng.randrange(7, 13), 1)
    dag = m.days_after(next_month(month), rng, 0, 14)
    nummer = f"F{seed % 10**6:06d}{rng.randrange(10**5):05d}"
    return m.jw303_v23(cases, nummer=nummer, month=month, dag=dag, rng=rng, reference=f"P{nummer}")


__all__ = [
    "FAULTS",
    "TYPES",
    "VALID",
    "WEIGHTS",
    "Expected",
    "Fault",
    "TrafficMessage",
    "ijw23_jw303",
    "ijw_message",
    "ijw_traffic",
]
