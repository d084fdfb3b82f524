"""VSP fixtures: a generated declaratie stream, a senders file for its parties, the app on a real store.

The VSP rows (traceerIds, pulled retours) are kept by :mod:`gateway.store.vsp` in SQL of its own, so the
VSP API runs over the real store; only tests of requests refused before anything is stored take
``memory_app``, the same app over a MemoryStore.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI

from gateway.api import create_app
from gateway.config import load_settings
from gateway.store import Store
from gateway.store.memory import MemoryStore
from tests.support.receiver import Receiver
from tests.vsp.support import Declaraties, Parties, declaraties, senders

OTHER_AANBIEDER = "99999999"


@pytest.fixture(scope="session")
def stream() -> Declaraties:
    """Two JW323s of one aanbieder and the toewijzingen they rest on."""
    return declaraties(2)


@pytest.fixture
def parties(tmp_path: Path, stream: Declaraties) -> tuple[Path, Parties]:
    """The senders file: aanbieder A (the stream's), aanbieder B, the gemeente, an operator."""
    path = tmp_path / "senders.toml"
    return path, senders(path, stream.aanbieder, OTHER_AANBIEDER, stream.gemeente)


@pytest.fixture
def tokens(parties: tuple[Path, Parties]) -> Parties:
    """The parties' tokens."""
    return parties[1]


def _app(parties: tuple[Path, Parties], store: Store | MemoryStore, tmp_path: Path) -> FastAPI:
    settings = load_settings(senders_file=parties[0], database_url=f"sqlite:///{tmp_path / 'unused.db'}")
    return create_app(settings, store=store)


@pytest.fixture
def app(parties: tuple[Path, Parties], store: Store, tmp_path: Path) -> FastAPI:
    """The API over the real store (SQLite file, then PostgreSQL)."""
    return _app(parties, store, tmp_path)


@pytest.fixture
def memory_app(parties: tuple[Path, Parties], memory_store: MemoryStore, tmp_path: Path) -> FastAPI:
    """The API over ``memory_store``: for requests the VSP API refuses before it stores anything."""
    return _app(parties, memory_store, tmp_path)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A loopback receiver standing in for the gemeente's back office."""
    with Receiver() as r:
        yield r
