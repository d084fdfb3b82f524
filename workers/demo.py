"""``ketenpoort demo``: the main job on the embedded default, with nothing to install or start.

A fresh data directory with a SQLite store, a loopback receiver standing in for the partners,
a mixed batch of generated messages (iJw toewijzingen, a large declaratie, StUF-Jeugdzorg
traffic with resubmissions, and a few broken ones), the real intake and worker, and a summary
of what happened to every message.
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from gateway.app import Installation
from gateway.config import Settings
from gateway.generate import large_jw323, small_jw301
from gateway.generate.stuf import stuf_traffic
from gateway.intake import submit
from gateway.model import Finding, MessageStatus
from workers.demo_corv import run_corv_demo
from workers.demo_stufjz import stuf_jz_for_demo
from workers.receiver import DemoReceiver
from workers.runtime import build_worker, open_store
from workers.tally import Tally

if TYPE_CHECKING:
    from gateway.store import Store

_REJECTED = MessageStatus.REJECTED


@dataclass(frozen=True, slots=True)
class DemoMessage:
    """One document of the demo batch and what it is meant to show."""

    label: str
    data: bytes
    planned: MessageStatus = MessageStatus.DELIVERED
    """How the message is meant to come out; the demo fails when one does not."""


def demo_batch(
    *, toewijzingen: int = 20, stuf: int = 40, prestaties: int = 2000, seed: int = 2026
) -> list[DemoMessage]:
    """The mixed batch: valid iJw and StUF traffic (some StUF resubmitted), plus broken documents."""
    batch = [DemoMessage("JW301 toewijzing", small_jw301(seed + i)) for i in range(toewijzingen)]
    batch.append(DemoMessage("JW323 declaratie, no toewijzing on file", large_jw323(prestaties, seed=seed), _REJECTED))
    batch += [DemoMessage("StUF-Jeugdzorg", data) for _, data in stuf_traffic(stuf, seed=seed, duplicate_ratio=0.1)]
    broken = [small_jw301(seed + 10_000 + i) for i in range(3)]  # each its own BerichtIdentificatie
    batch += [
        DemoMessage(
            "JW301, Geslacht 7 (XSD)", re.sub(rb"<jw301:Geslacht>\d<", b"<jw301:Geslacht>7<", broken[0]), _REJECTED
        ),
        DemoMessage(
            "JW301, BSN fails 11-proef", re.sub(rb"<jw301:Bsn>\d+<", b"<jw301:Bsn>123456789<", broken[1]), _REJECTED
        ),
        DemoMessage("JW301, truncated", broken[2][: len(broken[2]) // 2], _REJECTED),
    ]
    return batch


@dataclass
class DemoReport:
    """What happened to the batch."""

    submitted: int = 0
    created: int = 0
    duplicates: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    planned: Counter[str] = field(default_factory=Counter)
    batch_counts: Counter[str] = field(default_factory=Counter)
    """Final statuses of the submitted batch's own messages (the channel demos' messages aside)."""
    reasons: Counter[str] = field(default_factory=Counter)
    receiver_requests: int = 0
    receiver_keys: int = 0
    delivery_attempts: int = 0
    retours: int = 0
    facts: int = 0
    audit: str = "not checked"
    audit_ok: bool = True
    vsp: str = "not run"
    vsp_ok: bool = True
    vsp_created: int = 0
    """Messages the VSP aanbieder pushed through the API (beside the submitted batch)."""
    seconds: float = 0.0
    channel_lines: list[str] = field(default_factory=list)
    """One message per partner channel (CORV, ...) end to end on loopback."""
    channels_ok: bool = True
    stuf_jz_lines: list[str] = field(default_factory=list)
    """Whether StUF-JZ content was validated or (demo only, loudly) accepted on the envelope."""

    @property
    def ok(self) -> bool:
        """Every message finished, each delivered one reached the receiver, and the audit chain holds."""
        delivered = self.counts.get(str(MessageStatus.DELIVERED), 0)
        finished = sum(self.counts.get(str(s), 0) for s in ("rejected", "delivered", "dead"))
        as_planned = self.batch_counts == self.planned
        done = finished == self.created + self.vsp_created and self.receiver_keys == delivered
        return as_planned and done and self.audit_ok and self.vsp_ok and self.channels_ok

    def lines(self) -> list[str]:
        """The printed summary."""
        out = [
            f"submitted {self.submitted} documents: {self.created} messages, {self.duplicates} resubmissions "
            "answered as duplicates",
        ]
        out += [f"  {status:<10} {count}" for status, count in sorted(self.counts.items())]
        if self.reasons:
            out.append("rejected because of (rule or check → retourcode):")
            out += [f"  {reason:<40} {count}" for reason, count in self.reasons.most_common()]
        out += [
            f"retours/acknowledgements made: {self.retours}",
            f"facts kept for reconciliation: {self.facts}",
            f"receiver: {self.receiver_requests} requests, {self.receiver_keys} distinct Idempotency-Keys "
            f"({self.delivery_attempts} delivery attempts recorded)",
            self.vsp,
            f"audit chain: {self.audit}",
            "every message came out as planned"
            if self.batch_counts == self.planned
            else f"NOT as planned: expected {dict(sorted(self.planned.items()))}",
            *self.channel_lines,
            *self.stuf_jz_lines,
            f"done in {self.seconds:.1f} s",
        ]
        return out


def _reason(finding: Finding) -> str:
    what = finding.rule or finding.kind
    return f"{what} → {finding.retourcode}" if finding.retourcode else what


def _verify_audit(store: Store) -> tuple[bool, str]:
    """The store's audit-chain verdict, as the demo's last line says it."""
    result = store.verify_audit()
    return result.ok, f"{result.events} events, verified" if result.ok else f"BROKEN at sequence {result.first_broken}"


def demo_settings(data_dir: Path, receiver_url: str) -> Settings:
    """Settings for a demo run: the SQLite file in ``data_dir``, every route to the loopback receiver."""
    return Installation.from_environment(
        database_url=f"sqlite:///{data_dir / 'ketenpoort.db'}",
        data_dir=data_dir,
        routes_file=None,
        default_route=receiver_url,
        retry_base_s=0.05,
        retry_cap_s=1.0,
        poll_interval_s=0.02,
    ).settings


Progress = Callable[[int, int], None]


def _submit_batch(tally: Tally, messages: list[DemoMessage], settings: Settings, report: DemoReport) -> list[str]:
    """Submit the batch; returns the ids of the messages it created (what was planned for them is counted)."""
    batch_ids: list[str] = []
    for message in messages:
        result = submit(tally, message.data, sender=None, max_bytes=settings.max_message_bytes)
        report.submitted += 1
        report.created += result.created
        report.duplicates += result.status is MessageStatus.DUPLICATE
        if result.created:
            report.planned[str(message.planned)] += 1
            batch_ids.append(result.message_id)
    return batch_ids


def _read_outcomes(tally: Tally, batch_ids: list[str], report: DemoReport) -> None:
    """Copy what the tally saw into the report: statuses, reasons of rejection, retours, facts, attempts."""
    report.counts = tally.outcomes.counts()
    final = tally.outcomes.status
    report.batch_counts = Counter(str(final[mid]) for mid in batch_ids if mid in final)
    for message_id, status in final.items():
        if status is MessageStatus.REJECTED:
            report.reasons.update({_reason(f) for f in tally.outcomes.findings.get(message_id, ())})
    report.retours = tally.outcomes.retours
    report.facts = tally.outcomes.facts
    report.delivery_attempts = tally.outcomes.attempts


def run_demo(
    data_dir: Path,
    *,
    concurrency: int = 3,
    batch: list[DemoMessage] | None = None,
    progress: Progress | None = None,
    hang_guard_s: float = 120.0,
    vsp: bool = True,
    channels: bool = True,
) -> DemoReport:
    """Run the whole demo in ``data_dir`` and return its report.

    ``vsp``: an aanbieder also pushes a declaratie over the VSP-Koppeling and pulls its retour back;
    ``channels``: one CORV message also travels between two Ketenpoorts over mutual TLS.
    """
    started = time.perf_counter()
    report = DemoReport()
    with stuf_jz_for_demo(report.stuf_jz_lines):
        _run(data_dir, report, concurrency=concurrency, batch=batch, progress=progress, hang_guard_s=hang_guard_s,
             vsp=vsp, channels=channels)  # fmt: skip
    report.seconds = time.perf_counter() - started
    return report


def _run(
    data_dir: Path,
    report: DemoReport,
    *,
    concurrency: int,
    batch: list[DemoMessage] | None,
    progress: Progress | None,
    hang_guard_s: float,
    vsp: bool,
    channels: bool,
) -> None:
    messages = batch if batch is not None else demo_batch()
    with DemoReceiver() as receiver:
        settings = demo_settings(data_dir, receiver.url)
        store = open_store(settings)
        tally = Tally(store)
        batch_ids = _submit_batch(tally, messages, settings, report)
        worker, deliverer = build_worker(tally, settings, concurrency=concurrency)
        thread = threading.Thread(target=worker.run, name="demo-worker", daemon=True)
        thread.start()
        deadline = time.monotonic() + hang_guard_s
        try:
            while tally.outcomes.finished() < report.created and time.monotonic() < deadline:
                if progress is not None:
                    progress(tally.outcomes.finished(), report.created)
                time.sleep(0.05)
            if progress is not None:
                progress(tally.outcomes.finished(), report.created)
            if vsp:  # the VSP aanbieder's declaratie joins the pipeline the worker still runs
                from workers.demo_vsp import vsp_round_trip

                pulled = vsp_round_trip(store, settings, data_dir)
                report.vsp_created = int(pulled.pushed_status == 204)
                report.vsp, report.vsp_ok = pulled.line(), pulled.ok
                while tally.outcomes.finished() < report.created + report.vsp_created and time.monotonic() < deadline:
                    time.sleep(0.05)
        finally:
            worker.request_stop()
            thread.join()
            deliverer.close()
        _read_outcomes(tally, batch_ids, report)
        report.receiver_requests = receiver.requests
        report.receiver_keys = len(receiver.keys)
        report.audit_ok, report.audit = _verify_audit(store)
        store.close()
    if channels:
        corv = run_corv_demo(data_dir)
        report.channel_lines += corv.lines
        report.channels_ok = report.channels_ok and corv.ok


__all__ = ["DemoMessage", "DemoReport", "demo_batch", "demo_settings", "run_demo"]
