"""Validation throughput: raw lxml vs gateway.validate (with and without rules) vs xmlschema.

All contenders validate the same bytes against the same bundled XSD, in one run, interleaved
round by round so that machine noise hits them alike. Figures are messages per second
(median over rounds). Run: ``python benchmarks/bench_validate.py [--rounds 5] [--json OUT]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import xmlschema
from lxml import etree

from gateway.generate import large_jw323, small_jw301
from gateway.schemas import registry_for
from gateway.validation import validate


def _rate(func: Callable[[], object], min_seconds: float, min_calls: int) -> float:
    calls, start = 0, time.perf_counter()
    while True:
        func()
        calls += 1
        elapsed = time.perf_counter() - start
        if calls >= min_calls and elapsed >= min_seconds:
            return calls / elapsed


def bench_document(name: str, data: bytes, rounds: int, min_seconds: float, with_xmlschema: bool) -> dict[str, float]:
    """Messages/s of every contender on one document."""
    registry = registry_for()
    root = etree.fromstring(data)
    qname = etree.QName(root)
    entry = registry.lookup(qname.namespace or "", qname.localname)
    assert entry is not None, f"no bundled schema for {name}"
    schema = registry.schema_for(entry)
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    assert schema.validate(etree.fromstring(data, parser)), f"{name} is not XSD-valid"
    assert validate(data).valid, f"{name} has findings: {validate(data).errors[:3]}"

    def raw_lxml() -> object:
        return schema.validate(etree.fromstring(data, parser))

    contenders: dict[str, Callable[[], object]] = {
        "raw_lxml": raw_lxml,
        "gateway_xsd_only": lambda: validate(data, rules=False),
        "gateway_with_rules": lambda: validate(data),
    }
    if with_xmlschema:
        xs = xmlschema.XMLSchema(str(entry.path))
        text = data.decode()
        contenders["xmlschema"] = lambda: xs.is_valid(text)
    samples: dict[str, list[float]] = {key: [] for key in contenders}
    for _ in range(rounds):
        for key, func in contenders.items():
            slow = key == "xmlschema"
            samples[key].append(_rate(func, min_seconds / (4 if slow else 1), 1 if slow else 3))
    return {key: statistics.median(values) for key, values in samples.items()}


def main() -> None:
    """Measure and print the table that the README quotes."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=1.0, help="minimum time per sample")
    parser.add_argument("--prestaties", type=int, default=20_000)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    documents = {
        "JW301 small": small_jw301(seed=1),
        f"JW323 {args.prestaties} Prestaties": large_jw323(args.prestaties, seed=1),
    }
    results: dict[str, dict[str, float]] = {}
    for name, data in documents.items():
        results[name] = bench_document(name, data, args.rounds, args.seconds, with_xmlschema=True)
        results[name]["bytes"] = float(len(data))
    print(
        "| document | bytes | raw lxml msg/s | gateway (XSD) msg/s | gateway (XSD+rules) msg/s | "
        "xmlschema msg/s | gateway/lxml | gateway+rules/lxml | gateway/xmlschema |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, r in results.items():
        print(
            f"| {name} | {int(r['bytes']):,} | {r['raw_lxml']:.1f} | {r['gateway_xsd_only']:.1f} | "
            f"{r['gateway_with_rules']:.1f} | {r['xmlschema']:.2f} | "
            f"{r['gateway_xsd_only'] / r['raw_lxml']:.2f}x | {r['gateway_with_rules'] / r['raw_lxml']:.2f}x | "
            f"{r['gateway_with_rules'] / r['xmlschema']:.0f}x |"
        )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
