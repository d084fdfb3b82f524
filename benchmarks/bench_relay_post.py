"""CPU per relay POST on loopback, by transport, beside bare ``http.client`` (the anchor).

The relay's POST was a quarter of a worker's CPU, so the transport under the Deliverer matters.
Measured interleaved in one process, against the benchmarks' loopback receiver (its own process):

* **anchor**: ``http.client`` alone on one keep-alive connection, the least a Python POST costs;
* **deliverer, stdlib post()**: the default (``StdlibTransport.post``, plain values);
* **deliverer, stdlib via httpx Request**: the same transport through its httpx seam (``HttpxPoster``);
* **deliverer, httpx transport**: ``KETENPOORT_RELAY_TRANSPORT=httpx``.

Each Deliverer row includes everything a relay attempt does (routing, breaker, in-flight slot,
classification); logging is at WARNING, as the pipeline bench runs its workers.

Run: ``python benchmarks/bench_relay_post.py [--rounds 6] [--posts 800]``.
Prints a markdown table and writes benchmarks/results/bench_relay_post.json.
"""

from __future__ import annotations

import argparse
import http.client
import json
import resource
import statistics
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from receiver_process import ReceiverProcess  # isort: skip

from gateway.generate import small_jw301
from gateway.logs import configure_logging
from gateway.relay import Deliverer, Routes
from gateway.relay.deliver import transport_for
from gateway.relay.transport import StdlibTransport

RESULTS = Path(__file__).parent / "results"


def cpu_s() -> float:
    """This process's CPU seconds, user and system."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def bare_poster(url: str, payload: bytes) -> Callable[[str], None]:
    """POST with ``http.client`` alone: the anchor."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port)
    headers = {"Content-Type": "application/xml"}

    def post(key: str) -> None:
        connection.request("POST", parts.path or "/", body=payload, headers={**headers, "Idempotency-Key": key})
        connection.getresponse().read()

    return post


def deliverer_poster(deliverer: Deliverer, payload: bytes) -> Callable[[str], None]:
    """One relay attempt through ``deliverer``."""

    def post(key: str) -> None:
        result = deliverer.deliver(key, "0034", payload, 1)
        if result.status_code != 200:
            raise RuntimeError(f"the receiver answered {result.status_code}: {result.error}")

    return post


class HttpxSeam(httpx.BaseTransport):
    """StdlibTransport seen only through httpx's seam, so the Deliverer builds an httpx Request for it."""

    def __init__(self) -> None:
        """Wrap a fresh StdlibTransport."""
        self.inner = StdlibTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """The inner transport's httpx door."""
        return self.inner.handle_request(request)

    def close(self) -> None:
        """Close the inner transport."""
        self.inner.close()


def main() -> None:
    """Measure every row ``--rounds`` times, interleaved; print medians and ratios to the anchor."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--posts", type=int, default=800, help="POSTs per row per round")
    parser.add_argument("--json", type=Path, default=RESULTS / "bench_relay_post.json")
    args = parser.parse_args()
    configure_logging(level="WARNING")
    payload = small_jw301(seed=1)
    with ReceiverProcess() as receiver:
        routes = Routes({}, default=receiver.url)
        via_request = Deliverer(routes, transport=HttpxSeam())
        httpx_own = Deliverer(routes, transport=transport_for("httpx"))
        rows: dict[str, Callable[[str], None]] = {
            "anchor: http.client alone": bare_poster(receiver.url, payload),
            "deliverer, stdlib post() (default)": deliverer_poster(Deliverer(routes), payload),
            "deliverer, stdlib via httpx Request": deliverer_poster(via_request, payload),
            "deliverer, httpx transport": deliverer_poster(httpx_own, payload),
        }
        for post in rows.values():  # connect and warm up
            for i in range(50):
                post(f"warm-{i}")
        samples: dict[str, list[float]] = {name: [] for name in rows}
        for round_ in range(args.rounds):
            for name, post in rows.items():
                started = cpu_s()
                for i in range(args.posts):
                    post(f"{round_}-{i}-{name}")
                samples[name].append((cpu_s() - started) / args.posts * 1e6)
    anchor = statistics.median(samples["anchor: http.client alone"])
    print(f"CPU per POST on loopback, median of {args.rounds} interleaved rounds × {args.posts}\n")
    print("| path | µs of CPU per POST | / anchor |")
    print("|---|---|---|")
    report = {}
    for name, values in samples.items():
        median = statistics.median(values)
        report[name] = {"median_us": round(median, 1), "rounds_us": [round(v, 1) for v in values]}
        print(f"| {name} | {median:,.0f} | {median / anchor:.2f}× |")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
