"""The demo runs the main job end to end and reports what happened to every message."""

from __future__ import annotations

from pathlib import Path

import pytest

import workers.demo
from tests.pipeline.memstore import MemStore
from workers.demo import demo_batch, run_demo


def test_demo_batch_mixes_valid_traffic_resubmissions_and_broken_documents() -> None:
    batch = demo_batch()
    labels = {m.label for m in batch}
    assert {"JW301 toewijzing", "JW323 declaratie", "StUF-Jeugdzorg"} <= labels
    assert sum(1 for m in batch if m.label.startswith("JW301,")) == 3
    stuf = [m.data for m in batch if m.label == "StUF-Jeugdzorg"]
    assert len(set(stuf)) < len(stuf)  # some StUF messages are resubmitted byte for byte
    assert demo_batch() == batch  # seeded: the same batch every run


def test_demo_delivers_the_valid_messages_and_rejects_the_broken_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workers.demo, "open_store", lambda settings: MemStore())
    seen: list[tuple[int, int]] = []
    report = run_demo(tmp_path, progress=lambda done, total: seen.append((done, total)))
    batch = demo_batch()
    assert report.submitted == len(batch)
    assert report.duplicates >= 1 and report.created == len(batch) - report.duplicates
    assert report.counts == {"delivered": report.created - 3, "rejected": 3}
    assert report.receiver_keys == report.counts["delivered"]
    assert report.reasons == {"xsd": 1, "CS002 → 0001": 1, "xml": 1}
    assert seen[-1] == (report.created, report.created)
    assert report.ok
    assert (tmp_path / "pseudonym.key").stat().st_mode & 0o777 == 0o600
