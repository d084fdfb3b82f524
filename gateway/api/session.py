"""Operator sessions: an HMAC-signed cookie (HttpOnly, SameSite=Strict) and per-session CSRF tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time

COOKIE = "kp_session"
MAX_AGE_S = 8 * 3600


def _sign(secret: bytes, payload: bytes) -> str:
    return hmac.new(secret, payload, hashlib.sha256).hexdigest()


def issue(secret: bytes, operator: str) -> str:
    """A cookie value naming the operator, a random session id and the issue time."""
    body = json.dumps({"op": operator, "sid": secrets.token_urlsafe(16), "t": int(time.time())}).encode()
    enc = base64.urlsafe_b64encode(body).decode()
    return f"{enc}.{_sign(secret, enc.encode())}"


def read(secret: bytes, value: str | None) -> dict[str, str] | None:
    """The session, or None when missing, tampered with or expired."""
    if not value or "." not in value:
        return None
    enc, sig = value.rsplit(".", 1)
    if not hmac.compare_digest(sig, _sign(secret, enc.encode())):
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(enc.encode()))
    except ValueError:
        return None
    if int(data.get("t", 0)) + MAX_AGE_S < time.time():
        return None
    return {"op": str(data["op"]), "sid": str(data["sid"])}


def csrf_token(secret: bytes, sid: str) -> str:
    """The CSRF token for a session: bound to it, so a forged form from elsewhere cannot know it."""
    return _sign(secret, b"csrf:" + sid.encode())


def csrf_ok(secret: bytes, sid: str, presented: str | None) -> bool:
    """True when ``presented`` is this session's CSRF token."""
    return bool(presented) and hmac.compare_digest(csrf_token(secret, sid), presented or "")


__all__ = ["COOKIE", "MAX_AGE_S", "csrf_ok", "csrf_token", "issue", "read"]
