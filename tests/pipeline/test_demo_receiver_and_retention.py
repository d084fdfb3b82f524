"""The demo receiver answers 200 and counts distinct keys; retention horizons follow the settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from gateway.config import load_settings
from workers.receiver import DemoReceiver
from workers.stages.retention import cutoffs


def test_demo_receiver_counts_requests_and_distinct_keys() -> None:
    with DemoReceiver() as rx, httpx.Client() as client:
        for key in ("a", "b", "a"):
            response = client.post(rx.url, content=b"<x/>", headers={"Idempotency-Key": key})
            assert response.status_code == 200
    assert rx.requests == 3
    assert rx.keys == {"a", "b"}


def test_retention_cutoffs_follow_settings() -> None:
    now = datetime(2026, 11, 25, 12, tzinfo=UTC)
    c = cutoffs(load_settings(payload_retention_h=2, metadata_retention_d=10, rejected_payload_retention_d=3), now)
    assert c.payload_before == now - timedelta(hours=2)
    assert c.metadata_before == now - timedelta(days=10)
    assert c.refused_before == now - timedelta(days=3)
    assert cutoffs(load_settings(), now).refused_before == now - timedelta(days=14)  # the default
