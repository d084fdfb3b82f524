"""Keyed pseudonyms for BSNs: HMAC-SHA256 under a secret key, truncated for readability.

The key comes from ``KETENPOORT_PSEUDONYM_KEY``; without it, a key is generated on first
use and kept in ``<data_dir>/pseudonym.key`` with mode 0600, so pseudonyms stay stable
across restarts of the same installation.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from gateway.config import Settings
from gateway.errors import ConfigError


class Pseudonymiser:
    """Turns a BSN into a stable pseudonym; the same key always gives the same pseudonym."""

    __slots__ = ("_key",)

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ConfigError("the pseudonym key must be at least 16 bytes")
        self._key = key

    def __call__(self, bsn: str) -> str:
        """Return ``p-`` plus 20 hex characters of HMAC-SHA256(key, bsn)."""
        digest = hmac.new(self._key, bsn.encode("ascii", "replace"), hashlib.sha256).hexdigest()
        return "p-" + digest[:20]


def load_key(settings: Settings) -> bytes:
    """The configured key, or the installation's first-run key (created with mode 0600)."""
    if settings.pseudonym_key is not None:
        return settings.pseudonym_key.get_secret_value().encode()
    return _first_run_key(settings.pseudonym_key_file)


def _first_run_key(path: Path) -> bytes:
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32).encode()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process won the race: use its key
        return path.read_bytes().strip()
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    return key


def pseudonymiser_for(settings: Settings) -> Pseudonymiser:
    """The pseudonymiser of this installation."""
    return Pseudonymiser(load_key(settings))


__all__ = ["Pseudonymiser", "load_key", "pseudonymiser_for"]
