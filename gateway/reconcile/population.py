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
from dataclasses import dataclass
from datetime import date
from itertools import accumulate
from pathlib import Path
from typing import Any

from gateway.mapping.tables import hulpvorm_codes, normalise_gemeente
from gateway.reconcile.bridge import COLUMNS, STEPS, TOTAAL
from gateway.reconcile.periods import Periode, parse_periode
from gateway.reconcile.population_units import AFWIJKER, HERCODEER, WEGLATEN, WEIGHTS, Unit, UnitBuilder
from gateway.reconcile.trajecten import Traject, write_csv


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


def generate(gemeente: str, *, seed: int, units: int = 2000, jaar: int = 2018) -> Population:
    """A population of ``units`` units for ``gemeente`` in ``jaar``; the same seed gives the same population."""
    g = normalise_gemeente(gemeente)
    rng = random.Random(seed)  # noqa: S311 - a reproducible synthetic population, not a secret
    peildatum = date(jaar + 1, 3, 1)
    builder = UnitBuilder(g, jaar, peildatum, rng)
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
