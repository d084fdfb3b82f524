"""Signed checkpoints catch three rewrites the chain alone cannot: a recomputed chain, a cut tail, a moved anchor.

Each rewrite is done the way someone with write access to the database would do it: the chain
still verifies on its own (asserted first), and ``ketenpoort audit verify --checkpoints`` then
exits 1 naming the rewrite. On both backends.
"""

from __future__ import annotations

import io
import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from gateway import audit, checkpoints
from gateway.cli import app
from gateway.config import load_settings
from gateway.logs import configure_logging
from gateway.model import MessageStatus, Stage
from gateway.store import Store
from gateway.store.schema import audit_events, audit_head
from tests.store.helpers import record
from workers.checkpointer import Checkpointer

KEY = "checkpoint-test-key-not-in-the-database"


@pytest.fixture
def cli_env(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The CLI's environment; returns the checkpoints file."""
    file = tmp_path / "checkpoints.jsonl"
    monkeypatch.setenv("KETENPOORT_DATABASE_URL", db_url)
    monkeypatch.setenv("KETENPOORT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KETENPOORT_LOG_LEVEL", "WARNING")
    monkeypatch.setenv("KETENPOORT_AUDIT_CHECKPOINT_KEY", KEY)
    monkeypatch.setenv("KETENPOORT_AUDIT_CHECKPOINT_FILE", str(file))
    return file


def _cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _events(store: Store, n: int) -> None:
    """``n`` messages taken in and accepted: 2n chained events."""
    for i in range(n):
        store.intake(record(f"CP-{i}-{datetime.now(UTC).timestamp()}"))
    for _ in range(n):
        job = store.claim([Stage.VALIDATE], "w", 30)
        assert job is not None
        store.finish_validate(job, MessageStatus.ACCEPTED, [], None)


def _checkpoint(file: Path) -> None:
    assert _cli("audit", "checkpoint")[0] == 0
    assert file.exists()


def _rechain(conn: sa.Connection, start: int) -> None:
    """Recompute every hash from ``start`` on and move the head, as a forger would."""
    prev = conn.execute(sa.select(audit_events.c.hash).where(audit_events.c.seq == start - 1)).scalar()
    if prev is None:
        prev = conn.execute(sa.select(audit_head.c.base_hash)).scalar_one()
    rows = conn.execute(sa.select(audit_events).where(audit_events.c.seq >= start).order_by(audit_events.c.seq)).all()
    for row in rows:
        body = audit.canonical(row.seq, row.at, message_id=row.message_id, event=row.event, actor=row.actor,
                               data=row.data)  # fmt: skip
        digest = audit.chain_hash(prev, body)
        conn.execute(audit_events.update().where(audit_events.c.seq == row.seq).values(prev_hash=prev, hash=digest))
        prev = digest
    conn.execute(audit_head.update().values(seq=rows[-1].seq, hash=prev))


def _verify(file: Path) -> tuple[int, str, str]:
    return _cli("audit", "verify", "--checkpoints", str(file))


def test_an_untouched_chain_agrees_with_its_checkpoints(store: Store, cli_env: Path) -> None:
    """Checkpoints taken as the chain grows all hold, and the verdict says how many were checked."""
    _events(store, 3)
    _checkpoint(cli_env)
    _events(store, 3)
    _checkpoint(cli_env)
    code, out, err = _verify(cli_env)
    assert (code, err) == (0, "") and "agrees with 2 checkpoints" in out


def test_a_recomputed_chain_is_caught(store: Store, cli_env: Path) -> None:
    """A row changed and every later hash recomputed verifies alone, but not against a checkpoint after it."""
    _events(store, 4)
    _checkpoint(cli_env)
    with store.db.engine.begin() as conn:
        conn.execute(audit_events.update().where(audit_events.c.seq == 3).values(actor="mallory"))
        _rechain(conn, 3)
    assert store.verify_audit().ok  # the attack works against the chain alone
    code, out, err = _verify(cli_env)
    assert code == 1 and "REWRITTEN (recomputed) at sequence 8" in err and out.strip() == "8"


def test_a_cut_tail_is_caught(store: Store, cli_env: Path) -> None:
    """The last rows deleted and the head moved back verifies alone, but the head is behind a checkpoint."""
    _events(store, 4)
    _checkpoint(cli_env)
    with store.db.engine.begin() as conn:
        conn.execute(audit_events.delete().where(audit_events.c.seq > 5))
        last = conn.execute(sa.select(audit_events.c.hash).where(audit_events.c.seq == 5)).scalar_one()
        conn.execute(audit_head.update().values(seq=5, hash=last))
    assert store.verify_audit().ok
    code, _, err = _verify(cli_env)
    assert code == 1 and "REWRITTEN (cut_tail) at sequence 8" in err


def test_a_cut_head_with_a_moved_anchor_is_caught(store: Store, cli_env: Path) -> None:
    """The first rows deleted and the anchor moved after them verifies alone; no audit.pruned event accounts for it."""
    _events(store, 4)
    _checkpoint(cli_env)
    with store.db.engine.begin() as conn:
        conn.execute(audit_events.delete().where(audit_events.c.seq <= 3))
        anchor = conn.execute(sa.select(audit_events.c.hash).where(audit_events.c.seq == 3)).scalar()
        assert anchor is None
        prev = conn.execute(sa.select(audit_events.c.prev_hash).where(audit_events.c.seq == 4)).scalar_one()
        conn.execute(audit_head.update().values(base_seq=3, base_hash=prev))
    assert store.verify_audit().ok
    code, _, err = _verify(cli_env)
    assert code == 1 and "REWRITTEN (moved_anchor) at sequence 3" in err


def test_retention_moving_the_anchor_is_no_rewrite(store: Store, cli_env: Path) -> None:
    """Pruning behind a new anchor records an audit.pruned event, so older checkpoints still hold."""
    _events(store, 3)
    _checkpoint(cli_env)
    store.purge(datetime.now(UTC) + timedelta(days=1), datetime.now(UTC) + timedelta(days=1))
    with store.db.read() as conn:
        assert conn.execute(sa.select(audit_head.c.base_seq)).scalar_one() > 0
    _checkpoint(cli_env)
    code, out, err = _verify(cli_env)
    assert (code, err) == (0, "") and "agrees with 2 checkpoints" in out


def test_an_edited_or_emptied_checkpoints_file_does_not_pass(store: Store, cli_env: Path) -> None:
    """A checkpoint whose fields were changed fails its MAC; a file without checkpoints is no proof."""
    _events(store, 2)
    _checkpoint(cli_env)
    line = json.loads(cli_env.read_text())
    line["seq"] = 1  # to make a cut tail look covered
    cli_env.write_text(json.dumps(line) + "\n")
    code, _, err = _verify(cli_env)
    assert code == 1 and "REWRITTEN (forged)" in err
    cli_env.write_text("")
    assert _verify(cli_env)[0] == 1


def test_the_worker_checkpointer_writes_periodically_and_at_stop(store: Store, tmp_path: Path) -> None:
    """Started, it signs the head at once and every interval; stopped, it signs the final head too."""
    file = tmp_path / "cps.jsonl"
    settings = load_settings(audit_checkpoint_key=KEY, audit_checkpoint_file=file, audit_checkpoint_interval_s=0.05)
    writer = Checkpointer.from_settings(store, settings)
    assert writer is not None
    writer.start()
    while writer.written < 3:  # bounded by the test's own hang timeout
        time.sleep(0.01)
    _events(store, 1)
    writer.stop()
    records = checkpoints.read(file.read_text().splitlines())
    assert len(records) == writer.written >= 4
    with store.db.read() as conn:
        assert checkpoints.check(conn, records, KEY.encode()).ok
        head = conn.execute(sa.select(audit_head.c.seq)).scalar_one()
    assert records[-1]["seq"] == head == 2
    assert Checkpointer.from_settings(store, load_settings()) is None


def test_the_structured_log_serves_as_the_checkpoints_file(store: Store, tmp_path: Path) -> None:
    """Each checkpoint is an ``audit.checkpoint`` JSON log line that verify takes as it is, among other lines."""
    buf = io.StringIO()
    configure_logging("json", "INFO", stream=buf)
    _events(store, 2)
    with store.db.read() as conn:
        checkpoints.publish(checkpoints.take(conn, KEY.encode()))
    log_file = tmp_path / "worker.log"
    log_file.write_text("not json\n" + buf.getvalue())
    records = checkpoints.read(log_file.read_text().splitlines())
    assert len(records) == 1
    with store.db.read() as conn:
        assert checkpoints.check(conn, records, KEY.encode()).ok
        assert not checkpoints.check(conn, records, b"another key").ok
