"""A synthetic population of trajecten with every bridge effect injected in known amounts.

The population is built from *units*: one client with one or more trajecten that all lie in the
same window of quarters, so what a unit adds to each bridge column of each period follows from
its kind alone. The ground truth is the sum of those contributions over the units, kept apart from
the bridge code: a test that compares the two proves the bridge, not itself.

Unit kinds (``c`` = the CBS hulpvorm the gemeente expects for the unit's product code):

* ``gewoon``: natura, coded, living in G, declared: datahuis +1, verwacht +1 (totaal and c);
* ``pgb``: financed by PGB, declared: datahuis +1, pgb −1 (totaal; and c when coded);
* ``ongecodeerd``: a product code without CBS hulpvorm, declared: datahuis +1, zonder −1 (totaal);
* ``elders``: living outside G, declared: datahuis +1, niet_woonachtig −1;
* ``nagekomen``: declared after the peildatum (or not at all): nagekomen +1, verwacht +1;
* ``dubbel``: k trajecten of one client in one hulpvorm, d of them declared: datahuis +d,
  nagekomen +(k−d), dubbele −(k−1), verwacht +1;
* ``gemengd``: two trajecten of one client in two hulpvormen: +1/+1 in each, in totaal
  datahuis +2, dubbele −1, verwacht +1;
* ``ruis``: another paying gemeente, care outside the year, or undeclared PGB/uncoded/elsewhere:
  nothing anywhere.

The provider-side deviation: aanbieder :data:`AFWIJKER` reports its hulpvorm-04 clients to CBS
as 02 and leaves a known share of its other clients out of its CBS delivery. Only ``gewoon``
units (one traject, one client) are affected, so the published CBS counts differ from the
expected ones by exactly the injected amounts, which is the ground truth of ``onverklaard``.
"""

from __future__ import annotations

import csv
import json
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path
from typing import Any

from gateway.mapping.lookup import expectations, lookup_in_period
from gateway.mapping.tables import hulpvorm_codes, normalise_gemeente
from gateway.reconcile.bridge import COLUMNS, OVERIG, STEPS, TOTAAL
from gateway.reconcile.periods import Periode, parse_periode
from gateway.reconcile.trajecten import Traject, write_csv

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


@dataclass(slots=True)
class Population:
    """The generated trajecten, the tables they imply and the ground truth."""

    gemeente: str
    jaar: int
    peildatum: date
    perioden: list[Periode]
    units: list[Unit]
    truth: list[dict[str, Any]]
    cbs: list[dict[str, Any]]
    datahuis: list[dict[str, Any]]
    injected: dict[str, int]

    @property
    def trajecten(self) -> list[Traject]:
        """All trajecten, in unit order."""
        return [t for u in self.units for t in u.trajecten]


def _periods(jaar: int) -> list[Periode]:
    codes = [f"{jaar}KW{q}" for q in range(1, 5)] + [f"{jaar}HJ1", f"{jaar}HJ2", f"{jaar}JJ"]
    return [parse_periode(c) for c in codes]


def _quarters(p: Periode) -> tuple[int, int]:
    return (p.begin.month - 1) // 3 + 1, (p.end.month - 1) // 3 + 1


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


class _Builder:
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


def generate(gemeente: str, *, seed: int, units: int = 2000, jaar: int = 2018) -> Population:
    """A population of ``units`` units for ``gemeente`` in ``jaar``; the same seed gives the same population."""
    g = normalise_gemeente(gemeente)
    rng = random.Random(seed)  # noqa: S311 - a reproducible synthetic population, not a secret
    peildatum = date(jaar + 1, 3, 1)
    builder = _Builder(g, jaar, peildatum, rng)
    kinds = list(WEIGHTS)
    cumulative = list(accumulate(WEIGHTS.values()))
    built = [builder.unit(rng.choices(kinds, cum_weights=cumulative)[0]) for _ in range(units)]
    perioden = _periods(jaar)
    truth, cbs, datahuis = _totals(built, perioden, g)
    injected = dict(builder.injected)
    for unit in built:
        injected[unit.kind] = injected.get(unit.kind, 0) + 1
    return Population(g, jaar, peildatum, perioden, built, truth, cbs, datahuis, injected)


def _totals(
    units: list[Unit], perioden: list[Periode], g: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    truth: list[dict[str, Any]] = []
    cbs_rows: list[dict[str, Any]] = []
    datahuis: list[dict[str, Any]] = []
    keys = [TOTAAL, *hulpvorm_codes()]
    for p in perioden:
        pa, pb = _quarters(p)
        inside = [u for u in units if u.quarters[0] <= pb and u.quarters[1] >= pa and u.kind != "ruis"]
        sums: dict[str, dict[str, int]] = {key: dict.fromkeys(STEPS, 0) for key in keys}
        published: dict[str, int] = dict.fromkeys(keys, 0)
        for u in inside:
            for key, steps in u.bridge.items():
                for step, amount in steps.items():
                    sums[key][step] += amount
            for key, amount in u.cbs.items():
                published[key] += amount
        for key in keys:
            row: dict[str, Any] = {"periode": p.code, "hulpvorm": key, **sums[key]}
            row["cbs_gepubliceerd"] = published[key]
            row["onverklaard"] = published[key] - row["verwacht_cbs"]
            truth.append({c: row[c] for c in COLUMNS})
            cbs_rows.append({"gemeente": f"GM{g}", "periode": p.code, "hulpvorm": key, "jongeren": published[key]})
        groups: dict[str, int] = defaultdict(int)
        for u in inside:
            for group, n in u.groepen.items():
                groups[group] += n
        datahuis.extend({"periode": p.code, "hulpvorm_gemeente": k, "gebruik": v} for k, v in sorted(groups.items()))
    return truth, cbs_rows, datahuis


def write(population: Population, out: Path) -> dict[str, Path]:
    """Write trajecten.csv, cbs.csv, datahuis.csv and truth.json into ``out``; returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    paths = {name: out / name for name in ("trajecten.csv", "cbs.csv", "datahuis.csv", "truth.json")}
    write_csv(population.trajecten, paths["trajecten.csv"])
    for name, rows, header in (
        ("cbs.csv", population.cbs, ("gemeente", "periode", "hulpvorm", "jongeren")),
        ("datahuis.csv", population.datahuis, ("periode", "hulpvorm_gemeente", "gebruik")),
    ):
        with paths[name].open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    truth = {
        "gemeente": population.gemeente,
        "peildatum": population.peildatum.isoformat(),
        "perioden": [p.code for p in population.perioden],
        "afwijkende_aanbieder": AFWIJKER,
        "afwijking": {
            "hercodering": f"hulpvorm {HERCODEER[0]} gemeld als {HERCODEER[1]}",
            "weggelaten_aandeel": WEGLATEN,
        },
        "geinjecteerd": population.injected,
        "bridge": population.truth,
        "datahuis": population.datahuis,
    }
    paths["truth.json"].write_text(json.dumps(truth, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return paths


__all__ = ["AFWIJKER", "Population", "Unit", "generate", "write"]
