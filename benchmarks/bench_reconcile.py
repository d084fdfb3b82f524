"""Reconciliation of 1,000,000 trajecten: ketenpoort's columnar bridge vs a naive pure-Python loop, same file, same run.

The population comes from ``gateway.reconcile.population`` (every bridge effect present) and is
written once as the ``--trajecten`` CSV. Both contenders start from that file:

* **ketenpoort**: ``read_csv`` (csv module into numpy columns) + ``reconcile`` (numpy masks,
  bincount and unique) — the work ``ketenpoort reconcile`` does before writing its files;
* **naive**: ``csv.DictReader`` and one pass over the rows with per-row Python tests for every
  period, sets of clients per period and hulpvorm, product codes looked up once each (the obvious
  script someone would write).

Both compute the bridge of the seven periods of 2018 (four quarters, two half years, the year) and
must agree exactly; the ratio is naive time / ketenpoort time, per round, median over rounds.
ketenpoort is also timed for one period (2018HJ2) and end to end with writing bridge.json,
bridge.csv and report.html.

Target (issue 5): 1,000,000 trajecten reconciled in under 10 s on this machine.

Run: ``python benchmarks/bench_reconcile.py [--trajecten 1000000] [--rounds 3]``; writes
``benchmarks/results/bench_reconcile.json``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
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


def naive(path: Path, perioden: str, peildatum: date, cbs: dict[tuple[str, str], int]) -> list[dict[str, Any]]:
    """The bridge of all periods in one plain pass over csv.DictReader rows."""
    periods = parse_periodes(perioden)
    keys = ("totaal", *HULPVORMEN)
    steps = ("datahuis_trajecten", "pgb", "zonder_cbs_codering", "niet_woonachtig", "nagekomen")
    coding: dict[tuple[str, str], str | None] = {}
    counts = {(p.code, k): dict.fromkeys(steps, 0) for p in periods for k in keys}
    kept = dict.fromkeys(counts, 0)
    clients: dict[tuple[str, str], set[str]] = {key: set() for key in counts}
    peil = peildatum.isoformat()
    bounds = [(p, p.begin.isoformat(), p.end.isoformat()) for p in periods]
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["gemeente"].upper().removeprefix("GM").zfill(4) != GEMEENTE:
                continue
            declared = bool(row["gedeclareerd_op"]) and row["gedeclareerd_op"] <= peil
            pgb = row["financiering"] == "pgb"
            woon = row["woongemeente"]
            woont = woon == "" or woon.upper().removeprefix("GM").zfill(4) == GEMEENTE
            for p, begin, end in bounds:
                if row["begindatum"] > end or (row["einddatum"] and row["einddatum"] < begin):
                    continue
                code = row["productcode"]
                if (p.code, code) not in coding:
                    found = lookup_in_period(code, gemeente=GEMEENTE, begin=p.begin, end=p.end)
                    coding[(p.code, code)] = found.cbs_hulpvorm if found else None
                hv = coding[(p.code, code)]
                for key in ((p.code, "totaal"), (p.code, hv)) if hv else ((p.code, "totaal"),):
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
    for key, steps_of in counts.items():
        distinct = len(clients[key])
        published = cbs.get(key)
        rows.append(
            {
                "periode": key[0],
                "hulpvorm": key[1],
                **steps_of,
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
        codes = "2018KW1,2018KW2,2018KW3,2018KW4,2018HJ1,2018HJ2,2018JJ"
        year = parse_periodes(codes)
        one = parse_periodes("2018HJ2")
        peil = date(2019, 3, 1)
        times: dict[str, list[float]] = {"naive": [], "year": [], "one": [], "full": []}
        for _ in range(args.rounds):  # one after the other within a round, so load hits them alike
            t0 = time.perf_counter()
            expected = naive(paths["trajecten.csv"], codes, peil, cbs)
            times["naive"].append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            result = reconcile(
                read_csv(paths["trajecten.csv"]), gemeente=GEMEENTE, perioden=year, peildatum=peil, cbs=cbs
            )
            times["year"].append(time.perf_counter() - t0)
            assert [r.to_dict() for r in result.rows] == expected, "naive and ketenpoort disagree"
            t0 = time.perf_counter()
            reconcile(read_csv(paths["trajecten.csv"]), gemeente=GEMEENTE, perioden=one, peildatum=peil, cbs=cbs)
            times["one"].append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            write_run(reconcile(read_csv(paths["trajecten.csv"]), gemeente=GEMEENTE, perioden=year, peildatum=peil,
                                cbs=cbs), Path(tmp) / "run")  # fmt: skip
            times["full"].append(time.perf_counter() - t0)
    med = {k: statistics.median(v) for k, v in times.items()}
    ratio = statistics.median(n / y for n, y in zip(times["naive"], times["year"], strict=True))
    figures = {
        "trajecten": n,
        "csv_mb": round(size_mb, 1),
        "rounds": args.rounds,
        "naive_seven_periods_s": round(med["naive"], 3),
        "ketenpoort_seven_periods_s": round(med["year"], 3),
        "speedup_vs_naive": round(ratio, 1),
        "ketenpoort_one_period_s": round(med["one"], 3),
        "ketenpoort_seven_periods_with_report_s": round(med["full"], 3),
        "load_average_1m": round(os.getloadavg()[0], 1),
        "cpus": os.cpu_count(),
        "target_s": 10.0,
        "target_met": med["year"] < 10.0 and med["full"] < 10.0,
    }
    print()
    print("| contender (same CSV, same run; read + bridge) | trajecten | median s | vs naive |")
    print("|---|---:|---:|---:|")
    print(f"| naive pure-Python loop (csv.DictReader, one pass), 7 periods | {n:,} | {med['naive']:.2f} | 1.0x |")
    print(f"| ketenpoort read_csv + reconcile, 7 periods | {n:,} | {med['year']:.2f} | {ratio:.1f}x faster |")
    print(f"| ketenpoort read_csv + reconcile, 1 period (2018HJ2) | {n:,} | {med['one']:.2f} | |")
    print(f"| ketenpoort 7 periods + bridge.json/csv + report.html | {n:,} | {med['full']:.2f} | |")
    print(
        f"\ntarget: {n:,} trajecten in < 10 s -> {'met' if figures['target_met'] else 'NOT met'} "
        f"(load average {figures['load_average_1m']} on {figures['cpus']} CPUs at the end of the run)"
    )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
