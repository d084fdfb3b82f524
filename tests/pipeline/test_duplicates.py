"""Duplicates done right, through the real intake, store, stages and worker on both backends.

The key is sender + message type + identification: the official iJw 3.2 examples (retours
carrying their heenbericht's header, a JW307 reusing its JW305's identification) are all
messages of their own. The same bytes twice are one message; other bytes under the same
identification are stored and rejected with TR056, retourcode 9056 in the retour.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from gateway.generate import small_jw301
from gateway.intake import submit
from gateway.model import MessageStatus, Stage
from gateway.pseudonym import Pseudonymiser
from gateway.relay import Deliverer, RetryPolicy, Routes
from gateway.store import Store
from gateway.store.schema import jobs
from tests.support.databases import TEST_PSEUDONYM_KEY
from tests.support.receiver import Receiver
from workers.loop import Worker
from workers.pipeline import handlers

HANG_GUARD_S = 60.0


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as rx:
        yield rx


def _drain(store: Store, url: str) -> None:
    """Run a real worker until no pipeline job is open."""
    policy = RetryPolicy(base_s=0.01, cap_s=0.05, max_attempts=3, max_age_s=3600.0)
    open_jobs = sa.select(sa.func.count()).where(sa.not_(jobs.c.done), jobs.c.stage != str(Stage.RETENTION))
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
                with store.db.engine.connect() as conn:
                    if not conn.execute(open_jobs).scalar_one():
                        break
                threading.Event().wait(0.01)
        finally:
            worker.request_stop()
            thread.join(HANG_GUARD_S)


def test_the_fourteen_official_examples_are_fourteen_messages(store: Store, reference_dir: Path) -> None:
    """No official iJw 3.2 example is swallowed as a duplicate of another (JW302 of JW301, JW307 of JW305)."""
    examples = sorted((reference_dir / "ijw-3.2" / "berichten").glob("JW*.xml"))
    assert len(examples) == 14
    results = [submit(store, path.read_bytes(), sender=None) for path in examples]
    assert [r.status for r in results if not r.created] == []
    assert len({r.message_id for r in results}) == 14
    assert sum(store.status_counts().values()) == 14


def test_same_bytes_twice_are_one_message(store: Store, receiver: Receiver) -> None:
    """A resend of the same bytes stores nothing, names the first message, and is delivered once."""
    data = small_jw301(7)
    first = submit(store, data, sender=None)
    again = submit(store, data, sender=None)
    assert first.created and not again.created
    assert (again.status, again.message_id, again.duplicate_of) == (
        MessageStatus.DUPLICATE, first.message_id, first.message_id,
    )  # fmt: skip
    _drain(store, receiver.url)
    assert store.status_counts()["delivered"] == 1 and sum(store.status_counts().values()) == 1
    assert receiver.delivered_keys() == {first.message_id}


def test_changed_bytes_with_the_same_identification_are_rejected_with_tr056(store: Store, receiver: Receiver) -> None:
    """Other bytes under a used identification: a message of its own, rejected by TR056 with 9056 in its retour."""
    data = small_jw301(8)
    first = submit(store, data, sender=None)
    changed = submit(store, data.replace(b"</jw301:Bericht>", b"<!-- gecorrigeerd --></jw301:Bericht>"), sender=None)
    assert changed.created and changed.resend_of == first.message_id
    _drain(store, receiver.url)
    view = store.get_message(changed.message_id)
    assert view is not None and view.status is MessageStatus.REJECTED
    assert [(f.rule, f.retourcode) for f in view.findings] == [("TR056", "9056")]
    assert view.retour is not None and b"9056" in view.retour
    original = store.get_message(first.message_id)
    assert original is not None and original.status is MessageStatus.DELIVERED
    assert receiver.delivered_keys() == {first.message_id}
