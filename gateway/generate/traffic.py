"""Seeded iJw 3.2 traffic: a mixed stream of heenberichten, a known fraction broken in a known way.

Every message comes with the verdict the gateway must give it (`Expected`): valid, or invalid
with the finding kind (``xml``, ``xsd``, ``rule``) and, for a rule, the rule id. Same seed, same
bytes; Header Identificaties, DeclaratieNummers and Prestatie ReferentieNummers never repeat
within a stream. The verdict is the single-message one (``gateway.validate``); the stream follows
care trajectories (see :mod:`gateway.generate.lifecycle`), so its valid messages, fed in order
through a store, also pass the cross-message rules.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from gateway.generate import messages as m
from gateway.generate.cases import GEMEENTEN, make_case, next_month
from gateway.generate.ijw import agb_code
from gateway.generate.lifecycle import PREREQUISITES, Lifecycle

TYPES: tuple[str, ...] = ("JW315", "JW301", "JW305", "JW317", "JW319", "JW323", "JW307")
WEIGHTS: dict[str, int] = {"JW315": 15, "JW301": 25, "JW305": 22, "JW317": 8, "JW319": 8, "JW323": 10, "JW307": 12}
"""Relative volumes: a toewijzing brings one JW301, JW305 and JW307 each, while its months of care are
declared together with the aanbieder's other clients: declaraties are fewer, and much larger."""


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
    Fault(
        "future-dagtekening",
        Expected(False, "rule", "TR135", "future-dagtekening"),
        _ALL - {"JW317"},  # a JW317's GewensteIngangsdatum must lie after its Dagtekening: TR380 would fire too
        _future_dagtekening,
    ),
    Fault(
        "foreign-productcode",
        Expected(False, "rule", "TR381", "foreign-productcode"),
        _WITH_PRODUCT,
        _foreign_productcode,
    ),
)


def ijw_traffic(
    n: int, seed: int = 0, invalid_ratio: float = 0.1, *, types: Sequence[str] = TYPES
) -> Iterator[TrafficMessage]:
    """Yield ``n`` messages of ``types`` (weighted like real traffic); about ``invalid_ratio`` of them broken.

    The fault of a broken message is drawn from those that apply to its type (see ``FAULTS``).
    A type no case is ready for yet (a JW305 before any toewijzing) becomes the JW301 that makes
    one ready, so early in a stream JW301s are over-represented.
    """
    unknown = [t for t in types if t not in WEIGHTS]
    if unknown or not types:
        raise ValueError(f"unknown iJw message type(s) {unknown}; choose from {', '.join(TYPES)}")
    if not 0.0 <= invalid_ratio <= 1.0:
        raise ValueError("invalid_ratio must be between 0 and 1")
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not security
    lifecycle = Lifecycle(rng, seed)
    weights = [WEIGHTS[t] for t in types]
    for index in range(n):
        wanted = rng.choices(list(types), weights)[0]
        broken = rng.random() < invalid_ratio
        message_type, data = lifecycle.build(wanted, index, record=not broken, emit=types)
        expected = VALID
        if broken:
            fault = rng.choice([f for f in FAULTS if message_type in f.applies])
            data, expected = fault.apply(data, message_type), fault.expected
        yield TrafficMessage(index, message_type, data, expected)


def ijw_message(message_type: str, seed: int = 0) -> bytes:
    """One valid iJw 3.2 message of ``message_type`` (JW301, JW305, JW307, JW315, JW317, JW319, JW323)."""
    kind = message_type.upper()
    if kind not in PREREQUISITES:
        raise ValueError(f"unknown iJw message type {message_type!r}; choose from {', '.join(TYPES)}")
    lifecycle = Lifecycle(random.Random(seed), seed)  # noqa: S311 - reproducible test data, not security
    return lifecycle.build(kind, 0, emit=(kind,))[1]


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
