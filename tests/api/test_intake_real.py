"""POST /v1/berichten through the real gateway.intake.submit into an in-memory IntakeStore."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient

from gateway.api import create_app
from gateway.config import Settings
from gateway.intake import IntakeRecord, SubmitResult
from tests.api.conftest import OIN_A, OIN_B, Tokens
from tests.support.stuf_builders import build_di01


@dataclass
class MemoryStore:
    records: list[IntakeRecord] = field(default_factory=list)

    def intake(self, record: IntakeRecord) -> SubmitResult:
        self.records.append(record)
        return SubmitResult(message_id=f"m{len(self.records)}", status=record.status, created=True)


def test_real_intake_records_sender_source_and_key(settings: Settings, tokens: Tokens) -> None:
    store = MemoryStore()
    client = TestClient(create_app(settings, store=store))
    body = build_di01("meldingGeneriekDi01", zender_oin=OIN_A, ontvanger_oin=OIN_B, referentienummer="R-9")
    headers: dict[str, Any] = {"Authorization": f"Bearer {tokens.a}", "Content-Type": "application/xml"}
    r = client.post("/v1/berichten", content=body, headers={**headers, "Idempotency-Key": "idem-9"})
    assert r.status_code == 202 and r.json()["id"] == "m1" and r.json()["status"] == "received"
    (rec,) = store.records
    assert (rec.sender, rec.receiver, rec.source, rec.idempotency_key) == (OIN_A, OIN_B, "api", "idem-9")
    assert rec.external_id == "R-9" and rec.payload == body
