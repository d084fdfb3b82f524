"""Prometheus metrics, correct with several processes.

Two sources make one exposition:

* counters and histograms of this process and, when ``PROMETHEUS_MULTIPROC_DIR`` is set (every
  API and worker process of one installation pointing at the same directory), of all processes,
  summed by the multiprocess collector: HTTP requests, relay attempts, rule findings, stage
  seconds (:mod:`gateway.metrics`), SQLite's write lock;
* gauges read from the store at scrape time (:class:`StoreCollector`): messages per status,
  jobs per stage and state, dead letters. The store is the one truth every process shares, so
  these are right across processes and restarts without any process keeping a tally. They are
  grouped SQL queries (:mod:`gateway.store.gauges`): a store other than the SQL one has none.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import structlog
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

import gateway.metrics  # noqa: F401 - the worker-side series exist in this registry too (single-process mode)
from gateway.api.stores import sql_store
from gateway.errors import StoreError
from gateway.store.gauges import store_gauges

if TYPE_CHECKING:
    from gateway.ports import ApiStore
    from gateway.store import Store

log = structlog.get_logger("gateway.api.metrics")

REQUESTS = Counter("ketenpoort_http_requests_total", "HTTP requests by route and status", ["route", "status"])
LATENCY = Histogram("ketenpoort_http_request_seconds", "HTTP request duration", ["route"])
SUBMITTED = Counter("ketenpoort_messages_submitted_total", "Messages accepted for intake over HTTP")


class StoreCollector(Collector):
    """The store's gauges, read when scraped (two grouped queries, whatever the traffic)."""

    def __init__(self, store: Store) -> None:
        """Read ``store`` on each :meth:`collect`."""
        self.store = store

    def collect(self) -> Iterator[Metric]:
        """Messages per status, jobs per stage and state, dead letters; ``ketenpoort_store_up`` 0 when unreadable."""
        up = GaugeMetricFamily("ketenpoort_store_up", "1 when the store answered the metrics scrape")
        try:
            gauges = store_gauges(self.store)
        except StoreError as exc:  # a scrape must still answer; the error names no message content
            log.warning("metrics.store_unreadable", error=type(exc).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        messages = GaugeMetricFamily(
            "ketenpoort_messages_total", "Messages in the store by status (read at scrape time)", labels=["status"]
        )
        for status, count in sorted(gauges.messages.items()):
            messages.add_metric([status], count)
        yield messages
        jobs = GaugeMetricFamily("ketenpoort_jobs", "Jobs by stage and state", labels=["stage", "state"])
        for (stage, state), count in sorted(gauges.jobs.items()):
            jobs.add_metric([stage, state], count)
        yield jobs
        dead = GaugeMetricFamily("ketenpoort_dead_letters", "Messages in the dead-letter queue")
        dead.add_metric([], gauges.dead_letters)
        yield dead


def render(store: ApiStore | None = None) -> tuple[bytes, str]:
    """The exposition text: this process's (or every process's) samples, then the SQL store's gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        body = generate_latest(registry)
    else:
        body = generate_latest(REGISTRY)
    sql = sql_store(store)
    if sql is not None:
        gauges = CollectorRegistry(auto_describe=False)
        gauges.register(StoreCollector(sql))
        body += generate_latest(gauges)
    return body, CONTENT_TYPE_LATEST


__all__ = ["LATENCY", "REQUESTS", "SUBMITTED", "StoreCollector", "render"]
