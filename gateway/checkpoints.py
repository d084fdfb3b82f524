"""Signed checkpoints of the audit chain's head, kept outside the database, so a rewrite of the chain shows.

The chain proves itself only against its own head and anchor (``audit_head``), which live in the
same database: someone with write access can recompute every hash after a change and move the
head, cut the last rows and move the head back, or cut the first rows and move the anchor, and
the chain still verifies. A checkpoint is the head and the anchor at one moment, signed with an
HMAC-SHA256 key that is not in the database (``KETENPOORT_AUDIT_CHECKPOINT_KEY``), and written
where the database's owner cannot reach it: the structured log (``audit.checkpoint``), and
optionally a file (JSON lines) or a URL (a POST of the same JSON).

:func:`check` holds the database against every checkpoint:

- ``recomputed``: the row at a checkpoint's seq is gone or has another hash;
- ``cut_tail``: the head is behind a checkpoint's seq;
- ``moved_anchor``: the anchor is not where a checkpoint left it, and no ``audit.pruned`` event
  recorded after that checkpoint names the anchor as it is now (retention moves it forward, and
  records that it did).

A checkpoint whose MAC does not hold (a forged or edited line) is itself a finding.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import httpx
import sqlalchemy as sa
import structlog

from gateway.store.schema import audit_events, audit_head

log = structlog.get_logger("gateway.audit")

EVENT = "audit.checkpoint"
"""The name of a checkpoint in the structured log (and of its lines in a file)."""

_SIGNED = ("at", "seq", "hash", "base_seq", "base_hash", "kid")


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """The chain's head and anchor at ``at``, with the HMAC over them."""

    at: str
    seq: int
    hash: str
    base_seq: int
    base_hash: str
    kid: str
    """Which key signed it: the first 12 hex digits of sha256(key), never the key."""
    mac: str

    def to_json(self) -> str:
        """One JSON line, as written to the file and posted to the URL."""
        return json.dumps({"event": EVENT, **asdict(self)}, sort_keys=True, separators=(",", ":"))


Problem = Literal["forged", "recomputed", "cut_tail", "moved_anchor"]


@dataclass(frozen=True, slots=True)
class Finding:
    """One way the database disagrees with a checkpoint."""

    problem: Problem
    seq: int
    checkpoint_at: str
    detail: str


@dataclass(frozen=True, slots=True)
class CheckResult:
    """What :func:`check` found over all checkpoints."""

    checkpoints: int
    findings: tuple[Finding, ...]

    @property
    def ok(self) -> bool:
        """True when every checkpoint holds."""
        return not self.findings


def key_id(key: bytes) -> str:
    """A public name for ``key``."""
    return hashlib.sha256(key).hexdigest()[:12]


def _mac(key: bytes, fields: Mapping[str, Any]) -> str:
    body = json.dumps({name: fields[name] for name in _SIGNED}, sort_keys=True, separators=(",", ":"))
    return hmac.new(key, body.encode(), hashlib.sha256).hexdigest()


def take(conn: sa.Connection, key: bytes, *, now: datetime | None = None) -> Checkpoint:
    """A signed checkpoint of the head and the anchor as they are now."""
    head = conn.execute(sa.select(audit_head).where(audit_head.c.id == 1)).one()
    at = (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="microseconds")
    fields: dict[str, Any] = {"at": at, "seq": int(head.seq), "hash": str(head.hash), "base_seq": int(head.base_seq),
                              "base_hash": str(head.base_hash), "kid": key_id(key)}  # fmt: skip
    return Checkpoint(**fields, mac=_mac(key, fields))


def publish(checkpoint: Checkpoint, *, file: Path | None = None, url: str | None = None) -> None:
    """Log the checkpoint; append it to ``file`` and POST it to ``url`` when given (a failed POST is logged)."""
    fields = asdict(checkpoint)
    log.info(EVENT, **fields)
    if file is not None:
        with file.open("a", encoding="utf-8") as out:
            out.write(checkpoint.to_json() + "\n")
    if url is not None:
        try:
            httpx.post(url, content=checkpoint.to_json(), headers={"Content-Type": "application/json"}, timeout=5.0)
        except httpx.HTTPError as exc:
            log.warning("audit.checkpoint_post_failed", error=type(exc).__name__, seq=checkpoint.seq)


def read(lines: Iterable[str]) -> list[dict[str, Any]]:
    """The checkpoint records among JSON ``lines``: a checkpoints file, or the structured log itself."""
    out: list[dict[str, Any]] = []
    for line in lines:
        text = line.strip()
        if not text.startswith("{"):
            continue
        try:
            record = json.loads(text)
        except json.JSONDecodeError:
            continue
        if isinstance(record, dict) and record.get("event") == EVENT:
            out.append(record)
    return out


def check(conn: sa.Connection, records: Iterable[Mapping[str, Any]], key: bytes) -> CheckResult:
    """Hold the chain in ``conn`` against every checkpoint record; see the module docstring for the findings."""
    head = conn.execute(sa.select(audit_head).where(audit_head.c.id == 1)).one()
    head_seq, base_seq, base_hash = int(head.seq), int(head.base_seq), str(head.base_hash)
    findings: list[Finding] = []
    count = 0
    for record in records:
        count += 1
        at = str(record.get("at", "?"))
        try:
            valid = hmac.compare_digest(_mac(key, record), str(record["mac"]))
        except (KeyError, TypeError):
            valid = False
        if not valid:
            findings.append(Finding("forged", _int(record.get("seq")), at, "its MAC does not hold"))
            continue
        seq, digest = int(record["seq"]), str(record["hash"])
        if seq > head_seq:
            findings.append(Finding("cut_tail", seq, at, f"the head is at {head_seq}, behind the checkpoint"))
        elif seq > base_seq:
            row = conn.execute(sa.select(audit_events.c.hash).where(audit_events.c.seq == seq)).first()
            if row is None or str(row.hash) != digest:
                findings.append(Finding("recomputed", seq, at, "the row at the checkpoint is not the one signed"))
        if (int(record["base_seq"]), str(record["base_hash"])) != (base_seq, base_hash) and not _pruned_to(
            conn, after=seq, base_seq=base_seq, base_hash=base_hash, since=int(record["base_seq"])
        ):
            findings.append(Finding("moved_anchor", base_seq, at, "the anchor moved without an audit.pruned event"))
    return CheckResult(count, tuple(findings))


def _int(value: object) -> int:
    return value if isinstance(value, int) else -1


def _pruned_to(conn: sa.Connection, *, after: int, base_seq: int, base_hash: str, since: int) -> bool:
    """True when an ``audit.pruned`` event after seq ``after`` moved the anchor forward to where it is."""
    if base_seq <= since:
        return False
    query = (
        sa.select(audit_events.c.data)
        .where(audit_events.c.event == "audit.pruned", audit_events.c.seq > after)
        .order_by(audit_events.c.seq)
    )
    for (data,) in conn.execute(query):
        record = json.loads(data) if isinstance(data, str) else data
        if record.get("through_seq") == base_seq and record.get("through_hash") == base_hash:
            return True
    return False


__all__ = ["EVENT", "CheckResult", "Checkpoint", "Finding", "Problem", "check", "key_id", "publish", "read", "take"]
