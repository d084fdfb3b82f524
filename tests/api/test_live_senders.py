"""The senders file is followed: a new sender posts without a restart, SIGHUP re-reads it, a typo locks nobody out."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from structlog.testing import capture_logs

from gateway.api import create_app
from gateway.api.auth import Role, add_sender
from gateway.api.live_senders import LiveSenders, warn_when_nobody_can_post
from gateway.config import load_settings
from gateway.store.memory import MemoryStore
from tests.support.stuf_builders import build_di01

OIN_NEW = "00000004444444440000"
OIN_TO = "00000003333333330000"


def test_a_sender_added_while_running_authenticates_without_a_restart(tmp_path: Path) -> None:
    """Adding a sender to the file is seen by the next authentication after the check interval."""
    path = tmp_path / "senders.toml"
    first = add_sender(path, "a", ["1"], Role.SENDER)
    book = LiveSenders(path, check_interval_s=0.0)
    assert book.authenticate(first) is not None
    later = add_sender(path, "b", ["2"], Role.SENDER)
    found = book.authenticate(later)
    assert found is not None and found.name == "b" and len(book.senders) == 2


def test_a_broken_file_keeps_the_senders_read_before(tmp_path: Path) -> None:
    """A file that no longer parses keeps the old senders and logs why; the next good version is read."""
    path = tmp_path / "senders.toml"
    token = add_sender(path, "a", ["1"], Role.SENDER)
    book = LiveSenders(path, check_interval_s=0.0)
    path.write_text(path.read_text(encoding="utf-8") + "\n[senders.broken\n", encoding="utf-8")
    with capture_logs() as logs:
        assert book.authenticate(token) is not None
    assert [e["event"] for e in logs] == ["senders.reload_failed"] and token not in repr(logs)
    path.write_text("", encoding="utf-8")
    assert book.authenticate(token) is None  # the emptied file is the truth again


def test_sighup_rereads_the_file_at_once(tmp_path: Path) -> None:
    """With the periodic check far away, SIGHUP alone makes a new sender known."""
    path = tmp_path / "senders.toml"
    add_sender(path, "a", ["1"], Role.SENDER)
    book = LiveSenders(path, check_interval_s=3600.0)
    previous = signal.getsignal(signal.SIGHUP)
    try:
        assert book.install_sighup()
        token = add_sender(path, "b", ["2"], Role.SENDER)
        assert book.authenticate(token) is None
        os.kill(os.getpid(), signal.SIGHUP)
        assert book.authenticate(token) is not None
    finally:
        signal.signal(signal.SIGHUP, previous)


def test_the_api_accepts_a_sender_added_after_start(tmp_path: Path, memory_store: MemoryStore) -> None:
    """POST /v1/berichten with a token created after the app started: 202, not 401."""
    path = tmp_path / "senders.toml"
    path.write_text("", encoding="utf-8")
    app = create_app(load_settings(senders_file=path, data_dir=tmp_path), store=memory_store)
    app.state.senders.check_interval_s = 0.0
    body = build_di01("meldingGeneriekDi01", zender_oin=OIN_NEW, ontvanger_oin=OIN_TO, referentienummer="N-1")
    headers = {"Content-Type": "application/xml"}
    with TestClient(app) as client:
        token = add_sender(path, "nieuw", [OIN_NEW], Role.SENDER)
        answer = client.post("/v1/berichten", content=body, headers={**headers, "Authorization": f"Bearer {token}"})
    assert answer.status_code == 202, answer.text


@pytest.mark.parametrize(("roles", "warns"), [((), True), ((Role.RECEIVER,), True), ((Role.SENDER,), False)])
def test_a_warning_when_nobody_can_post(tmp_path: Path, roles: tuple[Role, ...], warns: bool) -> None:
    """No sender or operator in the file (or no file): the server says so at start."""
    path = tmp_path / "senders.toml"
    for number, role in enumerate(roles):
        add_sender(path, f"s{number}", ["1"], role)
    with capture_logs() as logs:
        assert warn_when_nobody_can_post(LiveSenders(path)) is warns
    assert [e["event"] for e in logs] == (["senders.none_can_post"] if warns else [])
