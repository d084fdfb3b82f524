"""The store commands as shipped: migrate, submit, status, dlq list/replay, audit verify, retention run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from gateway.cli import app
from gateway.contracts import Verdict
from gateway.generate import small_jw301
from gateway.model import MessageStatus, Stage
from gateway.store import Store
from gateway.store.schema import audit_events
from tests.store.helpers import decision, record


@pytest.fixture
def cli_env(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("KETENPOORT_DATABASE_URL", db_url)
    monkeypatch.setenv("KETENPOORT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KETENPOORT_LOG_LEVEL", "WARNING")
    return db_url


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_migrate_submit_status(cli_env: str, tmp_path: Path) -> None:
    assert _run("migrate")[0] == 0
    a, b = tmp_path / "a.xml", tmp_path / "b.xml"
    a.write_bytes(small_jw301(1))
    b.write_bytes(small_jw301(2))
    code, out, _ = _run("submit", str(a), str(b), str(a))
    lines = [line.split("\t") for line in out.strip().splitlines()]
    assert code == 0 and [line[2].split(" ")[0] for line in lines] == ["received", "received", "duplicate"]
    assert lines[0][1] == lines[2][1] != lines[1][1]
    code, out, _ = _run("status", "--json")
    counts = json.loads(out)
    assert code == 0 and counts["messages"]["received"] == 2 and counts["jobs"]["due"] >= 2


def _dead(db_url: str) -> str:
    store = Store.open(db_url, migrate=True)
    try:
        mid = store.intake(record("DEAD-1")).message_id
        for stage in (Stage.VALIDATE, Stage.MAP, Stage.RELAY):
            job = store.claim([stage], "w", 30)
            assert job is not None
            if stage is Stage.VALIDATE:
                store.finish_validate(job, MessageStatus.ACCEPTED, [], None)
            elif stage is Stage.MAP:
                store.finish_map(job, [])
            else:
                store.finish_relay(job, decision(Verdict.DEAD, code=400))
        return mid
    finally:
        store.close()


def test_dlq_list_and_replay(cli_env: str) -> None:
    mid = _dead(cli_env)
    code, out, _ = _run("dlq", "list", "--json")
    rows = [json.loads(line) for line in out.strip().splitlines()]
    assert code == 0 and [r["id"] for r in rows] == [mid] and rows[0]["last_status_code"] == 400
    code, out, _ = _run("dlq", "replay", mid)
    assert code == 0 and mid in out
    code, _, err = _run("dlq", "replay", mid)
    assert code == 1 and "not dead" in err
    assert _run("dlq", "list", "--json")[1].strip() == ""
    store = Store.open(cli_env)
    try:
        view = store.get_message(mid)
        assert view is not None and view.status is MessageStatus.RELAYING
        assert store.audit_events(mid)[-1].event == "message.replayed"
        assert store.audit_events(mid)[-1].actor.startswith("cli")
    finally:
        store.close()
    assert _run("dlq", "replay")[0] == 2


def test_audit_verify_exit_codes(cli_env: str) -> None:
    _dead(cli_env)
    code, out, _ = _run("audit", "verify")
    assert code == 0 and "intact" in out
    engine = sa.create_engine(cli_env)
    with engine.begin() as conn:
        conn.execute(audit_events.update().where(audit_events.c.seq == 2).values(event="message.rejected"))
    engine.dispose()
    code, out, err = _run("audit", "verify")
    assert code == 1 and out.strip() == "2" and "sequence 2" in err


def test_retention_run(cli_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _dead(cli_env)
    monkeypatch.setenv("KETENPOORT_METADATA_RETENTION_D", "0")
    code, out, _ = _run("retention", "run")
    assert code == 0 and "messages deleted: 1" in out
    assert _run("audit", "verify")[0] == 0


def test_submit_takes_directories_and_ends_with_a_summary(cli_env: str, tmp_path: Path) -> None:
    """A directory stands for every *.xml below it; same bytes twice are one message; the summary says so."""
    inbox = tmp_path / "inbox"
    (inbox / "sub").mkdir(parents=True)
    (inbox / "a.xml").write_bytes(small_jw301(11))
    (inbox / "sub" / "b.xml").write_bytes(small_jw301(12))
    (inbox / "sub" / "again.xml").write_bytes(small_jw301(11))
    (inbox / "notes.txt").write_text("not a message", encoding="utf-8")
    code, out, err = _run("submit", str(inbox))
    assert code == 0, err
    lines = [line.split("\t") for line in out.strip().splitlines()]
    assert sorted(Path(line[0]).name for line in lines) == ["a.xml", "again.xml", "b.xml"]
    assert sorted(line[2].split(" ")[0] for line in lines) == ["duplicate", "received", "received"]
    assert "submitted 3 files: 1 duplicate, 2 received" in err
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = _run("submit", str(empty))
    assert code == 2 and "no *.xml files" in err


def test_mapping_export_for_a_gemeente_without_a_table_says_so(cli_env: str) -> None:
    """`mapping export` for a gemeente with no table exits 1 naming the tables there are; with one it exports."""
    code, out, err = _run("mapping", "export", "--gemeente", "0363")
    assert code == 1 and out == ""
    assert "0363 has no mapping table" in err and "0034" in err
    code, out, _ = _run("mapping", "export", "--gemeente", "GM0034")
    assert code == 0 and len(out.splitlines()) > 10
