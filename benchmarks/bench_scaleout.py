"""Scale-out: pipeline throughput on PostgreSQL with 1, 2 and 4 worker processes, beside SQLite, in one run.

Each configuration gets a fresh database preloaded with the same N small JW301 messages through
the real intake; then K ``ketenpoort worker`` processes (``--concurrency`` threads each) validate,
map and relay them to a loopback receiver, and the drain is timed from the workers' start to the
receiver's first sight of the last Idempotency-Key. The anchor is the 1-worker PostgreSQL run;
the target (issue 7) is 2 workers ≥ 1.5× one.

PostgreSQL comes from ``--postgres-url``, else ``KETENPOORT_TEST_POSTGRES_URL``, else a throwaway
cluster started with ``.ci/postgres.sh`` (stopped afterwards).

Run: ``python benchmarks/bench_scaleout.py [--messages 4000] [--concurrency 2]``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).parent))
from bench_pipeline import RESULTS, messages, throughput

from gateway.logs import configure_logging

ROOT = Path(__file__).resolve().parent.parent
TARGET_TWO_OVER_ONE = 1.5


@contextmanager
def postgres(url: str | None) -> Iterator[str]:
    """A PostgreSQL URL: the given one, or a throwaway cluster for the length of the run."""
    url = url or os.environ.get("KETENPOORT_TEST_POSTGRES_URL")
    if url:
        yield url
        return
    state = Path(tempfile.mkstemp(prefix="kp-bench-pg-")[1])
    env = dict(os.environ, KP_PG_STATE=str(state))
    script = str(ROOT / ".ci" / "postgres.sh")
    started = subprocess.run([script, "start"], env=env, check=True, capture_output=True, text=True)
    try:
        yield started.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run([script, "stop"], env=env, check=False, capture_output=True)


@contextmanager
def fresh_database(url: str) -> Iterator[str]:
    """A new empty database on the server of ``url``, dropped afterwards."""
    base = make_url(url)
    name = f"kp_bench_{uuid.uuid4().hex[:10]}"
    admin = base.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    """Measure and print the scaling table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=4000)
    parser.add_argument("--concurrency", type=int, default=2, help="threads per worker process")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--postgres-url", default=None)
    parser.add_argument("--json", type=Path, default=RESULTS / "bench_scaleout.json")
    args = parser.parse_args()
    configure_logging("json", "WARNING")

    data = messages(args.messages)
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="kp-scale-") as tmp, postgres(args.postgres_url) as pg:
        for count in args.workers:
            work = Path(tmp) / f"pg{count}"
            work.mkdir()
            with fresh_database(pg) as url:
                run = throughput(url, work, data, workers=count, concurrency=args.concurrency, preload=True)
            rows.append({"backend": "postgresql", "workers": count, **run})
        work = Path(tmp) / "sqlite"
        work.mkdir()
        run = throughput(
            f"sqlite:///{work / 'k.db'}", work, data, workers=1, concurrency=args.concurrency, preload=True
        )
        rows.append({"backend": "sqlite", "workers": 1, **run})
    anchor = next(float(str(r["msgs_per_s"])) for r in rows if r["backend"] == "postgresql")
    for row in rows:
        row["speedup_vs_1pg"] = float(str(row["msgs_per_s"])) / anchor
    two = next((r for r in rows if r["backend"] == "postgresql" and r["workers"] == 2), None)
    result = {
        "cpus": os.cpu_count(),
        "load_average_1m_at_end": os.getloadavg()[0],
        "messages": args.messages,
        "concurrency": args.concurrency,
        "rows": rows,
        "two_over_one": two["speedup_vs_1pg"] if two else None,
        "target_two_over_one": TARGET_TWO_OVER_ONE,
    }
    print(f"Pipeline drain of {args.messages:,} preloaded messages, {args.concurrency} threads per worker process, ")
    print(f"{os.cpu_count()} CPUs\n")
    print("| backend | worker processes | msg/s | × one PG worker |")
    print("|---|---|---|---|")
    for row in rows:
        rate = float(str(row["msgs_per_s"]))
        print(f"| {row['backend']} | {row['workers']} | {rate:,.0f} | {float(str(row['speedup_vs_1pg'])):.2f} |")
    if two:
        print(f"\n2 workers / 1 worker = {two['speedup_vs_1pg']:.2f} (target ≥ {TARGET_TWO_OVER_ONE})")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
