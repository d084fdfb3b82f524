"""What the pipeline metrics cost a message, beside what validating that message costs, in one run.

Per message the workers add two ``ketenpoort_stage_seconds`` observations (the validate job and
the relay job; map runs inside validate) and one ``ketenpoort_relay_attempts_total`` increment,
each on prometheus-client's multiprocess value files (``PROMETHEUS_MULTIPROC_DIR`` set, as in
production and in ``bench_pipeline``). The anchor is ``gateway.validation.validate`` of a small
generated JW301 (~2 KB), measured in the same process and interleaved round by round, so machine
load hits both alike. The figure is the metrics' share of that anchor: the target is "not
measurably slower" (well under 1% of a 1,500 msg/s pipeline's 667 µs per message).

Run: ``python benchmarks/bench_metrics_overhead.py [--rounds 7] [--seconds 0.5]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable


def _per_call(func: Callable[[], object], min_seconds: float) -> float:
    calls, start = 0, time.perf_counter()
    while True:
        func()
        calls += 1
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds and calls >= 50:
            return elapsed / calls


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=0.5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kp-metrics-") as multiproc:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = multiproc  # before prometheus_client is imported
        from gateway.generate import small_jw301
        from gateway.metrics import STAGE_SECONDS, count_relay
        from gateway.relay import DeliveryResult, Outcome
        from gateway.validation import validate
        from workers.stages.relay import RelayDecision, Verdict

        data = small_jw301(7)
        validate(data)  # schemas compiled once, outside the timing
        validate_h, relay_h = STAGE_SECONDS.labels("validate"), STAGE_SECONDS.labels("relay")
        delivered = DeliveryResult(Outcome.DELIVERED, status_code=200, destination="127.0.0.1:8080")
        decision = RelayDecision(Verdict.DELIVERED, delivered, True, 1)

        def metrics() -> None:  # what workers/instrument.py and the relay handler do for one message
            validate_h.observe(0.0004)
            relay_h.observe(0.0011)
            count_relay(decision)

        shares, anchors, costs = [], [], []
        for _ in range(args.rounds):
            anchor = _per_call(lambda: validate(data), args.seconds)
            cost = _per_call(metrics, args.seconds)
            anchors.append(anchor)
            costs.append(cost)
            shares.append(cost / anchor)
    print("| figure | median over rounds |")
    print("|---|---|")
    print(f"| anchor: validate one small JW301 | {statistics.median(anchors) * 1e6:.1f} µs |")
    print(f"| metrics per message (2 observe + 1 inc, multiprocess) | {statistics.median(costs) * 1e6:.2f} µs |")
    print(f"| metrics / anchor | {statistics.median(shares) * 100:.2f} % |")
    print(f"| metrics / 667 µs (one message at 1,500 msg/s) | {statistics.median(costs) / 667e-6 * 100:.2f} % |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
