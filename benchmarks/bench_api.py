"""Intake throughput over HTTP on loopback: the Ketenpoort API beside a bare Starlette endpoint.

Each server runs in its own uvicorn subprocess; N concurrent httpx clients post the same
StUF-Jeugdzorg Di01 for a fixed time (10 clients by default: at 50 the single-process
httpx client, not the servers, is the bottleneck and both sides collapse to ~170/s).
The API runs its full intake path (auth, streaming body read with its size and stall limits,
one safe parse with header read via gateway.intake.prepare, sender check, access log and
metrics) into an in-memory store, so the figure isolates the HTTP + intake cost from the
database (bench_pipeline covers that). Validation is the worker's job, not intake's.
Target: accepted messages/s >= 0.5x the bare endpoint that only reads the body and returns 202.

    python benchmarks/bench_api.py [--seconds 5] [--clients 10]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

OIN = "00000001111111110000"


def _message() -> bytes:
    from tests.support.stuf_builders import build_di01

    return build_di01(
        "meldingGeneriekDi01", zender_oin=OIN, ontvanger_oin="00000002222222220000", referentienummer="B1"
    )


class MemoryStore:
    """Accepts every intake record in memory (benchmark only)."""

    def intake(self, record: Any) -> Any:
        from gateway.intake import SubmitResult

        return SubmitResult(message_id=uuid.uuid4().hex, status=record.status, created=True)


def _serve(kind: str, port: int, senders: str) -> None:
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    if kind == "bare":

        async def bare(request: Request) -> JSONResponse:
            await request.body()
            return JSONResponse({"id": "x", "status": "received"}, status_code=202)

        app: Any = Starlette(routes=[Route("/v1/berichten", bare, methods=["POST"])])
    else:
        from gateway.api import create_app
        from gateway.config import load_settings
        from gateway.logs import configure_logging

        configure_logging("json", "WARNING")
        app = create_app(load_settings(senders_file=Path(senders)), store=MemoryStore())
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="error", access_log=False)


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _load(url: str, token: str, body: bytes, seconds: float, clients: int) -> dict[str, Any]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/xml"}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        end = time.perf_counter() + seconds

        async def worker() -> None:
            while time.perf_counter() < end:
                t0 = time.perf_counter()
                r = await client.post(url, content=body, headers=headers)
                latencies.append(time.perf_counter() - t0)
                statuses[r.status_code] = statuses.get(r.status_code, 0) + 1

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        elapsed = time.perf_counter() - start
    latencies.sort()
    accepted = statuses.get(202, 0)
    return {
        "accepted_per_s": accepted / elapsed,
        "p50_ms": statistics.median(latencies) * 1e3,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1e3,
        "statuses": statuses,
    }


def _run(kind: str, senders: Path, token: str, body: bytes, seconds: float, clients: int) -> dict[str, Any]:
    port = _port()
    proc = subprocess.Popen([sys.executable, __file__, "--serve", kind, str(port), str(senders)])
    try:
        for _ in range(200):
            try:
                httpx.get(f"http://127.0.0.1:{port}/", timeout=0.5)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        url = f"http://127.0.0.1:{port}/v1/berichten"
        asyncio.run(_load(url, token, body, 1.0, clients))  # warm-up
        return asyncio.run(_load(url, token, body, seconds, clients))
    finally:
        proc.terminate()
        proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--serve", nargs=3)
    args = parser.parse_args()
    if args.serve:
        _serve(args.serve[0], int(args.serve[1]), args.serve[2])
        return
    from gateway.api.auth import Role, add_sender

    with tempfile.TemporaryDirectory() as tmp:
        senders = Path(tmp) / "senders.toml"
        token = add_sender(senders, "bench", [OIN], Role.SENDER)
        body = _message()
        bare = _run("bare", senders, token, body, args.seconds, args.clients)
        api = _run("api", senders, token, body, args.seconds, args.clients)
    ratio = api["accepted_per_s"] / bare["accepted_per_s"]
    print("| endpoint | accepted/s | p50 ms | p99 ms | statuses |")
    print("|---|---:|---:|---:|---|")
    for name, r in (("bare Starlette (anchor)", bare), ("Ketenpoort API", api)):
        print(f"| {name} | {r['accepted_per_s']:.0f} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | {r['statuses']} |")
    print(f"\nratio API/bare = {ratio:.2f} (target >= 0.5); {args.clients} clients, {args.seconds:.0f} s each")
    out = ROOT / "benchmarks" / "results" / "bench_api.json"
    out.write_text(json.dumps({"bare": bare, "api": api, "ratio": ratio, "clients": args.clients,
                               "seconds": args.seconds, "target": 0.5}, indent=2, default=str))  # fmt: skip


if __name__ == "__main__":
    main()
