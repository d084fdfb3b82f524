"""The bridge from the datahuis count to the CBS count, cause by cause, per period and CBS hulpvorm.

Over the trajecten whose care overlaps the period and whose paying gemeente is G, in this order:

1. ``datahuis_trajecten``: declared on or before the peildatum;
2. ``pgb``: minus those financed by PGB (CBS counts care in natura only);
3. ``zonder_cbs_codering``: minus those whose product code has no CBS hulpvorm (only in ``totaal``: a
   category row holds the trajecten whose product code has that hulpvorm, so none lack one);
4. ``niet_woonachtig``: minus those whose woongemeente is not G (an empty woongemeente counts as G);
5. ``nagekomen``: plus those passing 2–4 that had not been declared by the peildatum;
6. ``dubbele_trajecten``: minus (trajecten left − distinct clients among them);
7. ``verwacht_cbs`` = the result; ``onverklaard`` = ``cbs_gepubliceerd − verwacht_cbs``.

The CBS hulpvorm of a product code is the one gemeente G expects (its overrides of the national
list) in force at the end of the period, or on the last day in it that the code was valid.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from gateway.mapping.lookup import lookup_in_period
from gateway.mapping.tables import hulpvorm_codes, normalise_gemeente
from gateway.reconcile.periods import Periode
from gateway.reconcile.trajecten import Trajecten

TOTAAL = "totaal"
STEPS = (
    "datahuis_trajecten",
    "pgb",
    "zonder_cbs_codering",
    "niet_woonachtig",
    "nagekomen",
    "dubbele_trajecten",
    "verwacht_cbs",
)
COLUMNS = ("periode", "hulpvorm", *STEPS, "cbs_gepubliceerd", "onverklaard")
OVERIG = "overig"
"""The datahuis group of a product code that neither the national list nor the gemeente knows."""

Counts = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class BridgeRow:
    """One row of bridge.json; subtractions are negative so the step columns add up to ``verwacht_cbs``."""

    periode: str
    hulpvorm: str
    datahuis_trajecten: int
    pgb: int
    zonder_cbs_codering: int
    niet_woonachtig: int
    nagekomen: int
    dubbele_trajecten: int
    verwacht_cbs: int
    cbs_gepubliceerd: int | None
    onverklaard: int | None

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of one row."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Uncoded:
    """A product code without CBS hulpvorm and how many datahuis trajecten (natura) it took out."""

    productcode: str
    trajecten: int


@dataclass(frozen=True, slots=True)
class AanbiederShare:
    """An aanbieder's share of the expected clients in the hulpvormen where CBS differs."""

    aanbieder: str
    toegerekend: float
    """The unexplained rest attributed to this aanbieder (onverklaard × its share of verwacht)."""
    per_hulpvorm: dict[str, float]


@dataclass(slots=True)
class PeriodDetail:
    """What the report shows beside the bridge rows of one period."""

    periode: Periode
    uncoded: list[Uncoded] = field(default_factory=list)
    aanbieders: list[AanbiederShare] = field(default_factory=list)
    datahuis_groepen: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class Reconciliation:
    """The whole result: bridge rows plus per-period details."""

    gemeente: str
    peildatum: date
    rows: list[BridgeRow]
    details: list[PeriodDetail]


def _code_tables(t: Trajecten, gemeente: str, periode: Periode) -> tuple[npt.NDArray[np.int64], list[str]]:
    """Per product code: the index of its CBS hulpvorm (−1 = none) and its datahuis group."""
    codes = hulpvorm_codes()
    hv = np.full(len(t.productcodes), -1, dtype=np.int64)
    groups: list[str] = []
    for i, code in enumerate(t.productcodes):
        found = lookup_in_period(code, gemeente=gemeente, begin=periode.begin, end=periode.end)
        if found is not None and found.cbs_hulpvorm is not None:
            hv[i] = codes.index(found.cbs_hulpvorm)
        groups.append((found.hulpvorm_gemeente if found else None) or OVERIG)
    return hv, groups


def _bincount(values: npt.NDArray[np.int64], size: int) -> Counts:
    return np.bincount(values, minlength=size).astype(np.int64)


MASK_LIMIT = 1 << 25
"""Up to this key space, distinct keys are found with a boolean mask (linear) instead of a sort."""


def _distinct(keys: npt.NDArray[np.int64], space: int) -> npt.NDArray[np.int64]:
    """The distinct values of ``keys`` (all in ``0..space-1``), sorted."""
    if space <= MASK_LIMIT:
        seen = np.zeros(max(space, 1), dtype=np.bool_)
        seen[keys] = True
        return np.flatnonzero(seen)
    ordered = np.sort(keys)
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))] if len(ordered) else ordered


def _distinct_per(category: npt.NDArray[np.int64], client: npt.NDArray[np.int64], clients: int, size: int) -> Counts:
    """Distinct clients per category."""
    width = max(clients, 1)
    keys = _distinct(category * width + client, size * width)
    return _bincount(keys // width, size)


def reconcile(
    t: Trajecten,
    *,
    gemeente: str,
    perioden: list[Periode],
    peildatum: date,
    cbs: Mapping[tuple[str, str], int] | None = None,
    top: int = 10,
) -> Reconciliation:
    """The bridge for ``gemeente`` over ``perioden``; ``cbs`` maps (periode, hulpvorm|totaal) to published counts."""
    g_code = normalise_gemeente(gemeente)
    published = cbs or {}
    rows: list[BridgeRow] = []
    details: list[PeriodDetail] = []
    for periode in perioden:
        period_rows, detail = _period(
            t, g_code=g_code, periode=periode, peildatum=peildatum, published=published, top=top
        )
        rows.extend(period_rows)
        details.append(detail)
    return Reconciliation(gemeente=g_code, peildatum=peildatum, rows=rows, details=details)


def _period(
    t: Trajecten,
    *,
    g_code: str,
    periode: Periode,
    peildatum: date,
    published: Mapping[tuple[str, str], int],
    top: int,
) -> tuple[list[BridgeRow], PeriodDetail]:
    codes = hulpvorm_codes()
    size = len(codes) + 1  # bucket 0: no CBS hulpvorm
    hv_of_code, group_of_code = _code_tables(t, g_code, periode)
    g = t.gemeenten.index(g_code) if g_code in t.gemeenten else -2
    empty = t.gemeenten.index("") if "" in t.gemeenten else -2
    start, end, peil = (np.datetime64(d, "D") for d in (periode.begin, periode.end, peildatum))

    base = (t.begin <= end) & ~(t.end < start) & (t.gemeente == g)
    idx = np.flatnonzero(base)
    bucket = hv_of_code[t.productcode[idx]] + 1
    client = t.client[idx].astype(np.int64)
    declared = t.declared[idx] <= peil
    natura = ~t.pgb[idx]
    coded = bucket > 0
    woont = (t.woongemeente[idx] == g) | (t.woongemeente[idx] == empty)
    kept = natura & coded & woont

    datahuis = _bincount(bucket[declared], size)
    pgb = _bincount(bucket[declared & ~natura], size)
    niet = _bincount(bucket[declared & natura & coded & ~woont], size)
    nagekomen = _bincount(bucket[kept & ~declared], size)
    left = _bincount(bucket[kept], size)
    distinct = _distinct_per(bucket[kept], client[kept], t.clients, size)

    totals = {
        "datahuis_trajecten": int(datahuis.sum()),
        "pgb": -int(pgb.sum()),
        "zonder_cbs_codering": -int(datahuis[0] - pgb[0]),
        "niet_woonachtig": -int(niet.sum()),
        "nagekomen": int(nagekomen.sum()),
        "dubbele_trajecten": -int(left.sum() - _distinct(client[kept], t.clients).size),
        "verwacht_cbs": int(_distinct(client[kept], t.clients).size),
    }
    rows = [_row(periode.code, TOTAAL, totals, published)]
    for i, code in enumerate(codes, start=1):
        steps = {
            "datahuis_trajecten": int(datahuis[i]),
            "pgb": -int(pgb[i]),
            "zonder_cbs_codering": 0,
            "niet_woonachtig": -int(niet[i]),
            "nagekomen": int(nagekomen[i]),
            "dubbele_trajecten": -int(left[i] - distinct[i]),
            "verwacht_cbs": int(distinct[i]),
        }
        rows.append(_row(periode.code, code, steps, published))

    detail = PeriodDetail(periode=periode)
    lost = _bincount(t.productcode[idx][declared & natura & ~coded].astype(np.int64), len(t.productcodes))
    order = np.argsort(-lost, kind="stable")[:top]
    detail.uncoded = [Uncoded(t.productcodes[i], int(lost[i])) for i in order if lost[i] > 0]
    group_index = {name: n for n, name in enumerate(dict.fromkeys(group_of_code))}
    group_codes = np.array([group_index[x] for x in group_of_code] or [0], dtype=np.int64)
    per_group = _bincount(group_codes[t.productcode[idx][declared]], len(group_index))
    detail.datahuis_groepen = {name: int(per_group[n]) for name, n in group_index.items() if per_group[n]}
    detail.aanbieders = _attribute(t, rows, bucket[kept], client[kept], t.aanbieder[idx][kept].astype(np.int64))
    return rows, detail


def _row(periode: str, hulpvorm: str, steps: dict[str, int], published: Mapping[tuple[str, str], int]) -> BridgeRow:
    cbs = published.get((periode, hulpvorm))
    return BridgeRow(
        periode=periode,
        hulpvorm=hulpvorm,
        **steps,
        cbs_gepubliceerd=cbs,
        onverklaard=None if cbs is None else cbs - steps["verwacht_cbs"],
    )


def _attribute(
    t: Trajecten,
    rows: list[BridgeRow],
    bucket: npt.NDArray[np.int64],
    client: npt.NDArray[np.int64],
    aanbieder: npt.NDArray[np.int64],
) -> list[AanbiederShare]:
    """Spread each hulpvorm's unexplained rest over the aanbieders by their share of its expected clients.

    A client with two aanbieders in one hulpvorm counts for both, so shares are of client-aanbieder pairs.
    """
    codes = hulpvorm_codes()
    targets = [(i, r) for i, r in enumerate(rows[1:], start=1) if r.onverklaard]
    if not targets and rows[0].onverklaard:  # only a total published: attribute the total
        bucket = np.zeros_like(bucket)
        targets = [(0, rows[0])]
    if not targets or not len(bucket):
        return []
    n_a = max(len(t.aanbieders), 1)
    width = max(t.clients, 1)
    pairs = _distinct((bucket * n_a + aanbieder) * width + client, (len(codes) + 1) * n_a * width) // width
    counts = np.bincount(pairs, minlength=(len(codes) + 1) * n_a).reshape(len(codes) + 1, n_a)
    shares: dict[int, dict[str, float]] = {}
    for i, row in targets:
        total = counts[i].sum()
        if total == 0 or row.onverklaard is None:
            continue
        for a in np.flatnonzero(counts[i]):
            shares.setdefault(int(a), {})[row.hulpvorm] = float(row.onverklaard * counts[i][a] / total)
    found = [AanbiederShare(t.aanbieders[a], float(sum(per.values())), per) for a, per in shares.items()]
    found.sort(key=lambda s: (-sum(abs(v) for v in s.per_hulpvorm.values()), s.aanbieder))
    return found


__all__ = [
    "COLUMNS",
    "OVERIG",
    "STEPS",
    "TOTAAL",
    "AanbiederShare",
    "BridgeRow",
    "PeriodDetail",
    "Reconciliation",
    "Uncoded",
    "reconcile",
]
