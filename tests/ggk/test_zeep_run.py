"""zeep, built from the official GGk WSDL, calls ggk_Di01 on a running ``ketenpoort run``; retours leave as ggk_Du01.

The verdicts and retours must be those ``POST /v1/berichten`` gives the same documents (checked
on a second, in-process Ketenpoort over its own store), and every request the loopback GGk
receiver gets must validate against the official schema.
"""

from __future__ import annotations

import base64
import difflib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from gateway.api import create_app
from gateway.api.auth import Role, add_sender
from gateway.config import load_settings
from gateway.ggk.envelope import DI01, DU01, GGK_NS, STUF_NS
from gateway.pseudonym import Pseudonymiser
from gateway.store import Store
from tests.api.support import drain, free_port
from tests.ggk.builders import bad_jw323, jw301, parties
from tests.ggk.zeep_client import ggk_service, send_di01
from tests.support.databases import TEST_PSEUDONYM_KEY
from tests.support.ggk_schema import official_errors
from tests.support.receiver import Receiver
from tests.support.soap_receiver import SoapReceiver

HANG_GUARD_S = 90.0
DOCUMENTS = {"JW301": jw301(1), "JW323": bad_jw323(1)}


def _normalised(retour: str | None) -> str | None:
    """A retour without the identificatie and dagtekening each Ketenpoort gives it afresh."""
    if retour is None:
        return None
    return re.sub(r"<(\w+:)?(Identificatie|Dagtekening)(Retour)?>[^<]*<", r"<\1\2\3>*<", retour)


def _verdict(body: dict[str, Any]) -> tuple[str, list[tuple[str | None, str | None]], str | None]:
    errors = sorted((e.get("rule"), e.get("retourcode")) for e in body.get("errors", []))
    return body["status"], errors, _normalised(body["retour"])


def _via_api(tmp_path: Path) -> dict[str, tuple[str, list[tuple[str | None, str | None]], str | None]]:
    """The verdicts POST /v1/berichten gives the same documents, on an in-process Ketenpoort."""
    senders = tmp_path / "api-senders.toml"
    token = add_sender(senders, "ops", [], Role.OPERATOR)
    store = Store.open(
        f"sqlite:///{tmp_path / 'api.db'}", migrate=True, pseudonymiser=Pseudonymiser(TEST_PSEUDONYM_KEY)
    )
    client = TestClient(create_app(load_settings(senders_file=senders, data_dir=tmp_path), store=store))
    out = {}
    with Receiver() as rx:
        for name, data in DOCUMENTS.items():
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/xml"}
            mid = client.post("/v1/berichten", content=data, headers=headers).json()["id"]
            drain(store, rx.url)
            body = client.get(f"/v1/berichten/{mid}", headers=headers).json()
            body["retour"] = client.get(f"/v1/berichten/{mid}/retour", headers=headers).text
            out[name] = _verdict(body)
    store.close()
    return out


@pytest.mark.slow
def test_zeep_from_the_official_wsdl_sends_di01_to_ketenpoort_run_and_retours_leave_as_du01(tmp_path: Path) -> None:
    """Bv03 for a clean JW301 and a rule-breaking JW323; the verdicts and retours equal /v1/berichten's; Du01s valid."""
    expected = _via_api(tmp_path)
    senders = tmp_path / "senders.toml"
    backoffice = add_sender(senders, "ggk-backoffice", [parties(d)[0] for d in DOCUMENTS.values()], Role.SENDER)
    operator = add_sender(senders, "ops", [], Role.OPERATOR)
    port = free_port()
    with SoapReceiver(check=official_errors) as rx:
        routes = tmp_path / "routes.toml"
        routes.write_text(f'default = {{ url = "{rx.url}", channel = "ggk" }}\n', encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith("KETENPOORT_")}
        env.update(
            KETENPOORT_DATABASE_URL=f"sqlite:///{tmp_path / 'ketenpoort.db'}",
            KETENPOORT_DATA_DIR=str(tmp_path),
            KETENPOORT_PSEUDONYM_KEY=TEST_PSEUDONYM_KEY.decode(),
            KETENPOORT_SENDERS_FILE=str(senders),
            KETENPOORT_ROUTES_FILE=str(routes),
            KETENPOORT_POLL_INTERVAL_S="0.02",
            KETENPOORT_LOG_FORMAT="json",
        )
        log = (tmp_path / "run.log").open("wb")
        proc = subprocess.Popen(
            [sys.executable, "-m", "gateway", "run", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + HANG_GUARD_S
            while time.monotonic() < deadline:
                try:
                    if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.1)
            service = ggk_service(f"{base}/soap/ggk0310", backoffice)
            for data in DOCUMENTS.values():
                answer = send_di01(service, data)
                assert answer.berichtcode == "Bv03"
            ops = {"Authorization": f"Bearer {operator}"}
            while time.monotonic() < deadline:
                items = httpx.get(f"{base}/v1/berichten", headers=ops, timeout=5).json()["items"]
                du01 = [r for r in rx.records if r.payload is not None and r.payload.tag == DU01]
                if len(du01) == 2 and all(i["status"] not in ("received", "accepted", "relaying") for i in items):
                    break
                time.sleep(0.1)
            views = {}
            for item in items:
                body = httpx.get(f"{base}/v1/berichten/{item['id']}", headers=ops, timeout=5).json()
                body["retour"] = httpx.get(f"{base}/v1/berichten/{item['id']}/retour", headers=ops, timeout=5).text
                views[body.get("type") or body.get("message_type")] = body
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(HANG_GUARD_S) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            log.close()
        records = list(rx.records)
    assert rx.invalid() == [], [r.errors for r in rx.invalid()]
    got_verdicts = {name: _verdict(body) for name, body in views.items()}
    for name, want in expected.items():
        have = got_verdicts[name]
        assert have[:2] == want[:2], name
        diff = "\n".join(difflib.unified_diff((want[2] or "").split("><"), (have[2] or "").split("><"), lineterm=""))
        assert have[2] == want[2], diff
    assert expected["JW301"][0] == "delivered"
    assert expected["JW323"][0] == "rejected"
    assert ("TR358", "0001") in expected["JW323"][1]
    du01 = [r for r in records if r.payload is not None and r.payload.tag == DU01]
    carried = {
        base64.b64decode(r.payload.findtext(f".//{{{GGK_NS}}}bericht") or "").decode()
        for r in du01
        if r.payload is not None
    }
    assert carried == {views["JW301"]["retour"], views["JW323"]["retour"]}
    heen = [r for r in records if r.payload is not None and r.payload.tag == DI01]
    assert len(heen) == 1, "only the accepted JW301 is relayed on"
    functies = {r.payload.findtext(f".//{{{STUF_NS}}}functie") for r in du01 if r.payload is not None}
    assert functies == {"JW302", "JW325"}
