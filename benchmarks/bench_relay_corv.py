"""Relay CPU per message over a ``corv`` route beside the plain ``http`` route (the anchor), same run.

Both rows are one Deliverer attempt of the same generated StUF-Jeugdzorg vtoDi01 (routing, breaker,
slot, wrap, POST, judge) against the benchmarks' loopback receiver in its own process, which answers
every request with the same SOAP Bv03 envelope. The ``http`` route posts the bare XML and judges the
status; the ``corv`` route wraps the Di01 in its WUS SOAP request (WS-Addressing, SOAPAction) and
reads the Bv03 out of the answer. A third row, ``corv`` with a 2W-be-S signature (RSA-2048, SHA-256),
is shown for information: signing is a per-route choice and costs what RSA costs.

Target (issue 17): corv / http <= 1.5. Rows are interleaved round by round, CPU of this process only.

Run: ``python benchmarks/bench_relay_corv.py [--rounds 6] [--posts 600]``.
Prints a markdown table and writes benchmarks/results/bench_relay_corv.json.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import tempfile
from collections.abc import Callable
from pathlib import Path

from receiver_process import ReceiverProcess  # isort: skip

from gateway.corv.envelope import response_envelope
from gateway.corv.services import BV03_ACTION
from gateway.generate.stuf import build_di01
from gateway.logs import configure_logging
from gateway.relay import Deliverer, Routes
from gateway.relay.routes import Route
from gateway.retour.stuf import build_bv03
from gateway.xmlsafe import parse

RESULTS = Path(__file__).parent / "results"
ZENDER, ONTVANGER, KETENPOORT = "00000001815095120000", "00000001823288444000", "00000004000000059000"


def cpu_s() -> float:
    """This process's CPU seconds, user and system."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def poster(deliverer: Deliverer, payload: bytes) -> Callable[[str], None]:
    """One relay attempt through ``deliverer``; anything but DELIVERED stops the benchmark."""

    def post(key: str) -> None:
        result = deliverer.deliver(key, ONTVANGER, payload, 1)
        if result.outcome.name != "DELIVERED":
            raise RuntimeError(f"not delivered: {result.status_code} {result.error}")

    return post


def _signing(folder: Path) -> dict[str, Path]:
    """A throwaway RSA-2048 key and self-signed certificate with an OIN, for the signed row."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, "bench"), x509.NameAttribute(NameOID.SERIAL_NUMBER, KETENPOORT)]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + dt.timedelta(days=1))
            .sign(key, hashes.SHA256()))  # fmt: skip
    paths = {"key": folder / "sign.key", "cert": folder / "sign.pem"}
    paths["key"].write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))  # fmt: skip
    paths["cert"].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return paths


def main() -> None:
    """Measure every row ``--rounds`` times, interleaved; print medians and the ratio to the http route."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--posts", type=int, default=600, help="attempts per row per round")
    parser.add_argument("--json", type=Path, default=RESULTS / "bench_relay_corv.json")
    args = parser.parse_args()
    configure_logging(level="WARNING")
    payload = build_di01("vtoDi01", zender_oin=ZENDER, ontvanger_oin=ONTVANGER, referentienummer="BENCH-1")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        answer = folder / "bv03.xml"
        answer.write_bytes(response_envelope(build_bv03(parse(payload)), action=BV03_ACTION, relates_to="urn:uuid:x"))
        signing = _signing(folder)
        with ReceiverProcess(answer_file=str(answer)) as receiver:
            options = {"oin": KETENPOORT, "from_address": "https://kp.example/soap"}
            routes = {
                "anchor: http route": Route(receiver.url),
                "corv route (2W-be)": Route(receiver.url, channel="corv", options=options),
                "corv route, signed (2W-be-S)": Route(receiver.url, channel="corv", options=options, signing=signing),
            }
            rows = {name: poster(Deliverer(Routes({ONTVANGER: route})), payload) for name, route in routes.items()}
            for post in rows.values():  # connect and warm up
                for i in range(30):
                    post(f"warm-{i}")
            samples: dict[str, list[float]] = {name: [] for name in rows}
            for round_ in range(args.rounds):
                for name, post in rows.items():
                    count = max(args.posts // 10, 20) if "signed" in name else args.posts
                    started = cpu_s()
                    for i in range(count):
                        post(f"{round_}-{i}-{name}")
                    samples[name].append((cpu_s() - started) / count * 1e6)
    anchor = statistics.median(samples["anchor: http route"])
    print(f"Relay CPU per message on loopback, median of {args.rounds} interleaved rounds (machine shared, loaded)\n")
    print("| route | µs of CPU per message | / http route |")
    print("|---|---|---|")
    report = {}
    for name, values in samples.items():
        median = statistics.median(values)
        report[name] = {"median_us": round(median, 1), "ratio": round(median / anchor, 2),
                        "rounds_us": [round(v, 1) for v in values]}  # fmt: skip
        print(f"| {name} | {median:,.0f} | {median / anchor:.2f}× |")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
