"""Prometheus metrics, correct with several processes.

When ``PROMETHEUS_MULTIPROC_DIR`` is set (as ``ketenpoort run`` should for its worker processes),
every process writes its samples there and ``/metrics`` aggregates them with the multiprocess
collector; otherwise the process-local default registry is served.
"""

from __future__ import annotations

import os

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess

REQUESTS = Counter("ketenpoort_http_requests_total", "HTTP requests by route and status", ["route", "status"])
LATENCY = Histogram("ketenpoort_http_request_seconds", "HTTP request duration", ["route"])
SUBMITTED = Counter("ketenpoort_messages_submitted_total", "Messages accepted for intake over HTTP")


def render() -> tuple[bytes, str]:
    """The exposition text for this process, or for all processes in multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST


__all__ = ["LATENCY", "REQUESTS", "SUBMITTED", "render"]
