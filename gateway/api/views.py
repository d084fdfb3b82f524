"""Turning store rows into JSON and deciding who may see them; shared by the API and the dashboard."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from enum import Enum
from typing import Any

from gateway.api.auth import Role, Sender

_HIDDEN = frozenset({"payload", "retour", "token", "token_sha256"})


def may_see(who: Sender, message: Any) -> bool:
    """Operators see everything; others only messages they sent or that are addressed to them."""
    if who.role is Role.OPERATOR:
        return True
    mine = who.identities | {who.name}
    return getattr(message, "sender", None) in mine or getattr(message, "receiver", None) in who.identities


def parties(who: Sender) -> frozenset[str] | None:
    """The identities whose messages ``who`` may list; None for an operator (everything)."""
    return None if who.role is Role.OPERATOR else who.identities | {who.name}


def _scalar(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def _fields(value: Any) -> dict[str, Any] | None:
    """The named fields of a row-like object, or None when it is not one."""
    if isinstance(value, dict):
        return {str(k): v for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if hasattr(value, "_asdict"):
        return dict(value._asdict())
    if hasattr(value, "__dict__"):
        return {k: v for k, v in vars(value).items() if not k.startswith("_")}
    return None


def plain(value: Any) -> Any:
    """JSON-ready form of a store row (dataclass, mapping, object), without payloads or secrets."""
    value = _scalar(value)
    if isinstance(value, str | int | float | bool | type(None)):
        return value
    fields = _fields(value)
    if fields is not None:
        return {k: plain(v) for k, v in fields.items() if k not in _HIDDEN}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    return str(value)


def finding_dict(finding: Any) -> dict[str, Any]:
    """One validation finding as JSON."""
    if isinstance(finding, dict):
        return {k: finding.get(k) for k in ("kind", "message", "rule", "retourcode", "line", "path")}
    return {k: plain(getattr(finding, k, None)) for k in ("kind", "message", "rule", "retourcode", "line", "path")}


def retour_text(retour: Any) -> str | None:
    """The retourbericht as text, or None."""
    if not retour:
        return None
    return retour.decode("utf-8", "replace") if isinstance(retour, bytes) else str(retour)


def summary(message: Any) -> dict[str, Any]:
    """The list form of a message: identity, parties, type and status, with its link."""
    keys = ("id", "status", "sender", "receiver", "standard", "message_type", "external_id", "received_at")
    out = {k: plain(getattr(message, k, None)) for k in keys}
    out["links"] = {"self": f"/v1/berichten/{out['id']}"}
    return out


__all__ = ["finding_dict", "may_see", "parties", "plain", "retour_text", "summary"]
