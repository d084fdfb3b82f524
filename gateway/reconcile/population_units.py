"""The unit kinds of a synthetic population: each unit's trajecten and what it adds to the bridge and CBS counts."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from gateway.mapping.lookup import expectations, lookup_in_period
from gateway.reconcile.bridge import OVERIG, TOTAAL
from gateway.reconcile.trajecten import Traject

AFWIJKER = "99000001"
AANBIEDERS = ("12000011", "12000022", "12000033", "12000044", "12000055")
ELDERS = ("0363", "0599", "0344", "0307", "0050")
OTHER_PAYER = "0363"
HERCODEER = ("04", "02")
"""The deviating aanbieder reports hulpvorm 04 as 02."""
WEGLATEN = 0.25
"""Share of the deviating aanbieder's other clients it leaves out of its CBS delivery."""
WEIGHTS = {
    "gewoon": 50,
    "pgb": 8,
    "ongecodeerd": 8,
    "elders": 5,
    "nagekomen": 7,
    "dubbel": 7,
    "gemengd": 4,
    "ruis": 11,
}

Contribution = dict[str, dict[str, int]]
"""hulpvorm (or totaal) → bridge step → amount."""


@dataclass(slots=True)
class Unit:
    """One client's trajecten and what they add to the bridge of a period they overlap."""

    kind: str
    quarters: tuple[int, int]
    trajecten: list[Traject]
    bridge: Contribution = field(default_factory=dict)
    cbs: dict[str, int] = field(default_factory=dict)
    """What the unit adds to the published CBS counts (with the provider deviation applied)."""
    groepen: dict[str, int] = field(default_factory=dict)
    """Declared trajecten per datahuis group (the gemeente's hulpvorm groups)."""


def _products(gemeente: str, jaar: int) -> tuple[dict[str, list[tuple[str, str]]], list[tuple[str, str]]]:
    """Coded codes per CBS hulpvorm and uncoded codes, each with its datahuis group, stable over the year."""
    coded: dict[str, list[tuple[str, str]]] = defaultdict(list)
    uncoded: list[tuple[str, str]] = []
    for m in expectations(gemeente, date(jaar, 1, 1)):
        quarters = [
            lookup_in_period(
                m.productcode, gemeente=gemeente, begin=date(jaar, 3 * q - 2, 1), end=date(jaar, 3 * q, 28)
            )
            for q in range(1, 5)
        ]
        if any(x is None or x.cbs_hulpvorm != m.cbs_hulpvorm for x in quarters):
            continue
        group = m.hulpvorm_gemeente or OVERIG
        if m.cbs_hulpvorm is None:
            uncoded.append((m.productcode, group))
        else:
            coded[m.cbs_hulpvorm].append((m.productcode, group))
    return coded, uncoded


class UnitBuilder:
    """Draws units of each kind for one gemeente and year, recording what each adds and what was injected."""

    def __init__(self, gemeente: str, jaar: int, peildatum: date, rng: random.Random) -> None:
        self.g = gemeente
        self.jaar = jaar
        self.peil = peildatum
        self.rng = rng
        self.coded, self.uncoded = _products(gemeente, jaar)
        self.hulpvormen = sorted(self.coded)
        self.clients = 0
        self.injected: dict[str, int] = defaultdict(int)

    def client(self) -> str:
        self.clients += 1
        return f"k{self.clients:07d}"

    def window(self) -> tuple[int, int, date, date | None]:
        """A window of one or two quarters (or open-ended from a quarter), with begin and end dates."""
        rng = self.rng
        qa = rng.randint(1, 4)
        if rng.random() < 0.15:
            qb, end = 4, None
        else:
            qb = min(4, qa + rng.randint(0, 1))
            end = self.day_in(qb)
        begin = self.day_in(qa)
        if end is not None and end < begin:
            begin, end = end, begin
        return qa, qb, begin, end

    def day_in(self, quarter: int) -> date:
        first = date(self.jaar, 3 * quarter - 2, 1)
        return first + timedelta(days=self.rng.randrange(0, 90))

    def declared(self, begin: date, end: date | None) -> date:
        after = (end or begin) + timedelta(days=self.rng.randint(5, 45))
        return min(after, self.peil)

    def late(self) -> date | None:
        return None if self.rng.random() < 0.4 else self.peil + timedelta(days=self.rng.randint(1, 120))

    def code(self, hulpvorm: str) -> tuple[str, str]:
        return self.rng.choice(self.coded[hulpvorm])

    def traject(
        self,
        client: str,
        code: str,
        window: tuple[date, date | None],
        *,
        declared: bool = True,
        pgb: bool = False,
        woon: str | None = None,
        aanbieder: str | None = None,
        payer: str | None = None,
    ) -> Traject:
        begin, end = window
        return Traject(
            client=client,
            aanbieder=aanbieder or self.rng.choice(AANBIEDERS),
            productcode=code,
            begindatum=begin,
            einddatum=end,
            gedeclareerd_op=self.declared(begin, end) if declared else self.late(),
            financiering="pgb" if pgb else "natura",
            woongemeente=woon or self.g,
            gemeente=payer or self.g,
        )

    def unit(self, kind: str) -> Unit:
        qa, qb, begin, end = self.window()
        unit = Unit(kind, (qa, qb), [])
        getattr(self, f"_{kind}")(unit, (begin, end))
        return unit

    # -- unit kinds --------------------------------------------------------------------------
    def _add(self, unit: Unit, hulpvorm: str, step: str, amount: int) -> None:
        unit.bridge.setdefault(hulpvorm, {})[step] = unit.bridge.get(hulpvorm, {}).get(step, 0) + amount

    def _group(self, unit: Unit, group: str) -> None:
        unit.groepen[group] = unit.groepen.get(group, 0) + 1

    def _gewoon(self, unit: Unit, window: tuple[date, date | None]) -> None:
        hv = self.rng.choice(self.hulpvormen)
        deviant = (hv == HERCODEER[0] and self.rng.random() < 0.85) or self.rng.random() < 0.12
        aanbieder = AFWIJKER if deviant else self.rng.choice(AANBIEDERS)
        code, group = self.code(hv)
        unit.trajecten.append(self.traject(self.client(), code, window, aanbieder=aanbieder))
        for key in (TOTAAL, hv):
            self._add(unit, key, "datahuis_trajecten", 1)
            self._add(unit, key, "verwacht_cbs", 1)
        self._group(unit, group)
        reported = hv
        if aanbieder == AFWIJKER:
            if hv == HERCODEER[0]:
                reported = HERCODEER[1]
                self.injected["afwijking_hercodering"] += 1
            elif self.rng.random() < WEGLATEN:
                reported = ""
                self.injected["afwijking_weggelaten"] += 1
        if reported:
            unit.cbs = {TOTAAL: 1, reported: 1}

    def _pgb(self, unit: Unit, window: tuple[date, date | None]) -> None:
        declared = self.rng.random() < 0.85
        coded = self.rng.random() < 0.8 or not self.uncoded
        hv = self.rng.choice(self.hulpvormen) if coded else None
        code, group = self.code(hv) if hv else self.rng.choice(self.uncoded)
        unit.trajecten.append(self.traject(self.client(), code, window, pgb=True, declared=declared))
        if not declared:
            unit.kind = "ruis"
            return
        for key in (TOTAAL, hv) if hv else (TOTAAL,):
            self._add(unit, key, "datahuis_trajecten", 1)
            self._add(unit, key, "pgb", -1)
        self._group(unit, group)

    def _ongecodeerd(self, unit: Unit, window: tuple[date, date | None]) -> None:
        declared = self.rng.random() < 0.85
        code, group = self.rng.choice(self.uncoded)
        woon = self.rng.choice(ELDERS) if self.rng.random() < 0.1 else None
        unit.trajecten.append(self.traject(self.client(), code, window, declared=declared, woon=woon))
        if not declared:
            unit.kind = "ruis"
            return
        self._add(unit, TOTAAL, "datahuis_trajecten", 1)
        self._add(unit, TOTAAL, "zonder_cbs_codering", -1)
        self._group(unit, group)

    def _elders(self, unit: Unit, window: tuple[date, date | None]) -> None:
        declared = self.rng.random() < 0.85
        hv = self.rng.choice(self.hulpvormen)
        code, group = self.code(hv)
        woon = self.rng.choice(ELDERS)
        unit.trajecten.append(self.traject(self.client(), code, window, declared=declared, woon=woon))
        if not declared:
            unit.kind = "ruis"
            return
        for key in (TOTAAL, hv):
            self._add(unit, key, "datahuis_trajecten", 1)
            self._add(unit, key, "niet_woonachtig", -1)
        self._group(unit, group)

    def _nagekomen(self, unit: Unit, window: tuple[date, date | None]) -> None:
        hv = self.rng.choice(self.hulpvormen)
        code, _ = self.code(hv)
        unit.trajecten.append(self.traject(self.client(), code, window, declared=False))
        for key in (TOTAAL, hv):
            self._add(unit, key, "nagekomen", 1)
            self._add(unit, key, "verwacht_cbs", 1)
        unit.cbs = {TOTAAL: 1, hv: 1}

    def _dubbel(self, unit: Unit, window: tuple[date, date | None]) -> None:
        hv = self.rng.choice(self.hulpvormen)
        client = self.client()
        k = self.rng.randint(2, 4)
        declared = [self.rng.random() < 0.8 for _ in range(k)]
        for flag in declared:
            code, group = self.code(hv)
            unit.trajecten.append(self.traject(client, code, window, declared=flag))
            if flag:
                self._group(unit, group)
        d = sum(declared)
        for key in (TOTAAL, hv):
            self._add(unit, key, "datahuis_trajecten", d)
            self._add(unit, key, "nagekomen", k - d)
            self._add(unit, key, "dubbele_trajecten", -(k - 1))
            self._add(unit, key, "verwacht_cbs", 1)
        unit.cbs = {TOTAAL: 1, hv: 1}

    def _gemengd(self, unit: Unit, window: tuple[date, date | None]) -> None:
        first, second = self.rng.sample(self.hulpvormen, 2)
        client = self.client()
        for hv in (first, second):
            code, group = self.code(hv)
            unit.trajecten.append(self.traject(client, code, window))
            self._group(unit, group)
            self._add(unit, hv, "datahuis_trajecten", 1)
            self._add(unit, hv, "verwacht_cbs", 1)
        self._add(unit, TOTAAL, "datahuis_trajecten", 2)
        self._add(unit, TOTAAL, "dubbele_trajecten", -1)
        self._add(unit, TOTAAL, "verwacht_cbs", 1)
        unit.cbs = {TOTAAL: 1, first: 1, second: 1}

    def _ruis(self, unit: Unit, window: tuple[date, date | None]) -> None:
        hv = self.rng.choice(self.hulpvormen)
        code, _ = self.code(hv)
        if self.rng.random() < 0.5:  # another gemeente pays
            woon = self.rng.choice((self.g, OTHER_PAYER))
            unit.trajecten.append(self.traject(self.client(), code, window, payer=OTHER_PAYER, woon=woon))
        else:  # care in the year before, declared long ago
            begin = date(self.jaar - 1, self.rng.randint(1, 11), self.rng.randint(1, 28))
            end = begin + timedelta(days=self.rng.randint(0, 20))
            unit.trajecten.append(self.traject(self.client(), code, (begin, min(end, date(self.jaar - 1, 12, 31)))))


__all__ = [
    "AFWIJKER",
    "HERCODEER",
    "WEGLATEN",
    "WEIGHTS",
    "Contribution",
    "Unit",
    "UnitBuilder",
]
