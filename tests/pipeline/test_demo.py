"""The demo runs the main job end to end on the embedded SQLite store and reports what happened to every message."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from gateway.bsn import is_valid_bsn
from gateway.store import open_store
from workers.demo import DemoMessage, demo_batch, run_demo


def test_demo_batch_mixes_valid_traffic_resubmissions_and_broken_documents() -> None:
    batch = demo_batch()
    labels = {m.label for m in batch}
    assert {"JW301 toewijzing", "StUF-Jeugdzorg"} <= labels
    assert any(label.startswith("JW323") for label in labels)
    assert sum(1 for m in batch if m.label.startswith("JW301,")) == 3
    stuf = [m.data for m in batch if m.label == "StUF-Jeugdzorg"]
    assert len(set(stuf)) < len(stuf)  # some StUF messages are resubmitted byte for byte
    assert demo_batch() == batch  # seeded: the same batch every run


def test_demo_delivers_the_valid_messages_and_rejects_the_broken_ones(tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    report = run_demo(tmp_path, progress=lambda done, total: seen.append((done, total)))
    batch = demo_batch()
    assert report.submitted == len(batch)
    assert report.duplicates >= 1 and report.created == len(batch) - report.duplicates
    # the declaratie names toewijzingen this gemeente never sent: rejected by a history rule
    # ... and so is the VSP aanbieder's declaratie, whose JW325 it pulls back
    assert report.vsp_ok and report.vsp_created == 1 and "pulled its JW325 back" in report.vsp
    assert report.counts == {"delivered": report.created - 4, "rejected": 4 + report.vsp_created}
    assert report.receiver_keys == report.counts["delivered"]
    assert report.reasons == {"xsd": 1, "CS002 → 0001": 1, "xml": 1, "TR338 → 9338": 1 + report.vsp_created}
    assert seen[-1] == (report.created, report.created)
    assert report.audit.endswith("verified") and report.ok
    assert report.facts > 0
    assert (tmp_path / "pseudonym.key").stat().st_mode & 0o777 == 0o600
    store = open_store(f"sqlite:///{tmp_path / 'ketenpoort.db'}")
    try:  # what the summary said is what the store holds
        counts = store.status_counts()
        assert counts["delivered"] == report.counts["delivered"] and counts["rejected"] == 4 + report.vsp_created
        assert store.verify_audit().ok
    finally:
        store.close()


@pytest.mark.slow
def test_ketenpoort_demo_command_needs_nothing_but_this_machine(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KETENPOORT_")}
    env["HOME"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "gateway", "demo"], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "delivered" in done.stdout and "audit chain:" in done.stdout and "verified" in done.stdout
    assert "CS002 → 0001" in done.stdout
    # no StUF-JZ package on a fresh machine: the demo accepts StUF-JZ on its envelope, deliberately and loudly
    assert "WARNING (demo only): StUF-Jeugdzorg messages are ACCEPTED ON THE ENVELOPE ONLY" in done.stdout
    assert not list(tmp_path.iterdir())  # the temporary data directory was removed; nothing left in cwd


@pytest.mark.slow
def test_no_bsn_of_the_demo_batch_in_any_log_line_or_audit_row(tmp_path: Path) -> None:
    bsns = {
        number
        for message in demo_batch()
        for number in re.findall(rb"<[^>]*Bsn>(\d{9})<", message.data)
        if is_valid_bsn(number.decode())
    }
    assert len(bsns) >= 20
    env = {k: v for k, v in os.environ.items() if not k.startswith("KETENPOORT_")}
    env.update(KETENPOORT_LOG_FORMAT="json", KETENPOORT_LOG_LEVEL="DEBUG")
    data_dir = tmp_path / "kept"
    done = subprocess.run(
        [sys.executable, "-m", "gateway", "demo", "--verbose", "--data-dir", str(data_dir)],
        cwd=tmp_path, env=env, capture_output=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    output = done.stdout + done.stderr
    assert b'"event": "audit"' in output or b"audit" in output  # the pipeline really logged its events
    assert not [bsn for bsn in bsns if bsn in output]
    store = open_store(f"sqlite:///{data_dir / 'ketenpoort.db'}")
    try:
        with store.db.engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT event, actor, data, message_id FROM audit_events").all()
            payloads = b"".join(p for (p,) in conn.exec_driver_sql("SELECT payload FROM messages").all() if p)
    finally:
        store.close()
    assert len(rows) > 100
    assert all(bsn in payloads for bsn in bsns)  # the scan finds them where they belong
    dumped = repr(rows).encode()
    assert not [bsn for bsn in bsns if bsn in dumped]


def test_the_channel_demos_messages_do_not_count_against_the_plan(tmp_path: Path) -> None:
    """The VSP aanbieder's declaratie joins the store beside the batch, yet only the batch is held to its plan."""
    from gateway.generate import small_jw301

    report = run_demo(tmp_path, batch=[DemoMessage("fine", small_jw301(4))])
    assert report.vsp_created == 1 and sum(report.counts.values()) == 2
    assert report.batch_counts == report.planned == {"delivered": 1}


def test_demo_is_not_ok_when_a_message_does_not_come_out_as_planned(tmp_path: Path) -> None:
    """A message meant to be delivered that is rejected (a broken install, a changed rule) fails the demo."""
    from gateway.generate import small_jw301
    from gateway.model import MessageStatus

    broken = re.sub(rb"<jw301:Geslacht>\d<", b"<jw301:Geslacht>7<", small_jw301(5))
    batch = [DemoMessage("fine", small_jw301(4)), DemoMessage("meant to pass", broken, MessageStatus.DELIVERED)]
    report = run_demo(tmp_path, batch=batch, vsp=False)
    assert report.batch_counts == {"delivered": 1, "rejected": 1} and report.planned == {"delivered": 2}
    assert not report.ok
    assert any(line.startswith("NOT as planned") for line in report.lines())
