"""Handing freed memory back to the operating system once a burst of work is over.

glibc's malloc keeps the memory a thread freed in that thread's arena for reuse; with a worker
pool and a threadpool parsing 25 MB documents, a server that has just validated a burst of large
messages keeps hundreds of megabytes it no longer uses, and its RSS never falls back.
``malloc_trim(0)`` returns the free pages of every arena. It costs a walk over the free lists, so
the worker calls it when it goes idle after work, not per message.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache
from typing import Any


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


__all__ = ["release_freed_memory"]
