"""The GGk leg of ``ketenpoort demo``: one JW301 travels end to end over the GGk 0310 koppelvlak on loopback.

A gemeente backoffice posts a ggk_Di01 to ``POST /soap/ggk0310`` on a Ketenpoort served on
loopback (its own SQLite store in the demo directory) and gets a Bv03; the worker validates the
JW301, relays it to the aanbieder's GGk endpoint (a loopback SOAP receiver that answers Bv03) as
a ggk_Di01, and sends the JW302 retour back to the gemeente as a ggk_Du01.
"""

from __future__ import annotations

import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import uvicorn
from lxml import etree

from gateway.api import create_app
from gateway.api.auth import Role, add_sender
from gateway.app import Installation
from gateway.generate import small_jw301
from gateway.ggk.envelope import ACTION_DI01, DI01, DU01, STUF_NS, Party, Versions, build_envelope, bv03
from gateway.ggk.ijw import read_ijw_header
from gateway.soap import SoapFaultError, envelope, parse_envelope
from workers.runtime import build_worker, open_store

if TYPE_CHECKING:
    from gateway.store import Store

_S = f"{{{STUF_NS}}}"


@dataclass
class GgkSeen:
    """What the loopback GGk endpoint received: (envelope kind, functie, ontvanger) per request."""

    requests: list[tuple[str, str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stall
    seen: GgkSeen

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: the demo prints its own summary."""

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            payload = parse_envelope(body, 64 << 20).payload
        except SoapFaultError:
            self.send_response(400)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        kind = {DI01: "ggk_Di01", DU01: "ggk_Du01"}.get(str(payload.tag), str(payload.tag))
        functie = payload.findtext(f".//{_S}functie") or ""
        ontvanger = payload.findtext(f".//{_S}ontvanger/{_S}organisatie") or ""
        with self.seen.lock:
            self.seen.requests.append((kind, functie, ontvanger))
        ref = payload.findtext(f".//{_S}referentienummer") or "onbekend"
        answer = envelope(bv03(zender=Party(ontvanger, "Backoffice"), ontvanger=Party("", "Ketenpoort"), cross_ref=ref))
        self.send_response(200)
        self.send_header("Content-Type", "text/xml; charset=utf-8")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _di01(payload: bytes) -> bytes:
    header = read_ijw_header(payload)
    element = build_envelope(
        "Di01",
        zender=Party(header.afzender, "Backoffice"),
        ontvanger=Party(header.ontvanger, "GGk"),
        referentienummer=str(uuid.uuid4()),
        functie=header.functie,
        versions=Versions("0001", "0000", header.versie, header.subversie),
        payload=payload,
    )
    return envelope(element)


@dataclass
class _Loopback:
    """The running pieces of the GGk leg: the partner endpoint, the API, the worker, the store."""

    seen: GgkSeen
    server: ThreadingHTTPServer
    api: uvicorn.Server
    port: int
    token: str
    store: Store
    worker: Any
    deliverer: Any
    loop: threading.Thread

    def stop(self) -> None:
        """Stop everything, the worker first (it finishes the job in hand)."""
        self.worker.request_stop()
        self.loop.join()
        self.deliverer.close()
        self.api.should_exit = True
        self.server.shutdown()
        self.server.server_close()
        self.store.close()


def _start(data_dir: Path, gemeente: str) -> _Loopback:
    seen = GgkSeen()
    server = ThreadingHTTPServer(("127.0.0.1", 0), type("Handler", (_Handler,), {"seen": seen}))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    ggk_url = f"http://127.0.0.1:{server.server_address[1]}/ggk"
    routes = data_dir / "ggk-routes.toml"
    routes.write_text(f'default = {{ url = "{ggk_url}", channel = "ggk" }}\n', encoding="utf-8")
    senders = data_dir / "ggk-senders.toml"
    senders.unlink(missing_ok=True)  # a kept demo directory: a fresh token each run
    token = add_sender(senders, "gemeente-backoffice", [gemeente], Role.SENDER)
    settings = Installation.from_environment(
        database_url=f"sqlite:///{data_dir / 'ggk.db'}",
        data_dir=data_dir,
        routes_file=routes,
        default_route=None,
        senders_file=senders,
        retry_base_s=0.05,
        poll_interval_s=0.02,
    ).settings
    store = open_store(settings)
    port = _port()
    config = uvicorn.Config(create_app(settings, store=store), host="127.0.0.1", port=port, log_level="error")
    api = uvicorn.Server(config)
    threading.Thread(target=api.run, daemon=True).start()
    worker, deliverer = build_worker(store, settings, concurrency=1)
    loop = threading.Thread(target=worker.run, daemon=True)
    loop.start()
    return _Loopback(seen, server, api, port, token, store, worker, deliverer, loop)


def run_ggk_demo(data_dir: Path, *, hang_guard_s: float = 60.0) -> tuple[bool, list[str]]:
    """Run the GGk leg in ``data_dir``; whether it went end to end, and the lines to print."""
    payload = small_jw301(4242)
    gemeente = read_ijw_header(payload).afzender
    running = _start(data_dir, gemeente)
    lines = ["GGk 0310 on loopback:"]
    try:
        deadline = time.monotonic() + hang_guard_s
        while not running.api.started and time.monotonic() < deadline:
            time.sleep(0.02)
        headers = {"Authorization": f"Bearer {running.token}", "Content-Type": "text/xml; charset=utf-8",
                   "SOAPAction": f'"{ACTION_DI01}"'}  # fmt: skip
        url = f"http://127.0.0.1:{running.port}/soap/ggk0310"
        answer = httpx.post(url, content=_di01(payload), headers=headers, timeout=10)
        code = etree.fromstring(answer.content).findtext(f".//{_S}berichtcode")
        lines.append(f"  backoffice {gemeente} → POST /soap/ggk0310 ggk_Di01 (JW301) → {answer.status_code} {code}")
        travelled = False
        while not travelled and time.monotonic() < deadline:
            time.sleep(0.05)
            with running.seen.lock:
                kinds = {r[0] for r in running.seen.requests}
            items, _ = running.store.list_messages(limit=5)
            settled = bool(items) and all(str(m.status) == "delivered" for m in items)
            travelled = {"ggk_Di01", "ggk_Du01"} <= kinds and settled
        with running.seen.lock:
            lines += [
                f"  Ketenpoort → {to}'s GGk endpoint: {kind} ({what}) → Bv03"
                for kind, what, to in running.seen.requests
            ]
        items, _ = running.store.list_messages(limit=5)
        lines += [f"  message {m.id}: {m.message_type} {m.sender} → {m.receiver}: {m.status}" for m in items]
        verify = running.store.verify_audit()
        lines.append(f"  audit chain: {verify.events} events, {'verified' if verify.ok else 'BROKEN'}")
        ok = travelled and verify.ok and answer.status_code == 200 and code == "Bv03"
    finally:
        running.stop()
    return ok, lines


__all__ = ["run_ggk_demo"]
