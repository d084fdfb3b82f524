"""End-to-end pipeline on the embedded SQLite default: submit → validate → map → delivered, beside its floor.

Three figures in one run:

* **floor** (the anchor): raw lxml XSD validation plus one SQLite insert+commit per message
  (WAL, ``synchronous=FULL``), the least any durable validating gateway must do;
* **throughput**: N small messages (generated JW301 toewijzingen, ~2 KB) submitted through the
  real batched intake (``submit_many``, 200 per commit, as ``ketenpoort submit`` does) while
  ``--workers`` worker processes (``ketenpoort worker``) validate, map and relay them to a loopback
  receiver; messages/s from the first submit to the last first delivery;
* **latency**: messages submitted at a steady ``--rate`` per second; intake-to-delivered
  latency (receiver's first sight of the Idempotency-Key minus the submit time), p50/p99.

Beside them, the CPU-bound ceiling: the CPUs divided by the CPU one message cost in all (workers,
intake and receiver, measured in the throughput run). It says how much of the gap to a target is
waiting (locks, disk) and how much is work: at 90% busy, only less work per message goes faster.
And how long SQLite's write lock was held (the store's own counters; the workers write theirs to a
``PROMETHEUS_MULTIPROC_DIR`` the bench reads): held for most of the run, only less work under the
lock goes faster, not more worker processes.

With ``--postgresql auto`` (or a server URL) the same messages run once more on PostgreSQL, with
``--pg-workers`` worker processes, in the same run: messages/s beside SQLite's, and from
``pg_stat_statements`` the statements each message cost and the biggest of them.

Run: ``python benchmarks/bench_pipeline.py [--messages 20000] [--workers 2] [--concurrency 1]
[--postgresql auto]``.
Prints a markdown table and writes benchmarks/results/bench_pipeline.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from lxml import etree
from prometheus_client import REGISTRY, CollectorRegistry, multiprocess

from pg_server import fresh_database, postgres_server, reset_statements, statement_breakdown  # isort: skip
from receiver_process import ReceiverProcess  # isort: skip

from gateway.config import load_settings
from gateway.generate import small_jw301
from gateway.intake import submit, submit_many
from gateway.logs import configure_logging
from gateway.schemas import registry_for
from workers.runtime import open_store

RESULTS = Path(__file__).parent / "results"
TARGET_MSGS_PER_S = 1500.0
TARGET_P99_MS = 250.0


def messages(n: int, offset: int = 0) -> list[bytes]:
    """``n`` distinct small JW301 toewijzingen (each its own BerichtIdentificatie)."""
    return [small_jw301(seed=offset + i) for i in range(n)]


def floor_rate(data: Sequence[bytes], directory: Path) -> float:
    """Messages/s of raw lxml validate + one SQLite insert and commit per message."""
    registry = registry_for()
    first = etree.fromstring(data[0])
    qname = etree.QName(first)
    entry = registry.lookup(qname.namespace or "", qname.localname)
    assert entry is not None
    schema = registry.schema_for(entry)
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    db = sqlite3.connect(directory / "floor.db", isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE m (id INTEGER PRIMARY KEY, payload BLOB, valid INTEGER)")
    started = time.perf_counter()
    for payload in data:
        valid = schema.validate(etree.fromstring(payload, parser))
        db.execute("BEGIN")
        db.execute("INSERT INTO m (payload, valid) VALUES (?, ?)", (payload, int(valid)))
        db.execute("COMMIT")
    elapsed = time.perf_counter() - started
    db.close()
    return len(data) / elapsed


def worker_env(database_url: str, data_dir: Path, route: str) -> dict[str, str]:
    """The environment of a benchmark worker process."""
    env = dict(os.environ)
    env.update(
        KETENPOORT_DATABASE_URL=database_url,
        KETENPOORT_DATA_DIR=str(data_dir),
        KETENPOORT_DEFAULT_ROUTE=route,
        KETENPOORT_POLL_INTERVAL_S="0.01",
        KETENPOORT_LOG_LEVEL="WARNING",
        KETENPOORT_LOG_FORMAT="json",
    )
    env.pop("KETENPOORT_ROUTES_FILE", None)
    return env


@contextmanager
def worker_processes(count: int, concurrency: int, env: dict[str, str]) -> Iterator[list[subprocess.Popen[bytes]]]:
    """``count`` ``ketenpoort worker`` processes, stopped with SIGTERM on exit."""
    command = [sys.executable, "-m", "gateway", "worker", "--concurrency", str(concurrency)]
    procs = [subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL) for _ in range(count)]
    try:
        yield procs
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def open_jobs(store: Any) -> int:
    """Pipeline jobs not yet done (the recurring retention job excluded)."""
    counts = store.status_counts()
    return int(counts.get("received", 0) + counts.get("accepted", 0) + counts.get("relaying", 0))


def wait_for(store: Any, procs: Sequence[subprocess.Popen[bytes]], guard_s: float) -> None:
    """Until every message is delivered, rejected or dead (fails fast when a worker died)."""
    deadline = time.monotonic() + guard_s
    while open_jobs(store):
        dead = [p.returncode for p in procs if p.poll() is not None]
        if dead:
            raise RuntimeError(f"a worker exited early with {dead}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"not done after {guard_s} s: {store.status_counts()}")
        time.sleep(0.25)  # the figures come from the receiver's clock; a status count scans the messages


def throughput(
    database_url: str, data_dir: Path, data: Sequence[bytes], *, workers: int, concurrency: int, preload: bool = False
) -> dict[str, float]:
    """Submit ``data`` while the workers drain it; messages/s from first submit to last first delivery.

    With ``preload`` everything is submitted before the workers start, and only the workers are timed.
    Either way the clock starts once the workers have imported and are polling (the sustained rate);
    a message they delivered before that is not counted.
    """
    with ReceiverProcess() as receiver:
        settings = load_settings(database_url=database_url, data_dir=data_dir, default_route=receiver.url)
        store = open_store(settings)
        env = worker_env(database_url, data_dir, receiver.url)
        metrics_dir = Path(tempfile.mkdtemp(prefix="metrics-", dir=data_dir))
        env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)  # the workers' lock counters, read from here
        submit_s = 0.0
        if preload:
            t0 = time.perf_counter()
            for payload in data:
                submit(store, payload, sender=None)
            submit_s = time.perf_counter() - t0
        with worker_processes(workers, concurrency, env) as procs:
            time.sleep(1.5)  # let them import and start polling: the figure is the sustained rate
            own_before, workers_before = _own_cpu_s(), _cpu_of(procs)
            lock_before, workers_lock_before = lock_seconds(), lock_seconds(metrics_dir)
            window = time.perf_counter()
            started = time.time()
            if not preload:
                t0 = time.perf_counter()
                for _ in submit_many(store, data, sender=None):
                    pass
                submit_s = time.perf_counter() - t0
            wait_for(store, procs, guard_s=120.0 + len(data))
            workers_s = _cpu_of(procs) - workers_before
            own_s = _own_cpu_s() - own_before  # intake and the status polls
            lock, workers_lock = lock_seconds(), lock_seconds(metrics_dir)
            window = time.perf_counter() - window
            receiver.stop()
            timed = [at for at in receiver.first_seen.values() if at >= started]
            last = max(timed)
        delivered = store.status_counts()["delivered"]
        _close(store)
    elapsed = last - started
    return {
        "messages": len(data),
        "timed": len(timed),
        "delivered": delivered,
        "seconds": elapsed,
        "msgs_per_s": len(timed) / elapsed,
        "intake_s": submit_s,
        "cpu_ms_per_msg_workers": workers_s * 1000.0 / len(timed),
        "cpu_ms_per_msg_intake": own_s * 1000.0 / len(timed),
        "cpu_ms_per_msg_receiver": receiver.cpu_s * 1000.0 / len(timed),
        "lock_window_s": window,
        "lock_held_s_intake": lock["held"] - lock_before["held"],
        "lock_held_s_workers": workers_lock["held"] - workers_lock_before["held"],
        "lock_wait_s_workers": workers_lock["wait"] - workers_lock_before["wait"],
    }


def _own_cpu_s() -> float:
    """User + system CPU seconds of this process so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _cpu_of(procs: Sequence[subprocess.Popen[bytes]]) -> float:
    """User + system CPU seconds the running ``procs`` used so far (Linux ``/proc/PID/stat``)."""
    total_ticks = 0
    for proc in procs:
        fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        total_ticks += int(fields[11]) + int(fields[12])  # utime, stime: fields 14 and 15 of stat(5)
    return total_ticks / os.sysconf("SC_CLK_TCK")


def lock_seconds(metrics_dir: Path | None = None) -> dict[str, float]:
    """SQLite's write lock: seconds waited for and held, by this process or (``metrics_dir``) by the
    worker processes that write their metrics there (``PROMETHEUS_MULTIPROC_DIR``)."""
    registry = REGISTRY
    if metrics_dir is not None:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=str(metrics_dir))  # type: ignore[no-untyped-call]
    return {
        kind: registry.get_sample_value(f"ketenpoort_sqlite_write_lock_{kind}_seconds_total") or 0.0
        for kind in ("wait", "held")
    }


def latency(
    database_url: str, data_dir: Path, data: Sequence[bytes], *, rate: float, workers: int, concurrency: int
) -> dict[str, float]:
    """Submit at ``rate`` per second; intake-to-delivered latency percentiles in ms."""
    with ReceiverProcess() as receiver:
        settings = load_settings(database_url=database_url, data_dir=data_dir, default_route=receiver.url)
        store = open_store(settings)
        env = worker_env(database_url, data_dir, receiver.url)
        submitted: dict[str, float] = {}
        with worker_processes(workers, concurrency, env) as procs:
            time.sleep(1.5)  # workers imported and polling
            start = time.perf_counter()
            for index, payload in enumerate(data):
                due = start + index / rate
                pause = due - time.perf_counter()
                if pause > 0:
                    time.sleep(pause)
                at = time.time()
                submitted[submit(store, payload, sender=None).message_id] = at
            wait_for(store, procs, guard_s=120.0 + len(data))
        _close(store)
        receiver.stop()
        lat = sorted(
            (receiver.first_seen[key] - at) * 1000.0 for key, at in submitted.items() if key in receiver.first_seen
        )
    return {
        "rate_per_s": rate,
        "messages": len(lat),
        "p50_ms": statistics.median(lat),
        "p99_ms": lat[min(len(lat) - 1, int(len(lat) * 0.99))],
        "max_ms": lat[-1],
    }


def _close(store: Any) -> None:
    close = getattr(store, "close", None)
    if callable(close):
        close()


def postgresql(
    server: str | None, root: Path, data: Sequence[bytes], *, workers: int, concurrency: int
) -> dict[str, Any] | None:
    """The throughput run on PostgreSQL (a fresh database on ``server``), with its statement breakdown."""
    if server is None:
        return None
    with postgres_server(server) as server_url:
        url = fresh_database(server_url, f"kp_bench_{os.getpid()}")
        (root / "pg").mkdir()
        counted = reset_statements(url)
        run = throughput(url, root / "pg", data, workers=workers, concurrency=concurrency)
        run["workers"] = workers
        if counted:
            run["statements"] = statement_breakdown(url, len(data))
    return run


def _print_postgresql(pg: dict[str, Any], sqlite_rate: float) -> None:
    print(f"\nPostgreSQL, {pg['workers']} worker processes, same messages, same run\n")
    print("| measurement | figure |")
    print("|---|---|")
    print(
        f"| pipeline on PostgreSQL ({pg['messages']:,} msgs) | {pg['msgs_per_s']:,.0f} msg/s "
        f"({pg['msgs_per_s'] / sqlite_rate:.2f}× SQLite's {sqlite_rate:,.0f}) |"
    )
    print(
        f"| CPU per message: workers / intake / loopback receiver | {pg['cpu_ms_per_msg_workers']:.2f} / "
        f"{pg['cpu_ms_per_msg_intake']:.2f} / {pg['cpu_ms_per_msg_receiver']:.2f} ms |"
    )
    stats = pg.get("statements")
    if stats is None:
        print("| statements per message | (pg_stat_statements not loaded on this server) |")
        return
    print(
        f"| statements per message (round trips), server time | {stats['statements_per_msg']:.1f}, "
        f"{stats['server_ms_per_msg']:.3f} ms |"
    )
    for row in stats["top"][:12]:
        sql = row["sql"].replace("|", "\\|")
        print(f"| {row['per_msg']:.2f}/msg, {row['ms_per_msg']:.3f} ms/msg | `{sql}` |")


def main() -> None:
    """Measure and print the table the README quotes."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2, help="worker processes")
    parser.add_argument(
        "--concurrency", type=int, default=1, help="threads per worker process (`ketenpoort worker` starts one)"
    )
    parser.add_argument("--rate", type=float, default=100.0, help="messages/s for the latency run")
    parser.add_argument("--latency-seconds", type=float, default=20.0)
    parser.add_argument("--json", type=Path, default=RESULTS / "bench_pipeline.json")
    parser.add_argument(
        "--postgresql", metavar="URL", help="also run on PostgreSQL: a server URL, or `auto` for a throwaway cluster"
    )
    parser.add_argument("--pg-workers", type=int, default=2, help="worker processes of the PostgreSQL run")
    args = parser.parse_args()
    configure_logging("json", "WARNING")

    data = messages(args.messages)
    paced = messages(int(args.rate * args.latency_seconds), offset=args.messages)
    with tempfile.TemporaryDirectory(prefix="kp-bench-") as tmp:
        root = Path(tmp)
        floor = floor_rate(data, root)
        (root / "t").mkdir()
        run = throughput(
            f"sqlite:///{root / 't' / 'k.db'}", root / "t", data, workers=args.workers, concurrency=args.concurrency
        )
        (root / "l").mkdir()
        lat = latency(
            f"sqlite:///{root / 'l' / 'k.db'}",
            root / "l",
            paced,
            rate=args.rate,
            workers=args.workers,
            concurrency=args.concurrency,
        )
        pg = postgresql(args.postgresql, root, data, workers=args.pg_workers, concurrency=args.concurrency)
    ratio = run["msgs_per_s"] / floor
    cpus = os.cpu_count() or 1
    cpu_ms = run["cpu_ms_per_msg_workers"] + run["cpu_ms_per_msg_intake"] + run["cpu_ms_per_msg_receiver"]
    ceiling = cpus * 1000.0 / cpu_ms  # every core busy at these CPU costs per message
    result = {
        "cpus": os.cpu_count(),
        "load_average_1m_at_end": os.getloadavg()[0],
        "workers": args.workers,
        "concurrency": args.concurrency,
        "floor_msgs_per_s": floor,
        "pipeline": run,
        "ratio_vs_floor": ratio,
        "cpu_ms_per_msg_total": cpu_ms,
        "cpu_bound_ceiling_msgs_per_s": ceiling,
        "cores_busy": run["msgs_per_s"] / ceiling,
        "latency": lat,
        "postgresql": pg,
        "target_msgs_per_s": TARGET_MSGS_PER_S,
        "target_p99_ms": TARGET_P99_MS,
    }
    shape = f"{args.workers} worker processes × {args.concurrency} threads"
    print(f"End-to-end pipeline on SQLite, {shape}, {os.cpu_count()} CPUs\n")
    print("| measurement | figure |")
    print("|---|---|")
    print(f"| floor: raw lxml validate + 1 SQLite insert/commit per message | {floor:,.0f} msg/s |")
    print(
        f"| pipeline: submit → validate → map → delivered ({run['messages']:,} msgs) | {run['msgs_per_s']:,.0f} msg/s |"
    )
    print(f"| ratio pipeline / floor | {ratio:.2f} |")
    print(
        f"| CPU per message: workers / intake / loopback receiver | {run['cpu_ms_per_msg_workers']:.2f} / "
        f"{run['cpu_ms_per_msg_intake']:.2f} / {run['cpu_ms_per_msg_receiver']:.2f} ms |"
    )
    print(
        f"| CPU-bound ceiling: {cpus} CPUs / {cpu_ms:.2f} ms per message in all | {ceiling:,.0f} msg/s "
        f"(cores {100 * run['msgs_per_s'] / ceiling:.0f}% busy) |"
    )
    held = run["lock_held_s_intake"] + run["lock_held_s_workers"]
    print(
        f"| SQLite write lock held: intake / workers (workers waited) | {run['lock_held_s_intake']:.1f} / "
        f"{run['lock_held_s_workers']:.1f} s ({run['lock_wait_s_workers']:.1f} s), "
        f"{100 * held / run['lock_window_s']:.0f}% of {run['lock_window_s']:.1f} s |"
    )
    print(f"| target (issue 4) | ≥ {TARGET_MSGS_PER_S:,.0f} msg/s |")
    print(
        f"| latency at {lat['rate_per_s']:.0f} msg/s, p50 / p99 / max | "
        f"{lat['p50_ms']:.0f} / {lat['p99_ms']:.0f} / {lat['max_ms']:.0f} ms (target p99 < {TARGET_P99_MS:.0f}) |"
    )
    if pg is not None:
        _print_postgresql(pg, run["msgs_per_s"])
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
