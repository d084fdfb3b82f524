"""The worker's periodic checkpoint of the audit chain: a thread that signs the head every interval.

Runs in ``ketenpoort worker`` and ``run`` when ``KETENPOORT_AUDIT_CHECKPOINT_KEY`` is set. Several
workers each write their own checkpoints; more checkpoints only narrow the window in which a
rewrite of the newest events goes unseen. A failure to read the head is logged and tried again at
the next interval: checkpoints never stop the pipeline.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import structlog

from gateway import checkpoints
from gateway.config import Settings
from gateway.errors import StoreError

if TYPE_CHECKING:
    from gateway.store import Store

log = structlog.get_logger("workers.checkpointer")


_AWAY = (StoreError, OSError)
"""What may fail for a moment: the database, the checkpoint file (a URL's failure is logged by ``publish``)."""


class Checkpointer:
    """Signs and publishes a checkpoint at start and every ``interval_s`` until stopped."""

    def __init__(self, store: Store, settings: Settings) -> None:
        """``store``: anything with ``read()`` (a connection context); ``settings`` give key, sinks and interval."""
        assert settings.audit_checkpoint_key is not None, "only built with a key"
        self._store = store
        self._key = settings.audit_checkpoint_key.get_secret_value().encode()
        self._file = settings.audit_checkpoint_file
        self._url = settings.audit_checkpoint_url
        self._interval_s = settings.audit_checkpoint_interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._main, name="audit-checkpoints", daemon=True)
        self.written = 0

    @classmethod
    def from_settings(cls, store: Store, settings: Settings) -> Checkpointer | None:
        """A checkpointer, or None when no key is configured."""
        return cls(store, settings) if settings.audit_checkpoint_key is not None else None

    def write_one(self) -> None:
        """Take and publish one checkpoint now."""
        with self._store.db.read() as conn:
            checkpoint = checkpoints.take(conn, self._key)
        checkpoints.publish(checkpoint, file=self._file, url=self._url)
        self.written += 1

    def _main(self) -> None:
        while True:
            try:
                self.write_one()
            except _AWAY:  # the database or the file is away for a moment: next interval
                log.exception("audit.checkpoint_failed")
            if self._stop.wait(self._interval_s):
                return

    def start(self) -> Checkpointer:
        """Begin in the background."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Write a last checkpoint, then stop (the final head is covered too)."""
        self._stop.set()
        self._thread.join()
        try:
            self.write_one()
        except _AWAY:
            log.exception("audit.checkpoint_failed")


__all__ = ["Checkpointer"]
