"""Care trajectories behind a generated iJw stream, so later messages only refer to what was sent before.

Each case moves through verzoek (JW315, optional) → toewijzing (JW301) → start (JW305) →
declaraties (JW323, one per month at most) → stop (JW307); a verzoek om wijziging (JW317) on a
toegewezen case is answered by a JW319. A message type is only built for a case that is ready
for it; when no case is, the stream assigns a new case instead (a JW301). Only valid messages
move a case on: a message the gateway will reject leaves no trace in its store either. So the
stream also passes the berichtoverstijgende rules (TR019, TR304, TR338-TR340, TR351, TR389, ...)
when it is fed, in order, through a store-backed history.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import ClassVar

from gateway.generate import messages as m
from gateway.generate.cases import GEMEENTEN, PRODUCTS, Case, make_case, month_end, next_month
from gateway.generate.ijw import agb_code

CLIENTS_PER_DECLARATIE = (5, 20, 60, 200)
"""The most clients one declaratie covers (an aanbieder declares all its clients of the month at once)."""
_DECLARATIE_MONTHS = tuple(date(2025, month, 1) for month in range(7, 13))
_SCAN = 200
"""At most this many cases of one aanbieder and gemeente are looked at for one declaratie."""


@dataclass(slots=True, eq=False)
class Trajectory:
    """Where one case stands: what has been sent for it so far."""

    case: Case
    toegewezen: bool = False
    begin: date | None = None
    gestopt: bool = False
    verzoek: str | None = None
    in_onderzoek: bool = False
    """The open verzoek was answered with VerzoekAntwoord 2 (aanvraag in onderzoek)."""
    declared: set[date] = field(default_factory=set)


PREREQUISITES: dict[str, tuple[str, ...]] = {
    "JW315": (),
    "JW301": (),
    "JW305": ("JW301",),
    "JW307": ("JW301", "JW305"),
    "JW317": ("JW301",),
    "JW319": ("JW301", "JW317"),
    "JW323": ("JW301", "JW305"),
}
"""What a single message of a type needs to have been sent first."""


def _take(items: list[Trajectory], i: int) -> Trajectory:
    """Remove and return ``items[i]`` by swapping it with the last one (O(1); order is not kept)."""
    items[i], items[-1] = items[-1], items[i]
    return items.pop()


class Lifecycle:
    """The cases of one stream and the message each is ready for; builds valid messages."""

    def __init__(self, rng: random.Random, seed: int) -> None:
        self.rng = rng
        self.seed = seed
        self.aanbieders = [agb_code(rng) for _ in range(5)]
        self.gemeenten = rng.sample(GEMEENTEN, 4)
        self._numbers: set[int] = set()
        self._created = 0
        self.verzocht: list[Trajectory] = []
        self.to_start: list[Trajectory] = []
        self.started: list[Trajectory] = []
        self.toegewezen: list[Trajectory] = []
        self.open_verzoeken: list[Trajectory] = []
        self.declarable: dict[tuple[str, str], list[Trajectory]] = {}

    def _new(self) -> Trajectory:
        rng = self.rng
        nummer = rng.randrange(10**6, 10**9)
        while nummer in self._numbers:
            nummer = rng.randrange(10**6, 10**9)
        self._numbers.add(nummer)
        case = make_case(
            rng,
            toewijzingnummer=nummer,
            referentie=f"R{self.seed % 10**6}C{self._created}",
            gemeente=rng.choice(self.gemeenten),
            aanbieder=rng.choice(self.aanbieders),
        )
        self._created += 1
        return Trajectory(case)

    def build(
        self, message_type: str, index: int, *, record: bool = True, emit: Collection[str] | None = None
    ) -> tuple[str, bytes]:
        """A valid message of ``message_type`` and the type actually built.

        When no case is ready for ``message_type``, the stream sends the JW301 that makes one ready
        instead, if JW301 is among the types it may ``emit`` (None = all); otherwise the missing
        steps are taken silently (the stream then refers to toewijzingen it did not emit).
        ``record=False`` builds a message without moving any case on (for one that will be broken).
        """
        builder = self._builders.get(message_type)
        if builder is None:
            raise ValueError(f"unknown iJw message type {message_type!r}; choose from {', '.join(self._builders)}")
        ident = f"{self.seed % 10**4:04d}{index:08d}"
        data = builder(self, ident, record)
        if data is not None:
            return message_type, data
        if emit is None or "JW301" in emit:
            return "JW301", self._jw301(ident, record)
        for earlier in PREREQUISITES[message_type]:
            self._builders[earlier](self, ident, True)
        data = builder(self, ident, record)
        assert data is not None, message_type
        return message_type, data

    def _jw315(self, ident: str, record: bool) -> bytes:
        t = self._new()
        if record:
            self.verzocht.append(t)
        return m.jw315(t.case, ident=ident, dag=t.case.ingang - timedelta(days=self.rng.randrange(10, 41)))

    def _jw301(self, ident: str, record: bool) -> bytes:
        rng = self.rng
        asked = bool(self.verzocht) and rng.random() < 0.7
        t = _take(self.verzocht, rng.randrange(len(self.verzocht))) if asked else self._new()
        data = m.jw301(t.case, ident=ident, dag=t.case.ingang - timedelta(days=rng.randrange(1, 10)), honoreert=asked)
        if record:
            t.toegewezen = True
            self.to_start.append(t)
            self.toegewezen.append(t)
        elif asked:  # a rejected toewijzing leaves the verzoek open
            self.verzocht.append(t)
        return data

    def _jw305(self, ident: str, record: bool) -> bytes | None:
        if not self.to_start:
            return None
        rng = self.rng
        i = rng.randrange(len(self.to_start))
        t = self.to_start[i]
        begin = m.days_after(t.case.ingang, rng, 0, 20)
        data = m.jw305(t.case, ident=ident, dag=m.days_after(begin, rng, 1, 10), begin=begin)
        if record:
            _take(self.to_start, i)
            t.begin = begin
            self.started.append(t)
            self.declarable.setdefault((t.case.aanbieder, t.case.gemeente), []).append(t)
        return data

    def _jw307(self, ident: str, record: bool) -> bytes | None:
        if not self.started:
            return None
        rng = self.rng
        i = rng.randrange(len(self.started))
        t = self.started[i]
        assert t.begin is not None
        einde = m.days_after(t.begin, rng, 30, 200)
        if t.declared:  # care ends after the last month declared for it
            einde = max(einde, month_end(max(t.declared)))
        einde = min(einde, t.case.einde)
        reden = rng.choice(m.REDEN_BEEINDIGING)
        data = m.jw307(
            t.case, ident=ident, dag=m.days_after(einde, rng, 1, 10), begin=t.begin, einde=einde, reden=reden
        )
        if record:
            _take(self.started, i)
            t.gestopt = True  # skipped from now on in declarable and toegewezen
        return data

    def _jw317(self, ident: str, record: bool) -> bytes | None:
        rng = self.rng
        ready = [
            t for t in rng.sample(self.toegewezen, min(len(self.toegewezen), 8)) if not t.gestopt and not t.verzoek
        ]
        if not ready:
            return None
        t = ready[0]
        case = t.case
        wijziging = case.ingang
        for _ in range(rng.randrange(1, 5)):
            wijziging = next_month(wijziging)
        nieuw = None
        if rng.random() < 0.5:
            other = [p for p in PRODUCTS if p.categorie != case.product.categorie]
            nieuw = replace(case, product=rng.choice(other), volume=rng.randrange(1, 10))
        dag = wijziging - timedelta(days=rng.randrange(5, 21))
        referentie = f"V{ident}"
        data = m.jw317(case, ident=ident, dag=dag, referentie=referentie, wijziging=wijziging, nieuw=nieuw)
        if record:
            t.verzoek = referentie
            self.open_verzoeken.append(t)
        return data

    def _jw319(self, ident: str, record: bool) -> bytes | None:
        if not self.open_verzoeken:
            return None
        rng = self.rng
        i = rng.randrange(len(self.open_verzoeken))
        t = self.open_verzoeken[i]
        assert t.verzoek is not None
        antwoord = "1" if t.in_onderzoek else rng.choice("12")  # TR360: "in onderzoek" once, then afgewezen
        reden = rng.choice("123456789") if antwoord == "1" else None
        dag = m.days_after(t.case.ingang, rng, 30, 120)
        data = m.jw319(t.case, ident=ident, dag=dag, referentie=t.verzoek, antwoord=antwoord, reden=reden)
        if record and antwoord == "1":  # TR374: only an afwijzing closes the verzoek; "in onderzoek" keeps it open
            _take(self.open_verzoeken, i)
            t.verzoek = None
            t.in_onderzoek = False
        elif record:
            t.in_onderzoek = True
        return data

    def _jw323(self, ident: str, record: bool) -> bytes | None:
        rng = self.rng
        pairs = sorted(self.declarable)
        if not pairs:
            return None
        best: tuple[list[Trajectory], date] = ([], _DECLARATIE_MONTHS[0])
        for _ in range(4):  # the aanbieder/gemeente/month with the most clients to declare, of a few tried
            pool = self.declarable[rng.choice(pairs)]
            month = rng.choice(_DECLARATIE_MONTHS)
            window = rng.sample(pool, min(len(pool), _SCAN))
            ready = [t for t in window if month not in t.declared and not t.gestopt]
            if len(ready) > len(best[0]):
                best = (ready, month)
        ready, month = best
        if not ready:
            return None
        chosen = ready[: rng.choice(CLIENTS_PER_DECLARATIE)]
        dag = m.days_after(next_month(month), rng, 0, 14)
        nummer = f"D{ident[1:]}"  # 12 characters, unique like the identificatie
        data = m.jw323(
            [t.case for t in chosen], ident=ident, month=month, dag=dag, nummer=nummer, rng=rng, reference=f"P{ident}"
        )
        if record:
            for t in chosen:
                t.declared.add(month)
        return data

    _builders: ClassVar[dict[str, Callable[[Lifecycle, str, bool], bytes | None]]] = {
        "JW315": _jw315,
        "JW301": _jw301,
        "JW305": _jw305,
        "JW317": _jw317,
        "JW319": _jw319,
        "JW323": _jw323,
        "JW307": _jw307,
    }


__all__ = ["CLIENTS_PER_DECLARATIE", "PREREQUISITES", "Lifecycle", "Trajectory"]
