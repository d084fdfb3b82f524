"""The demo's VSP aanbieder: it pushes a declaratie over the VSP-Koppeling and pulls its JW325 back.

Its software is pointed at Ketenpoort instead of VECOZO: the Push API (multipart berichtMetadata +
payload), then the Pull API until the retour is ready (alsAntwoordOp = its traceerId), the payload,
and the DELETE that confirms it.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import uvicorn

from gateway.api import create_app
from gateway.api.auth import Role, add_sender
from gateway.config import Settings
from gateway.generate import large_jw323

if TYPE_CHECKING:
    from gateway.store import Store

PUSH = "/vsp/berichtenservice/berichten/rest-push/v1/berichten"
PULL = "/vsp/berichtenservice/berichten/rest-pull/v1/berichten"


@dataclass(frozen=True, slots=True)
class VspDemoResult:
    """What the aanbieder saw."""

    pushed_status: int
    traceer_id: str
    retour_type: str | None = None
    als_antwoord_op: str | None = None
    retour_bytes: int = 0
    confirmed: bool = False

    @property
    def ok(self) -> bool:
        """The push was accepted and the JW325 for it came back and was confirmed."""
        return self.pushed_status == 204 and self.als_antwoord_op == self.traceer_id and self.confirmed

    def line(self) -> str:
        """The demo summary line."""
        if not self.ok:
            return f"VSP aanbieder: push answered {self.pushed_status}, no retour pulled back"
        return (f"VSP aanbieder: pushed a JW323 (traceerId {self.traceer_id[:8]}…), pulled its {self.retour_type} "
                f"back ({self.retour_bytes} bytes, alsAntwoordOp = its traceerId) and confirmed it")  # fmt: skip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def vsp_round_trip(store: Store, settings: Settings, data_dir: Path, *, guard_s: float = 60.0) -> VspDemoResult:
    """Serve the API on loopback, push one declaratie as an aanbieder, pull its retour back (the worker must run)."""
    declaratie = large_jw323(25, seed=325)
    found = re.search(rb"<jw323:Afzender>(\d+)<", declaratie)
    gemeente = re.search(rb"<jw323:Ontvanger>(\d+)<", declaratie)
    assert found is not None and gemeente is not None
    token = add_sender(data_dir / "vsp-senders.toml", "vsp-aanbieder", [found[1].decode()], Role.SENDER)
    app = create_app(settings.model_copy(update={"senders_file": data_dir / "vsp-senders.toml"}), store=store)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", lifespan="off"))
    thread = threading.Thread(target=server.run, name="demo-vsp-api", daemon=True)
    thread.start()
    traceer = str(uuid.uuid4())
    meta = {
        "routeringgegevens": {
            "afzender": {"rol": "Zorgaanbieder", "code": found[1].decode()},
            "geadresseerden": [{"rol": "Gemeente", "code": gemeente[1].decode()}],
            "berichtstroom": {"berichttype": "JW323", "berichtversie": 3, "berichtsubversie": 2, "actie": "Indienen"},
        },
        "referentiegegevens": {"traceerId": traceer, "conversatieId": str(uuid.uuid4())},
    }
    try:
        while not server.started:
            time.sleep(0.01)
        auth = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=auth, timeout=10.0) as client:
            files: dict[str, tuple[str, bytes, str]] = {
                     "berichtMetadata": ("m.json", json.dumps(meta).encode(), "application/json"),
                     "payload": ("jw323.xml", declaratie, "application/octet-stream")}  # fmt: skip
            pushed = client.post(PUSH, files=files)
            result = VspDemoResult(pushed.status_code, traceer)
            deadline = time.monotonic() + guard_s
            while pushed.status_code == 204 and time.monotonic() < deadline:
                listed = client.get(PULL).json()
                mine = [m for m in listed if m["referentiegegevens"].get("alsAntwoordOp") == traceer]
                if mine:
                    retour = client.get(mine[0]["basisgegevens"]["payload"]["url"]).content
                    retour_id = mine[0]["referentiegegevens"]["traceerId"]
                    confirmed = client.delete(f"{PULL}/{retour_id}").status_code == 202
                    return VspDemoResult(204, traceer, mine[0]["routeringgegevens"]["berichtstroom"]["berichttype"],
                                         traceer, len(retour), confirmed)  # fmt: skip
                time.sleep(0.05)
            return result
    finally:
        server.should_exit = True
        thread.join()


__all__ = ["VspDemoResult", "vsp_round_trip"]
