"""API fixtures: a senders file with two senders, a receiver and an operator."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from gateway.api.auth import Role, add_sender
from gateway.config import Settings, load_settings
from gateway.logs import configure_logging

OIN_A = "00000001111111110000"
OIN_B = "00000002222222220000"
OIN_R = "00000003333333330000"


@dataclass
class Tokens:
    a: str
    b: str
    receiver: str
    operator: str


@pytest.fixture
def senders_file(tmp_path: Path) -> tuple[Path, Tokens]:
    path = tmp_path / "senders.toml"
    tokens = Tokens(
        a=add_sender(path, "sender-a", [OIN_A], Role.SENDER),
        b=add_sender(path, "sender-b", [OIN_B], Role.SENDER),
        receiver=add_sender(path, "receiver", [OIN_R], Role.RECEIVER),
        operator=add_sender(path, "ops", [], Role.OPERATOR),
    )
    return path, tokens


@pytest.fixture
def settings(senders_file: tuple[Path, Tokens], tmp_path: Path) -> Settings:
    return load_settings(senders_file=senders_file[0], database_url=f"sqlite:///{tmp_path / 'kp.db'}")


@pytest.fixture
def tokens(senders_file: tuple[Path, Tokens]) -> Tokens:
    return senders_file[1]


@pytest.fixture(autouse=True)
def access_log() -> Iterator[io.StringIO]:
    """Capture structured logs in a buffer each test owns (a CLI test may have closed stderr)."""
    buf = io.StringIO()
    configure_logging("json", "INFO", stream=buf)
    yield buf
    configure_logging("json", "INFO", stream=io.StringIO())
