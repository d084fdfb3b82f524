"""Senders and their tokens, from a TOML file (``KETENPOORT_SENDERS_FILE``).

Format, one table per sender::

    [senders.zorgaanbieder-a]
    role = "sender"                       # sender | receiver | operator
    identities = ["12345678", "0363"]     # AGB codes, gemeentecodes, OINs this token may act as
    token_sha256 = "<hex>"                # sha256 of the token; the token itself is never stored
    client_cert_sha256 = ["<hex>"]        # optional: client certificates (SHA-256 of the DER) bound to it

Tokens are 256-bit random values, so a plain SHA-256 is a sufficient one-way hash and lets a
request be checked in constant time without a slow KDF on every call.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import tomllib
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class Role(StrEnum):
    """What a token may do: send messages, receive them, or operate the gateway."""

    SENDER = "sender"
    RECEIVER = "receiver"
    OPERATOR = "operator"


@dataclass(frozen=True)
class Sender:
    """One party known to the gateway."""

    name: str
    role: Role
    identities: frozenset[str]
    token_sha256: str
    client_certs: frozenset[str] = frozenset()
    """SHA-256 fingerprints (hex) of client certificates that authenticate as this sender (mutual TLS)."""


_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def hash_token(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    """A fresh 256-bit token, URL-safe."""
    return secrets.token_urlsafe(32)


class SenderBook:
    """The senders file, looked up by token."""

    def __init__(self, senders: list[Sender]) -> None:
        self.senders = senders

    def authenticate(self, token: str | None) -> Sender | None:
        """The sender owning ``token``, compared in constant time against every stored hash."""
        if not token:
            return None
        presented = hash_token(token)
        found: Sender | None = None
        for sender in self.senders:
            if hmac.compare_digest(presented, sender.token_sha256):
                found = sender
        return found

    def by_certificate(self, fingerprint: str) -> Sender | None:
        """The sender a client certificate (SHA-256 of its DER, hex) is bound to."""
        wanted = fingerprint.lower()
        return next((s for s in self.senders if wanted in s.client_certs), None)


def load_senders(path: Path | None) -> SenderBook:
    """Read the senders file; a missing setting or file means nobody can authenticate."""
    if path is None or not path.exists():
        return SenderBook([])
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    senders = []
    for name, entry in (data.get("senders") or {}).items():
        senders.append(
            Sender(
                name=name,
                role=Role(entry["role"]),
                identities=frozenset(str(i) for i in entry.get("identities", [])),
                token_sha256=str(entry["token_sha256"]).lower(),
                client_certs=frozenset(str(c).lower().replace(":", "") for c in entry.get("client_cert_sha256", [])),
            )
        )
    return SenderBook(senders)


def _toml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def add_sender(path: Path, name: str, identities: list[str], role: Role) -> str:
    """Append a sender to the file and return its token (the only time it is visible)."""
    if not _NAME.match(name):
        raise ValueError("a sender name is letters, digits, '.', '_' or '-' (at most 64)")
    book = load_senders(path)
    if any(s.name == name for s in book.senders):
        raise ValueError(f"sender {name!r} already exists")
    token = new_token()
    ids = ", ".join(_toml_str(i) for i in identities)
    block = (
        f"\n[senders.{_toml_str(name)}]\nrole = {_toml_str(role.value)}\n"
        f"identities = [{ids}]\ntoken_sha256 = {_toml_str(hash_token(token))}\n"
    )
    existing = path.read_text(encoding="utf-8") if path.exists() else ""
    path.write_text(existing + block, encoding="utf-8")
    return token


__all__ = ["Role", "Sender", "SenderBook", "add_sender", "hash_token", "load_senders", "new_token"]
