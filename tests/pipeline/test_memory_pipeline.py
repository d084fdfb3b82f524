"""The real worker, stages and relay over a MemoryStore: the in-memory store carries a message end to end.

The same story as tests/pipeline/test_duplicates.py (which holds it on both databases), without a database:
the dedup answer, the TR056 rejection through the memory store's history, delivery once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from gateway.generate import small_jw301
from gateway.intake import submit
from gateway.model import MessageStatus
from gateway.pseudonym import Pseudonymiser
from gateway.relay import Deliverer, RetryPolicy, Routes
from gateway.store.memory import MemoryStore
from tests.support.databases import TEST_PSEUDONYM_KEY
from tests.support.receiver import Receiver
from workers.loop import Worker
from workers.pipeline import handlers

HANG_GUARD_S = 60.0
"""Only a bound on a hang: the loop ends as soon as no job is left."""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as rx:
        yield rx


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore(pseudonymiser=Pseudonymiser(TEST_PSEUDONYM_KEY))


def _drain(store: MemoryStore, url: str) -> None:
    """Run a real worker until only the retention job is open."""
    policy = RetryPolicy(base_s=0.01, cap_s=0.05, max_attempts=3, max_age_s=3600.0)
    with Deliverer(Routes({}, default=url), policy, read_timeout_s=2.0) as deliverer:
        worker = Worker(
            store, handlers(store, deliverer, Pseudonymiser(TEST_PSEUDONYM_KEY), max_bytes=1 << 20),
            concurrency=2, poll_interval_s=0.005,
        )  # fmt: skip
        thread = threading.Thread(target=worker.run)
        thread.start()
        deadline = time.monotonic() + HANG_GUARD_S
        try:
            while time.monotonic() < deadline:
                counts = store.job_counts()
                if counts["due"] + counts["leased"] + counts["scheduled"] <= 1:
                    break
                threading.Event().wait(0.01)
        finally:
            worker.request_stop()
            thread.join(HANG_GUARD_S)


def test_same_bytes_twice_are_one_message_delivered_once(store: MemoryStore, receiver: Receiver) -> None:
    data = small_jw301(7)
    first = submit(store, data, sender=None)
    again = submit(store, data, sender=None)
    assert first.created and again.duplicate_of == first.message_id
    _drain(store, receiver.url)
    assert store.status_counts()["delivered"] == 1 and sum(store.status_counts().values()) == 1
    assert receiver.delivered_keys() == {first.message_id}
    assert store.verify_audit().ok


def test_changed_bytes_are_rejected_with_tr056_from_the_memory_history(store: MemoryStore, receiver: Receiver) -> None:
    data = small_jw301(8)
    first = submit(store, data, sender=None)
    changed = submit(store, data.replace(b"</jw301:Bericht>", b"<!-- gecorrigeerd --></jw301:Bericht>"), sender=None)
    assert changed.resend_of == first.message_id
    _drain(store, receiver.url)
    view = store.get_message(changed.message_id)
    assert view is not None and view.status is MessageStatus.REJECTED
    assert [(f.rule, f.retourcode) for f in view.findings] == [("TR056", "9056")]
    assert receiver.delivered_keys() == {first.message_id}
