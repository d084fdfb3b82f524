"""The senders file, re-read when it changes (or on SIGHUP), so a new sender needs no restart.

At most once per :data:`CHECK_INTERVAL_S` an authentication looks at the file's stat (size,
mtime, inode: one system call) and re-reads it when any changed; ``kill -HUP`` re-reads at
once. A file that no longer parses keeps the senders read before and logs why, so a typo
while editing does not lock everybody out.
"""

from __future__ import annotations

import os
import signal
import threading
import time
import tomllib
from pathlib import Path

import structlog

from gateway.api.auth import Role, Sender, SenderBook, load_senders

log = structlog.get_logger(__name__)

CHECK_INTERVAL_S = 1.0
"""How stale the view of the senders file may be."""


def _stamp(path: Path | None) -> tuple[int, int, int] | None:
    if path is None:
        return None
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


class LiveSenders(SenderBook):
    """A :class:`SenderBook` that follows its file."""

    def __init__(self, path: Path | None, *, check_interval_s: float = CHECK_INTERVAL_S) -> None:
        """Read ``path`` now (a missing file or setting: nobody can authenticate until it appears)."""
        self.path = path
        self.check_interval_s = check_interval_s
        self._lock = threading.Lock()
        self._stamp = _stamp(path)
        self._book = load_senders(path)
        self._checked = time.monotonic()

    @property
    def senders(self) -> list[Sender]:
        """The senders as last read."""
        self._maybe_reload()
        return self._book.senders

    @senders.setter
    def senders(self, value: list[Sender]) -> None:
        """Replace the senders in memory (until the file changes)."""
        self._book = SenderBook(value)

    def authenticate(self, token: str | None) -> Sender | None:
        """As :meth:`SenderBook.authenticate`, against the file as it is now (at most a second stale)."""
        self._maybe_reload()
        return self._book.authenticate(token)

    def can_post(self) -> bool:
        """Is there anyone who may send messages (a sender or an operator)?"""
        return any(s.role in (Role.SENDER, Role.OPERATOR) for s in self.senders)

    def _maybe_reload(self) -> None:
        now = time.monotonic()
        if now - self._checked < self.check_interval_s:
            return
        self._checked = now
        if _stamp(self.path) != self._stamp:
            self.reload()

    def reload(self) -> bool:
        """Re-read the file now; False (the old senders kept) when it cannot be read or parsed."""
        with self._lock:
            stamp = _stamp(self.path)
            try:
                book = load_senders(self.path)
            except (OSError, tomllib.TOMLDecodeError, KeyError, ValueError, TypeError) as exc:
                log.warning("senders.reload_failed", file=str(self.path), error=f"{type(exc).__name__}: {exc}")
                self._stamp = stamp  # do not retry a broken file on every request; its next change is read
                return False
            before = len(self._book.senders)
            self._book, self._stamp = book, stamp
        log.info("senders.reloaded", file=str(self.path), senders=len(book.senders), before=before)
        return True

    def install_sighup(self) -> bool:
        """Re-read on SIGHUP (main thread of a POSIX process only); True when installed."""
        if not hasattr(signal, "SIGHUP") or threading.current_thread() is not threading.main_thread():
            return False
        signal.signal(signal.SIGHUP, lambda _signum, _frame: self.reload())
        return True


def warn_when_nobody_can_post(book: LiveSenders) -> bool:
    """Log a warning when no sender (or operator) can post messages; True when it warned."""
    if book.can_post():
        return False
    where = str(book.path) if book.path is not None else "not set"
    log.warning(
        "senders.none_can_post",
        file=where,
        hint="no one can post messages or log in: set KETENPOORT_SENDERS_FILE and add one with "
        "`ketenpoort senders add NAME --identity ID` (or run `ketenpoort init` for a first operator)",
        pid=os.getpid(),
    )
    return True


__all__ = ["CHECK_INTERVAL_S", "LiveSenders", "warn_when_nobody_can_post"]
