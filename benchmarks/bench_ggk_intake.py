"""SOAP intake (ggk_Di01 carrying a JW301) beside POST /v1/berichten with the same JW301, on one server, same run.

One uvicorn subprocess serves the Ketenpoort API over an in-memory store (as bench_api does), so
the figures isolate HTTP + envelope + intake from the database. N concurrent httpx clients post
for a fixed time; the two endpoints alternate round by round (the machine's load hits both
alike) and the median of the rounds is reported. The SOAP path does more on purpose: it reads the
SOAP envelope safely, checks the GGk stuurgegevens, decodes the base64, parses the iJw message
once more for its header (functie check), then takes the same intake path, and answers with a
Bv03 envelope instead of JSON.
Target: ggk_Di01 accepted/s >= 0.5x POST /v1/berichten accepted/s.

    python benchmarks/bench_ggk_intake.py [--seconds 4] [--clients 10] [--rounds 3]
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


class MemoryStore:
    """Accepts every intake record in memory (benchmark only)."""

    def intake(self, record: Any) -> Any:
        from gateway.intake import SubmitResult

        return SubmitResult(message_id=uuid.uuid4().hex, status=record.status, created=True)

    def record_remote_refusal(self, candidates: Any, **_: Any) -> None:
        return None


def _serve(port: int, senders: str) -> None:
    import uvicorn

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


async def _load(url: str, headers: dict[str, str], body: bytes, ok: int, seconds: float, clients: int) -> float:
    done = 0
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        end = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal done
            while time.perf_counter() < end:
                r = await client.post(url, content=body, headers=headers)
                if r.status_code == ok:
                    done += 1
                else:
                    raise SystemExit(f"{url}: HTTP {r.status_code} {r.text[:300]}")

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        return done / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--serve", nargs=2, metavar=("PORT", "SENDERS"))
    args = parser.parse_args()
    if args.serve:
        _serve(int(args.serve[0]), args.serve[1])
        return

    from gateway.api.auth import Role, add_sender
    from gateway.ggk.envelope import ACTION_DI01
    from tests.ggk.builders import di01, jw301, soap

    payload = jw301(1)
    envelope = soap(di01(payload, ref=str(uuid.uuid4())))
    with tempfile.TemporaryDirectory() as tmp:
        senders = Path(tmp) / "senders.toml"
        token = add_sender(senders, "ops", [], Role.OPERATOR)
        port = _port()
        proc = subprocess.Popen([sys.executable, __file__, "--serve", str(port), str(senders)])
        try:
            for _ in range(200):
                try:
                    httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=0.5)
                    break
                except httpx.TransportError:
                    time.sleep(0.05)
            base = f"http://127.0.0.1:{port}"
            api = (
                f"{base}/v1/berichten",
                {"Authorization": f"Bearer {token}", "Content-Type": "application/xml"},
                payload,
                202,
            )
            ggk_headers = {
                "Authorization": f"Bearer {token}",
                "Content-Type": "text/xml; charset=utf-8",
                "SOAPAction": f'"{ACTION_DI01}"',
            }
            ggk = (f"{base}/soap/ggk0310", ggk_headers, envelope, 200)
            asyncio.run(_load(*api, 1.0, args.clients))  # warm up both paths
            asyncio.run(_load(*ggk, 1.0, args.clients))
            rounds: dict[str, list[float]] = {"api": [], "ggk": []}
            for _ in range(args.rounds):
                rounds["api"].append(asyncio.run(_load(*api, args.seconds, args.clients)))
                rounds["ggk"].append(asyncio.run(_load(*ggk, args.seconds, args.clients)))
        finally:
            proc.terminate()
            proc.wait(10)
    api_s, ggk_s = statistics.median(rounds["api"]), statistics.median(rounds["ggk"])
    result = {
        "api_per_s": round(api_s, 1), "ggk_di01_per_s": round(ggk_s, 1), "ratio": round(ggk_s / api_s, 3),
        "rounds": {k: [round(v, 1) for v in vs] for k, vs in rounds.items()},
        "clients": args.clients, "seconds": args.seconds, "target": 0.5,
        "payload_bytes": len(payload), "envelope_bytes": len(envelope),
    }  # fmt: skip
    print("| endpoint | accepted/s (median of rounds) | rounds |")
    print("|---|---:|---|")
    print(f"| POST /v1/berichten, JW301 (anchor) | {api_s:.0f} | {result['rounds']['api']} |")
    print(f"| POST /soap/ggk0310, ggk_Di01 with the JW301 | {ggk_s:.0f} | {result['rounds']['ggk']} |")
    setup = f"{args.clients} clients, {args.seconds:.0f} s x {args.rounds} rounds"
    print(f"\nratio ggk_Di01 / API = {ggk_s / api_s:.2f} (target >= 0.5); {setup}")
    out = ROOT / "benchmarks" / "results" / "bench_ggk_intake.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
