"""Handing freed memory back to the operating system once a burst of work is over.

glibc's malloc keeps the memory a thread freed in that thread's arena for reuse; with a worker
pool and a threadpool parsing 25 MB documents, a server that has just validated a burst of large
messages keeps hundreds of megabytes it no longer uses, and its RSS never falls back.
``malloc_trim(0)`` returns the free pages of every arena. It walks every arena under its lock, so
other threads' allocations wait meanwhile: :class:`IdleTrim` calls it only when a thread is idle
after work, and at most once per ``interval_s`` in the whole process.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading
import time
from functools import cache
from typing import Any

TRIM_INTERVAL_S = 5.0
"""At most one trim per process in this time, however many worker threads go idle."""


@cache
def _libc() -> Any:
    name = ctypes.util.find_library("c")
    if name is None:  # pragma: no cover - every Linux has one
        return None
    try:
        libc = ctypes.CDLL(name)
        return libc if hasattr(libc, "malloc_trim") else None  # musl and macOS have no malloc_trim
    except OSError:  # pragma: no cover
        return None


def release_freed_memory() -> bool:
    """Return the free pages of every malloc arena to the system; False where the C library cannot."""
    libc = _libc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    return True


class IdleTrim:
    """Process-wide pacing of :func:`release_freed_memory` for worker threads that go idle after work."""

    def __init__(self, interval_s: float = TRIM_INTERVAL_S) -> None:
        """Trim at most once per ``interval_s``."""
        self.interval_s = interval_s
        self._lock = threading.Lock()
        self._last: float | None = None  # not 0.0: monotonic time starts near boot, and a fresh machine is young
        self._pending = False

    def worked(self) -> None:
        """Note that some thread did work (and so may have freed memory) since the last trim."""
        self._pending = True

    def idle(self) -> bool:
        """Called by an idle thread: trim when work was done since the last trim and the interval passed."""
        if not self._pending:
            return False
        now = time.monotonic()
        with self._lock:
            if not self._pending or (self._last is not None and now - self._last < self.interval_s):
                return False
            self._pending, self._last = False, now
        return release_freed_memory()


IDLE_TRIM = IdleTrim()
"""The one pacer of this process (the trim is process-wide, so its pacing is too)."""

__all__ = ["IDLE_TRIM", "TRIM_INTERVAL_S", "IdleTrim", "release_freed_memory"]
