"""The CORV part of ``ketenpoort demo``: one StUF-Jeugdzorg message end to end on loopback, as in production.

Two Ketenpoorts, each with its own SQLite store: the *sending* one takes a vtoDi01 in and relays it over a
``corv`` route; the *receiving* one serves ``/soap/stuf-jz/jzberichten`` on two-sided TLS. Certificates
come from a development CA made for the run, each with its OIN in the subject serialNumber; the route
signs as 2W-be-S and the receiving side requires that signature. The receiving side answers Bv03, so the
sending side marks the message delivered; both audit chains are verified.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import uvicorn

from gateway.api.app import create_app
from gateway.api.server import tls_options
from gateway.app import Installation
from gateway.corv.devpki import Pki
from gateway.generate.stuf import build_di01
from gateway.intake import submit
from gateway.model import MessageStatus
from gateway.pseudonym import Pseudonymiser
from gateway.relay import Deliverer, RetryPolicy, Routes
from gateway.relay.routes import Route, TlsIdentity
from gateway.store import Store
from workers.loop import Worker
from workers.pipeline import handlers

ZENDER = "00000001815095120000"
"""GI Leger des Heils (an instantie of the referentielijst): the zender of the demo message."""
GEMEENTE = "00000001823288444000"
"""The receiving gemeente (a receiver of the receiving Ketenpoort)."""
KETENPOORT = "00000004000000059000"
"""The sending Ketenpoort's OIN, in its certificate: a partner that may send for any zender."""


@dataclass
class CorvDemoReport:
    """What happened to the one CORV message."""

    status: str = "not sent"
    attempts: int = 0
    received: bool = False
    audit_ok: bool = False
    lines: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Delivered on a Bv03, stored once on the other side, both audit chains intact."""
        return self.status == str(MessageStatus.DELIVERED) and self.received and self.audit_ok


def _partners(path: Path) -> Path:
    path.write_text(
        f'receivers = ["{GEMEENTE}"]\n[[partner]]\noin = "{KETENPOORT}"\nmay_send_as = ["*"]\nsigned = true\n',
        encoding="utf-8",
    )
    return path


def run_corv_demo(data_dir: Path, *, hang_guard_s: float = 60.0) -> CorvDemoReport:
    """Send one vtoDi01 from one Ketenpoort to another over WUS 2W-be-S on loopback; report what happened."""
    report = CorvDemoReport()
    pki = Pki(data_dir / "pki")
    server, client = pki.issue("ketenpoort-b", server=True), pki.issue("ketenpoort-a", oin=KETENPOORT)
    installation = Installation.from_environment(
        database_url=f"sqlite:///{data_dir / 'corv-b.db'}", data_dir=data_dir, api_tls_cert_file=server.cert_file,
        api_tls_key_file=server.key_file, api_tls_ca_file=pki.ca_file,
        corv_partners_file=_partners(data_dir / "corv-partners.toml"),
    )  # fmt: skip
    settings = installation.settings
    pseudonymiser = Pseudonymiser(b"ketenpoort-demo-corv-pseudonyms")  # a demo key, never a real one
    receiving = Store.open(settings.database_url, migrate=True, pseudonymiser=pseudonymiser)
    sending = Store.open(f"sqlite:///{data_dir / 'corv-a.db'}", migrate=True, pseudonymiser=pseudonymiser)
    config = uvicorn.Config(create_app(settings, receiving), host="127.0.0.1", port=0, log_level="error",
                            lifespan="off", **tls_options(settings))  # fmt: skip
    uvi = uvicorn.Server(config)
    thread = threading.Thread(target=uvi.run, name="demo-corv-b", daemon=True)
    thread.start()
    try:
        while not uvi.started:
            time.sleep(0.01)
        url = f"https://localhost:{uvi.servers[0].sockets[0].getsockname()[1]}/soap/stuf-jz/jzberichten"
        di01 = build_di01("vtoDi01", zender_oin=ZENDER, ontvanger_oin=GEMEENTE, referentienummer="DEMO-CORV-1")
        message_id = submit(sending, di01, sender=None).message_id
        route = Route(url, channel="corv", tls=TlsIdentity(pki.ca_file, client.cert_file, client.key_file),
                      signing={"key": client.key_file, "cert": client.cert_file},
                      options={"oin": KETENPOORT, "from_address": "https://ketenpoort-a.example/soap"})  # fmt: skip
        with Deliverer(Routes({GEMEENTE: route}), RetryPolicy(base_s=0.05, cap_s=0.5, max_attempts=5)) as deliverer:
            worker = Worker(sending, handlers(sending, deliverer, pseudonymiser, max_bytes=26 << 20,
                                              bounds=installation.bounds),
                            poll_interval_s=0.02)  # fmt: skip
            deadline = time.monotonic() + hang_guard_s
            view = sending.get_message(message_id)
            while view is not None and view.status not in (MessageStatus.DELIVERED, MessageStatus.DEAD):
                if time.monotonic() > deadline:
                    break
                worker.run(until_idle=True)
                time.sleep(0.02)
                view = sending.get_message(message_id)
        report.status = str(view.status) if view is not None else "lost"
        report.attempts = len(sending.deliveries(message_id))
        taken = receiving.list_messages()[0]
        report.received = len(taken) == 1 and taken[0].external_id == "DEMO-CORV-1"
        report.audit_ok = sending.verify_audit().ok and receiving.verify_audit().ok
        report.lines = [
            "CORV (StUF-Jeugdzorg over Digikoppeling WUS 2W-be-S, two-sided TLS, OINs in the certificates):",
            f"  vtoDi01 DEMO-CORV-1 from {ZENDER} to {GEMEENTE} via {url}",
            f"  sending Ketenpoort: {report.status} after {report.attempts} attempt(s), answered Bv03",
            f"  receiving Ketenpoort: {'stored it once (source corv)' if report.received else 'did NOT store it'}",
            f"  audit chains: {'verified' if report.audit_ok else 'BROKEN'}",
        ]
    finally:
        uvi.should_exit = True
        thread.join()
        sending.close()
        receiving.close()
    return report


__all__ = ["CorvDemoReport", "run_corv_demo"]
