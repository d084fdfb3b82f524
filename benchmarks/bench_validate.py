"""Validation throughput: raw lxml vs gateway.validate (with and without rules) vs xmlschema.

All contenders validate the same bytes against the same bundled XSD, in one run. lxml and the
gateway are interleaved call by call in rotating order so that machine noise hits them alike;
xmlschema runs in its own block each round (interleaving it call by call evicts the caches the
fast contenders use, which made them look slower than they are). Figures are messages per second
(median over rounds); ratios are the median of the ratios within each round. Workloads: a small
JW301 (~2 KB), a JW323 with 20,000 Prestaties (~13 MB) and a realistic mixed stream of valid
iJw 3.2 heenberichten (ijw_traffic).

Targets (issues 2 and 3): gateway.validate >= 0.8x raw lxml parse+validate and >= 25x xmlschema;
with the business rules, the 20,000-Prestatie JW323 >= 0.5x raw lxml. Issue 20: the same JW323 with
one rule finding on every Prestatie (each IngediendBedrag one cent off, TR346) >= 0.2x raw lxml; its
findings are capped (KETENPOORT_MAX_FINDINGS) and counted exactly, and their paths are linear.

Issue 20 also: the small JW301 with the business rules >= 0.35x raw lxml.

Run: ``python benchmarks/bench_validate.py [--rounds 7] [--seconds 0.5] [--json OUT] [--only CASE]``; writes
``benchmarks/results/bench_validate.json`` unless ``--json`` says otherwise. ``--only jw301`` (or ``jw323``,
``traffic``, ``flood``; repeatable) measures just those workloads, prints their tables and writes no JSON
unless ``--json`` is given.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import xmlschema
from lxml import etree

from gateway.generate import ijw_traffic, large_jw323, small_jw301
from gateway.schemas import registry_for
from gateway.validation import validate

RESULTS = Path(__file__).resolve().parent / "results" / "bench_validate.json"


def _rate(func: Callable[[], object], messages: int, min_seconds: float, min_calls: int) -> float:
    calls, start = 0, time.perf_counter()
    while True:
        func()
        calls += 1
        elapsed = time.perf_counter() - start
        if calls >= min_calls and elapsed >= min_seconds:
            return calls * messages / elapsed


def faulty(data: bytes) -> bytes:
    """``data`` with every IngediendBedrag one cent more than volume x tarief: XSD-valid, one TR346 per Prestatie."""

    def more(match: re.Match[bytes]) -> bytes:
        return b"<ijw:Bedrag>%d</ijw:Bedrag>" % (int(match.group(1)) + 1)

    return re.sub(rb"<ijw:Bedrag>(\d+)</ijw:Bedrag>", more, data)


def bench_workload(
    name: str, docs: Sequence[bytes], rounds: int, min_seconds: float, *, with_findings: bool = False
) -> dict[str, float]:
    """Messages/s of every contender on one list of documents (each against its own bundled schema).

    ``with_findings``: the documents are XSD-valid but break business rules (the verdict is checked so).
    """
    registry = registry_for()
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    pairs: list[tuple[bytes, etree.XMLSchema]] = []
    paths: list[str] = []
    for data in docs:
        root = etree.fromstring(data)
        qname = etree.QName(root)
        entry = registry.lookup(qname.namespace or "", qname.localname)
        assert entry is not None, f"no bundled schema for {name}"
        schema = registry.schema_for(entry)
        assert schema.validate(etree.fromstring(data, parser)), f"{name} is not XSD-valid"
        verdict = validate(data)
        if with_findings:
            assert not verdict.valid and all(f.kind == "rule" for f in verdict.errors), f"{name}: {verdict.errors[:3]}"
        else:
            assert verdict.valid, f"{name} has findings: {verdict.errors[:3]}"
        pairs.append((data, schema))
        paths.append(str(entry.path))
    compiled = {path: xmlschema.XMLSchema(path) for path in sorted(set(paths))}
    texts = [(data.decode(), compiled[path]) for data, path in zip(docs, paths, strict=True)]

    def raw_lxml() -> None:
        for data, schema in pairs:
            schema.validate(etree.fromstring(data, parser))

    def gateway_xsd_only() -> None:
        for data in docs:
            validate(data, rules=False)

    def gateway_with_rules() -> None:
        for data in docs:
            validate(data)

    def with_xmlschema() -> None:
        for text, xs in texts:
            xs.is_valid(text)

    fast: dict[str, Callable[[], None]] = {
        "raw_lxml": raw_lxml,
        "gateway_xsd_only": gateway_xsd_only,
        "gateway_with_rules": gateway_with_rules,
    }
    samples: dict[str, list[float]] = {key: [] for key in (*fast, "xmlschema")}
    for _ in range(rounds):
        for key, value in _paired(fast, len(docs), min_seconds).items():
            samples[key].append(value)
        samples["xmlschema"].append(_rate(with_xmlschema, len(docs), min_seconds, 1))
    result = {key: statistics.median(values) for key, values in samples.items()}
    for key in ("gateway_xsd_only", "gateway_with_rules"):  # ratios of the same round, then the median
        result[f"{key}_vs_raw"] = statistics.median(
            g / r for g, r in zip(samples[key], samples["raw_lxml"], strict=True)
        )
        result[f"{key}_vs_xmlschema"] = statistics.median(
            g / x for g, x in zip(samples[key], samples["xmlschema"], strict=True)
        )
    result["bytes"] = float(sum(len(d) for d in docs) / len(docs))
    result["messages"] = float(len(docs))
    return result


def _paired(contenders: dict[str, Callable[[], None]], messages: int, min_seconds: float) -> dict[str, float]:
    """Messages/s of each contender, timed call by call in rotating order so that load spikes hit all alike."""
    spent = dict.fromkeys(contenders, 0.0)
    items = list(contenders.items())
    calls, start = 0, time.perf_counter()
    while calls < 3 or time.perf_counter() - start < min_seconds * len(items):
        for key, func in items[calls % len(items) :] + items[: calls % len(items)]:
            t0 = time.perf_counter()
            func()
            spent[key] += time.perf_counter() - t0
        calls += 1
    return {key: calls * messages / seconds for key, seconds in spent.items()}


SMALL = "JW301 small"
CASES = ("jw301", "jw323", "traffic", "flood")
"""What ``--only`` accepts: the small JW301, the large JW323, the mixed traffic, the JW323 with findings."""


def _targets(results: dict[str, dict[str, float]], large: str, flood: str) -> list[tuple[str, float, float]]:
    """(what, measured, target) for every target of the issues (of the workloads measured)."""
    rows: list[tuple[str, float, float]] = []
    for name, r in results.items():
        rows.append((f"{name}: gateway XSD / raw lxml", r["gateway_xsd_only_vs_raw"], 0.8))
        rows.append((f"{name}: gateway XSD / xmlschema", r["gateway_xsd_only_vs_xmlschema"], 25.0))
        rows.append((f"{name}: gateway XSD+rules / raw lxml", r["gateway_with_rules_vs_raw"], 0.8))
        rows.append((f"{name}: gateway XSD+rules / xmlschema", r["gateway_with_rules_vs_xmlschema"], 25.0))
    if SMALL in results:
        rows.append(
            (f"{SMALL}: gateway XSD+rules / raw lxml (issue 20)", results[SMALL]["gateway_with_rules_vs_raw"], 0.35)
        )
    if large in results:
        rows.append(
            (f"{large}: gateway XSD+rules / raw lxml (issue 3)", results[large]["gateway_with_rules_vs_raw"], 0.5)
        )
    if flood in results:
        rows.append(
            (f"{flood}: gateway XSD+rules / raw lxml (issue 20)", results[flood]["gateway_with_rules_vs_raw"], 0.2)
        )
    return rows


def main() -> None:
    """Measure and print the tables that the README quotes."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=0.5, help="minimum time per contender and round")
    parser.add_argument("--prestaties", type=int, default=20_000)
    parser.add_argument("--traffic", type=int, default=200, help="messages in the mixed-traffic workload")
    parser.add_argument("--json", type=Path, default=None, help=f"default {RESULTS} (none with --only)")
    parser.add_argument("--only", action="append", choices=CASES, help="measure only this workload (repeatable)")
    args = parser.parse_args()
    only = set(args.only or CASES)
    large = f"JW323 {args.prestaties} Prestaties"
    flood = f"JW323 {args.prestaties} Prestaties, a finding each"
    workloads: dict[str, Callable[[], list[bytes]]] = {
        SMALL: lambda: [small_jw301(seed=1)],
        large: lambda: [large_jw323(args.prestaties, seed=1)],
        f"mixed traffic ({args.traffic} valid iJw 3.2)": lambda: [
            m.data for m in ijw_traffic(args.traffic, seed=1, invalid_ratio=0.0)
        ],
    }
    results = {
        name: bench_workload(name, docs(), args.rounds, args.seconds)
        for (name, docs), case in zip(workloads.items(), CASES, strict=False)
        if case in only
    }
    if "flood" in only:
        flooded = [faulty(large_jw323(args.prestaties, seed=1))]
        results[flood] = bench_workload(flood, flooded, args.rounds, args.seconds, with_findings=True)
    print(
        "| workload | avg bytes | raw lxml msg/s | gateway (XSD) msg/s | gateway (XSD+rules) msg/s | xmlschema msg/s |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for name, r in results.items():
        print(
            f"| {name} | {int(r['bytes']):,} | {r['raw_lxml']:,.1f} | {r['gateway_xsd_only']:,.1f} | "
            f"{r['gateway_with_rules']:,.1f} | {r['xmlschema']:,.2f} |"
        )
    print("\n| target | measured | target | met |\n|---|---:|---:|---|")
    targets = _targets(results, large, flood)
    for what, measured, target in targets:
        print(f"| {what} | {measured:.2f}x | >= {target}x | {'yes' if measured >= target else 'NO'} |")
    out = args.json if args.json is not None else (None if args.only else RESULTS)
    if out is None:
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "workloads": results,
        "targets": [{"what": w, "measured": m, "target": t, "met": m >= t} for w, m, t in targets],
    }
    out.write_text(json.dumps(payload, indent=2) + "\n")


if __name__ == "__main__":
    main()
