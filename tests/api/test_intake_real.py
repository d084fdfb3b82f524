"""POST /v1/berichten through gateway.intake into the real store: what it records about the message."""

from __future__ import annotations

import hashlib
from typing import Any

from fastapi.testclient import TestClient

from gateway.api import create_app
from gateway.config import Settings
from gateway.model import MessageStatus
from gateway.store import Store
from tests.api.conftest import OIN_A, OIN_B, Tokens
from tests.support.stuf_builders import build_di01


def test_real_intake_records_sender_receiver_source_and_digest(
    settings: Settings, tokens: Tokens, store: Store
) -> None:
    client = TestClient(create_app(settings, store=store))
    body = build_di01("meldingGeneriekDi01", zender_oin=OIN_A, ontvanger_oin=OIN_B, referentienummer="R-9")
    headers: dict[str, Any] = {"Authorization": f"Bearer {tokens.a}", "Content-Type": "application/xml"}
    r = client.post("/v1/berichten", content=body, headers={**headers, "Idempotency-Key": "idem-9"})
    assert r.status_code == 202 and r.json()["status"] == "received"
    view = store.get_message(r.json()["id"])
    assert view is not None and view.status is MessageStatus.RECEIVED
    assert (view.sender, view.receiver, view.source, view.external_id) == (OIN_A, OIN_B, "api", "R-9")
    assert view.payload_sha256 == hashlib.sha256(body).hexdigest() and view.payload_size == len(body)
