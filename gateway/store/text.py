"""What the store keeps of free text: findings and error texts, scrubbed of BSNs and cut to a bounded size."""

from __future__ import annotations

from typing import Any

from gateway.bsn import scrub
from gateway.findings import MAX_MESSAGE_CHARS, MAX_PATH_CHARS, bounded
from gateway.model import Finding

MAX_RULES_IN_EVENT = 50
"""At most this many rule ids or retourcodes are named in one audit event."""


def finding_json(finding: Finding) -> dict[str, Any]:
    """A finding as stored: its JSON form, the text scrubbed of BSNs and cut to a bounded size.

    With at most ``KETENPOORT_MAX_FINDINGS`` (1,000) findings of at most 1,000 + 500 characters of text
    and path, a message's stored findings stay under ~1.7 MB whatever came in.
    """
    out = finding.to_dict()
    out["message"] = bounded(scrub(finding.message), MAX_MESSAGE_CHARS)
    if finding.path is not None:
        out["path"] = bounded(finding.path, MAX_PATH_CHARS)
    return out


def short_text(text: str | None, limit: int = 500) -> str | None:
    """An error text as stored: BSN-shaped numbers scrubbed, at most ``limit`` characters."""
    return None if text is None else scrub(text)[:limit]


__all__ = ["MAX_RULES_IN_EVENT", "finding_json", "short_text"]
