"""Senders file: tokens are stored hashed only and authenticate exactly their own sender."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from gateway.api.auth import Role, add_sender, hash_token, load_senders
from gateway.cli import app


def test_token_is_stored_only_as_its_hash(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    token = add_sender(path, "alpha", ["12345678", "0363"], Role.SENDER)
    text = path.read_text()
    assert token not in text
    assert hash_token(token) in text
    assert len(token) >= 43  # 256 bits, url-safe base64


def test_authenticate_returns_the_owner_and_nobody_else(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    ta = add_sender(path, "a", ["1"], Role.SENDER)
    tb = add_sender(path, "b", ["2"], Role.OPERATOR)
    book = load_senders(path)
    a, b = book.authenticate(ta), book.authenticate(tb)
    assert a is not None and a.name == "a" and a.identities == {"1"} and a.role is Role.SENDER
    assert b is not None and b.name == "b" and b.role is Role.OPERATOR
    assert book.authenticate("wrong") is None
    assert book.authenticate("") is None
    assert book.authenticate(None) is None


def test_duplicate_and_bad_names_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    add_sender(path, "a", ["1"], Role.SENDER)
    with pytest.raises(ValueError, match="already exists"):
        add_sender(path, "a", ["1"], Role.SENDER)
    with pytest.raises(ValueError):
        add_sender(path, 'x"]\n[senders.evil', ["1"], Role.OPERATOR)


def test_cli_prints_token_once_and_list_never_shows_it(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    runner = CliRunner()
    added = runner.invoke(app, ["senders", "add", "zorg", "--identity", "12345678", "--file", str(path)])
    assert added.exit_code == 0, added.output
    token = added.stdout.strip()
    assert load_senders(path).authenticate(token) is not None
    listed = runner.invoke(app, ["senders", "list", "--file", str(path)])
    assert listed.exit_code == 0
    assert "zorg\tsender\t12345678" in listed.stdout
    assert token not in listed.stdout
