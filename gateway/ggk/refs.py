"""GGk referentienummers (UUID version 4, as the ISD chain demands: IB009, CC04) for Ketenpoort's message ids.

A message id is a ULID (128 bits). The referentienummer of the ggk_Di01 that carries a message
keeps 122 of those bits around the UUID's fixed version and variant bits, so it is the same on
every retry (the receiver deduplicates on it) and leads back to the message: a Fo01 about it
names it as ``crossRefnummer``, and :func:`message_ids_for` gives the 64 ids it may stand for
(the 6 bits the UUID has no room for), of which the store holds at most one in practice.

The ggk_Du01 that carries a message's retour gets a referentienummer of its own, derived from
the message id by hashing (stable over retries too).
"""

from __future__ import annotations

import hashlib
import uuid

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_VALUE = {c: i for i, c in enumerate(_ALPHABET)}
_LOST_BITS = 6


def _ulid_int(message_id: str) -> int:
    value = 0
    for char in message_id.upper():
        value = value * 32 + _VALUE[char]
    return value


def _ulid_text(value: int) -> str:
    out = []
    for _ in range(26):
        out.append(_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(out))


def is_message_id(text: str) -> bool:
    """True for a 26-character ULID."""
    return len(text) == 26 and all(c in _VALUE for c in text.upper()) and text[0] in "01234567"


def _as_uuid4(bits122: int) -> str:
    """122 bits laid out around the version (4) and variant (10) bits."""
    high = bits122 >> 62  # 60 bits: 48 + 12
    low = bits122 & ((1 << 62) - 1)
    value = ((high >> 12) << 80) | (4 << 76) | ((high & 0xFFF) << 64) | (0b10 << 62) | low
    return str(uuid.UUID(int=value))


def referentie_of(message_id: str) -> str:
    """The referentienummer of the ggk_Di01 carrying ``message_id`` (a UUID v4, stable, reversible)."""
    if not is_message_id(message_id):
        raise ValueError("not a Ketenpoort message id")
    return _as_uuid4(_ulid_int(message_id) >> _LOST_BITS)


def message_ids_for(referentienummer: str) -> list[str]:
    """The message ids whose ggk_Di01 would carry ``referentienummer`` (empty for a UUID we did not make)."""
    try:
        value = uuid.UUID(referentienummer).int
    except ValueError:
        return []
    if (value >> 76) & 0xF != 4 or (value >> 62) & 0b11 != 0b10:
        return []
    high = ((value >> 80) << 12) | ((value >> 64) & 0xFFF)
    bits122 = (high << 62) | (value & ((1 << 62) - 1))
    base = bits122 << _LOST_BITS
    if base >> 128:
        return []
    return [_ulid_text(base | extra) for extra in range(1 << _LOST_BITS)]


def retour_referentie(message_id: str) -> str:
    """The referentienummer of the ggk_Du01 carrying the retour of ``message_id`` (a UUID v4, stable)."""
    digest = hashlib.sha256(b"ketenpoort-ggk-retour:" + message_id.encode("ascii")).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


__all__ = ["is_message_id", "message_ids_for", "referentie_of", "retour_referentie"]
