"""The pipeline's Prometheus counters and histogram, fed by the workers; the store's gauges live elsewhere.

What changes with every job is counted where it happens, in the worker process, and is summed
over processes by prometheus-client's multiprocess mode (``PROMETHEUS_MULTIPROC_DIR``, set for
every API and worker process alike). What describes the store — messages per status, jobs per
stage and state, the dead-letter queue — is read from the store at scrape time
(:mod:`gateway.api.metrics`), so it is right whichever process changed it and survives restarts.

Cost on the hot path: one labelled ``inc`` or ``observe`` per job (a few microseconds in
multiprocess mode), never a query.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from prometheus_client import Counter, Histogram

RELAY_ATTEMPTS = Counter(
    "ketenpoort_relay_attempts_total",
    "Delivery attempts by outcome (delivered, retry, permanent, no_route; refused: held back here) and route",
    ["outcome", "route"],
)
RULE_FINDINGS = Counter(
    "ketenpoort_rule_findings_total",
    "Validation findings by rule id (XSD and parse findings by their kind)",
    ["rule"],
)
STAGE_SECONDS = Histogram(
    "ketenpoort_stage_seconds",
    "Seconds one job of a stage took: its work plus its share of the commit",
    ["stage"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)

NO_ROUTE = "none"
"""The ``route`` label of an attempt that found no route."""

_children: dict[tuple[object, ...], Any] = {}
"""Labelled series already looked up: ``labels()`` takes a lock and costs as much as the ``inc`` itself.
A race only looks a series up twice (``labels()`` returns the same one)."""


def _child(metric: Any, *labels: str) -> Any:
    key = (id(metric), *labels)
    child = _children.get(key)
    if child is None:
        child = _children[key] = metric.labels(*labels)
    return child


def count_relay(decision: Any) -> None:
    """Count one relay decision: its outcome, or ``refused`` when no request left this process."""
    result = decision.result
    outcome = str(result.outcome).lower() if decision.attempted else "refused"
    _child(RELAY_ATTEMPTS, outcome, result.destination or NO_ROUTE).inc()


def count_findings(findings: Iterable[Any], counts: Mapping[str, int] | None = None) -> None:
    """Count each finding of a verdict under its rule id (or its kind, for XSD and parse errors).

    ``counts``: the verdict's exact counts per rule id or ``xsd:<error type>`` (gateway.findings), when
    ``findings`` holds only the first of a flood; every finding is then counted, not only those kept.
    """
    if counts:
        for key, number in counts.items():
            if number:
                _child(RULE_FINDINGS, key.split(":", 1)[0]).inc(number)
        return
    for finding in findings:
        _child(RULE_FINDINGS, str(finding.rule or finding.kind)).inc()


__all__ = ["NO_ROUTE", "RELAY_ATTEMPTS", "RULE_FINDINGS", "STAGE_SECONDS", "count_findings", "count_relay"]
