"""Reconciliation of 1,000,000 trajecten: ketenpoort's columnar bridge vs a naive pure-Python loop, same file, same run.

The population comes from ``gateway.reconcile.population`` (every bridge effect present) and is
written once as the ``--trajecten`` CSV. Both contenders start from that file:

* **ketenpoort**: ``read_csv`` (csv module into numpy columns) + ``reconcile`` (numpy masks,
  bincount and unique) — the work ``ketenpoort reconcile`` does before writing its files;
* **naive**: ``csv.DictReader`` and one pass per period with per-row Python tests, sets of clients
  per hulpvorm, product codes looked up once each (the obvious script someone would write).

Both compute the bridge of one period (2018HJ2, the issue's example) and must agree exactly; the
ratio is naive time / ketenpoort time. ketenpoort is also timed over all seven periods of the year
and end to end with writing bridge.json, bridge.csv and report.html.

Target (issue 5): 1,000,000 trajecten reconciled in under 10 s on this machine.

Run: ``python benchmarks/bench_reconcile.py [--trajecten 1000000] [--rounds 3]``; writes
``benchmarks/results/bench_reconcile.json``.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from gateway.mapping import lookup_in_period
from gateway.reconcile import parse_periodes, read_csv, reconcile, write_run
from gateway.reconcile import population as pop_module
from gateway.reconcile.inputs import read_cbs

RESULTS = Path(__file__).resolve().parent / "results" / "bench_reconcile.json"
GEMEENTE = "0034"
HULPVORMEN = ("01", "02", "03", "04", "11", "12", "13", "14")


def naive(path: Path, periode: str, peildatum: date, cbs: dict[tuple[str, str], int]) -> list[dict[str, Any]]:
    """The bridge of one period by a plain loop over csv.DictReader rows."""
    (p,) = parse_periodes(periode)
    coding: dict[str, str | None] = {}
    keys = ("totaal", *HULPVORMEN)
    steps = ("datahuis_trajecten", "pgb", "zonder_cbs_codering", "niet_woonachtig", "nagekomen")
    counts = {k: dict.fromkeys(steps, 0) for k in keys}
    kept: dict[str, int] = dict.fromkeys(keys, 0)
    clients: dict[str, set[str]] = {k: set() for k in keys}
    peil = peildatum.isoformat()
    begin, end = p.begin.isoformat(), p.end.isoformat()
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            gem = row["gemeente"].upper().removeprefix("GM").zfill(4)
            if gem != GEMEENTE or row["begindatum"] > end or (row["einddatum"] and row["einddatum"] < begin):
                continue
            code = row["productcode"]
            if code not in coding:
                found = lookup_in_period(code, gemeente=GEMEENTE, begin=p.begin, end=p.end)
                coding[code] = found.cbs_hulpvorm if found else None
            hv = coding[code]
            targets = ("totaal", hv) if hv else ("totaal",)
            declared = bool(row["gedeclareerd_op"]) and row["gedeclareerd_op"] <= peil
            pgb = row["financiering"] == "pgb"
            woon = row["woongemeente"]
            woont = woon == "" or woon.upper().removeprefix("GM").zfill(4) == GEMEENTE
            for key in targets:
                c = counts[key]
                if declared:
                    c["datahuis_trajecten"] += 1
                    if pgb:
                        c["pgb"] -= 1
                        continue
                    if hv is None:
                        c["zonder_cbs_codering"] -= 1
                        continue
                    if not woont:
                        c["niet_woonachtig"] -= 1
                        continue
                elif pgb or hv is None or not woont:
                    continue
                else:
                    c["nagekomen"] += 1
                kept[key] += 1
                clients[key].add(row["client"])
    rows = []
    for key in keys:
        distinct = len(clients[key])
        published = cbs.get((periode, key))
        rows.append(
            {
                "periode": periode,
                "hulpvorm": key,
                **counts[key],
                "dubbele_trajecten": -(kept[key] - distinct),
                "verwacht_cbs": distinct,
                "cbs_gepubliceerd": published,
                "onverklaard": None if published is None else published - distinct,
            }
        )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--trajecten", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", type=Path, default=RESULTS)
    args = parser.parse_args()

    start = time.perf_counter()
    units = max(1, round(args.trajecten / 1.156))
    pop = pop_module.generate(GEMEENTE, seed=2018, units=units)
    with tempfile.TemporaryDirectory() as tmp:
        paths = pop_module.write(pop, Path(tmp))
        n = len(pop.trajecten)
        size_mb = paths["trajecten.csv"].stat().st_size / 1e6
        del pop
        print(f"population: {n:,} trajecten ({size_mb:.0f} MB CSV) built in {time.perf_counter() - start:.1f} s")
        cbs = read_cbs(paths["cbs.csv"], GEMEENTE)
        one = parse_periodes("2018HJ2")
        year = parse_periodes("2018KW1,2018KW2,2018KW3,2018KW4,2018HJ1,2018HJ2,2018JJ")
        peil = date(2019, 3, 1)
        fast, fast_year, full, slow = [], [], [], []
        for _ in range(args.rounds):
            t0 = time.perf_counter()
            result = reconcile(
                read_csv(paths["trajecten.csv"]), gemeente=GEMEENTE, perioden=one, peildatum=peil, cbs=cbs
            )
            fast.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            expected = naive(paths["trajecten.csv"], "2018HJ2", peil, cbs)
            slow.append(time.perf_counter() - t0)
            assert [r.to_dict() for r in result.rows] == expected, "naive and ketenpoort disagree"
            t0 = time.perf_counter()
            data = read_csv(paths["trajecten.csv"])
            result = reconcile(data, gemeente=GEMEENTE, perioden=year, peildatum=peil, cbs=cbs)
            fast_year.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            write_run(result, Path(tmp) / "run")
            full.append(fast_year[-1] + time.perf_counter() - t0)
    med = {k: statistics.median(v) for k, v in (("fast", fast), ("slow", slow), ("year", fast_year), ("full", full))}
    ratios = statistics.median(s / f for s, f in zip(slow, fast, strict=True))
    figures = {
        "trajecten": n,
        "csv_mb": round(size_mb, 1),
        "rounds": args.rounds,
        "ketenpoort_one_period_s": round(med["fast"], 3),
        "naive_one_period_s": round(med["slow"], 3),
        "speedup_vs_naive": round(ratios, 1),
        "ketenpoort_seven_periods_s": round(med["year"], 3),
        "ketenpoort_seven_periods_with_report_s": round(med["full"], 3),
        "target_s": 10.0,
        "target_met": med["year"] < 10.0,
    }
    print()
    print("| contender (same CSV, same run) | trajecten | median s | vs naive |")
    print("|---|---:|---:|---:|")
    print(f"| naive pure-Python loop, 2018HJ2 | {n:,} | {med['slow']:.2f} | 1.0x |")
    print(f"| ketenpoort read_csv + reconcile, 2018HJ2 | {n:,} | {med['fast']:.2f} | {ratios:.1f}x faster |")
    print(f"| ketenpoort, all 7 periods of 2018 | {n:,} | {med['year']:.2f} | |")
    print(f"| ketenpoort, 7 periods + bridge.json/csv + report.html | {n:,} | {med['full']:.2f} | |")
    print(f"\ntarget: {n:,} trajecten in < 10 s -> {'met' if figures['target_met'] else 'NOT met'}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
