"""Message ids: ULIDs (48-bit millisecond time + 80 random bits, Crockford base32), sortable by creation time.

Time order is what keyset pagination (newest first) and the dashboard rely on; the random
part makes ids from several processes and machines collide with negligible probability.
"""

from __future__ import annotations

import secrets
import time

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_id(now_ms: int | None = None) -> str:
    """A fresh 26-character ULID."""
    ms = time.time_ns() // 1_000_000 if now_ms is None else now_ms
    value = (ms << 80) | secrets.randbits(80)
    out = []
    for _ in range(26):
        out.append(_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(out))


__all__ = ["new_id"]
