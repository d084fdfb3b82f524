"""The store contract's fixture: every test runs on ``memory``, ``sqlite`` (a file) and ``postgresql``.

Every store runs on a :class:`~tests.support.clock.FakeClock`, so leases, delays and retention
windows pass when a test advances it, never by sleeping. PostgreSQL fails instead of skipping
under ``CI=true`` (:func:`tests.support.databases.postgres_base_url`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from gateway.pseudonym import Pseudonymiser
from gateway.store import Store
from gateway.store.memory import MemoryStore
from tests.support.clock import FakeClock
from tests.support.databases import TEST_PSEUDONYM_KEY, url_for

START = 1_800_000_000.0
"""The fake clock's start (January 2027): far from epoch 0, so datetimes and ULIDs look like real ones."""

AnyStore = Store | MemoryStore


@dataclass
class Backend:
    """A store under contract, its clock and its backend's name."""

    store: AnyStore
    clock: FakeClock
    name: str


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, tmp_path: os.PathLike[str]) -> Iterator[Backend]:
    """A fresh store of each backend on a fake clock."""
    clock = FakeClock(START)
    pseudonymiser = Pseudonymiser(TEST_PSEUDONYM_KEY)
    if request.param == "memory":
        yield Backend(MemoryStore(clock=clock, pseudonymiser=pseudonymiser), clock, "memory")
        return
    for url in url_for(request.param, tmp_path):
        store = Store.open(url, migrate=True, pseudonymiser=pseudonymiser, clock=clock)
        try:
            yield Backend(store, clock, request.param)
        finally:
            store.close()


@pytest.fixture
def store(backend: Backend) -> AnyStore:
    """The store under contract."""
    return backend.store


@pytest.fixture
def clock(backend: Backend) -> FakeClock:
    """Its clock."""
    return backend.clock
