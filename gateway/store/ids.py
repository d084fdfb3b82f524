"""Message ids: ULIDs (48-bit millisecond time + 80 random bits, Crockford base32), sortable by creation time.

Time order is what keyset pagination (newest first) and the dashboard rely on, and what TR056 asks
of a changed resend ("later" than its first sending is a greater id). The random part makes ids
from several processes and machines collide with negligible probability.

Within one process ids are also ordered inside a millisecond (the ULID spec's monotonic mode): the
next id of the same millisecond (or of an earlier one: a clock that stepped back) is the last one
plus one. With only random bits, two messages taken
in within one millisecond (an intake of thousands per second) came out in either order, and a
changed resend could be judged the earlier of the two. Each millisecond starts from 79 random bits,
so a million ids in one millisecond still cannot overflow into the time part.
"""

from __future__ import annotations

import secrets
import threading
import time

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class IdMaker:
    """Makes ULIDs, each greater than every one it made before; the process shares one (:func:`new_id`)."""

    def __init__(self) -> None:
        """No id made yet."""
        self._lock = threading.Lock()
        self._ms = -1  # the millisecond and the random part of the last id made
        self._rand = 0

    def new(self, now_ms: int | None = None) -> str:
        """A fresh 26-character ULID (``now_ms``: its time, default the system clock)."""
        with self._lock:  # the clock is read inside: a thread that read it earlier must not make a smaller id later
            ms = time.time_ns() // 1_000_000 if now_ms is None else now_ms
            if ms <= self._ms:  # the same millisecond, or the clock stepped back: the next id after the last
                ms, rand = self._ms, self._rand + 1
            else:
                rand = secrets.randbits(79)
            self._ms, self._rand = ms, rand
        value = (ms << 80) | rand
        out = []
        for _ in range(26):
            out.append(_ALPHABET[value & 31])
            value >>= 5
        return "".join(reversed(out))


_PROCESS = IdMaker()


def new_id(now_ms: int | None = None) -> str:
    """A fresh 26-character ULID, greater than every one made before in this process (``now_ms``: its time)."""
    return _PROCESS.new(now_ms)


__all__ = ["IdMaker", "new_id"]
