"""SQLite's one write lock, queued for in the kernel instead of in SQLite's busy handler.

SQLite lets one writer in at a time. A writer that finds the lock taken does not wait for its
release: the busy handler sleeps 1, 2, 5, 10 … up to 100 ms and tries again, so with several
worker processes the lock often stood free while the next writer slept. Here each write first
takes this process's thread lock, then an exclusive ``flock`` on a file beside the database:
the kernel wakes the next process the moment the lock is released. The busy handler stays as the
fallback for writers that do not pass here (migrations, other tools).

On SQLite this lock is what bounds the pipeline: every commit holds it. Two counters say how long
it was waited for and held (``ketenpoort_sqlite_write_lock_{wait,held}_seconds_total``, summed over
processes on ``/metrics`` in multiprocess mode): held for most of the wall time means more worker
processes cannot help, only less work under the lock can.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from prometheus_client import Counter

LOCK_WAIT = Counter("ketenpoort_sqlite_write_lock_wait_seconds_total", "Seconds spent waiting for SQLite's write lock")
LOCK_HELD = Counter("ketenpoort_sqlite_write_lock_held_seconds_total", "Seconds SQLite's write lock was held")


class WriterLock:
    """A process-wide, then machine-wide exclusive lock for one SQLite database file."""

    def __init__(self, database: Path) -> None:
        """Lock ``<database>.writer-lock`` (created owner-only, like the database)."""
        self.path = database.with_name(database.name + ".writer-lock")
        self._thread_lock = threading.Lock()
        self._fd: int | None = None
        self._pid = -1

    def _descriptor(self) -> int:
        """This process's descriptor (a forked child opens its own: flock locks belong to the open file)."""
        if self._fd is None or self._pid != os.getpid():
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            self._pid = os.getpid()
        return self._fd

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        """Hold the lock for the block: threads of this process first, then processes."""
        asked = time.perf_counter()
        with self._thread_lock:
            fd = self._descriptor()
            fcntl.flock(fd, fcntl.LOCK_EX)
            got = time.perf_counter()
            LOCK_WAIT.inc(got - asked)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
                LOCK_HELD.inc(time.perf_counter() - got)

    def close(self) -> None:
        """Close the descriptor (the lock file stays; it holds nothing)."""
        with self._thread_lock:
            if self._fd is not None and self._pid == os.getpid():
                os.close(self._fd)
            self._fd = None


__all__ = ["LOCK_HELD", "LOCK_WAIT", "WriterLock"]
