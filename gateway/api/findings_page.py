"""Findings one page at a time: a verdict keeps up to 1,000 findings, and no answer carries them all at once."""

from __future__ import annotations

from typing import Any

from gateway.api.views import finding_dict

PAGE = 100
"""Findings per page unless the caller asks for another size."""
PAGE_MAX = 1000
"""The largest page a caller may ask for (``KETENPOORT_MAX_FINDINGS``'s default: all kept findings at once)."""


def findings_of(message: Any) -> list[Any]:
    """The kept findings of a stored message (or a prepared record)."""
    return list(getattr(message, "findings", None) or ())


def findings_page(message: Any, *, offset: int = 0, limit: int = PAGE, link: str | None = None) -> dict[str, Any]:
    """One page of ``message``'s findings with what paging needs: the kept and the exact totals, the counts.

    ``total`` counts every finding of the verdict, ``kept`` those stored (the first of each kind);
    ``counts`` is per rule id or ``xsd:<error type>``, empty for messages stored before it existed.
    ``link``: the URL of the findings, for the ``next`` link.
    """
    found = findings_of(message)
    counts: dict[str, int] = dict(getattr(message, "finding_counts", None) or {})
    total = max(sum(counts.values()), len(found))
    items = [finding_dict(f) for f in found[offset : offset + limit]]
    page: dict[str, Any] = {
        "items": items,
        "offset": offset,
        "limit": limit,
        "kept": len(found),
        "total": total,
        "counts": counts,
        "links": {},
    }
    if link is not None and offset + limit < len(found):
        page["links"]["next"] = f"{link}?offset={offset + limit}&limit={limit}"
    return page


__all__ = ["PAGE", "PAGE_MAX", "findings_of", "findings_page"]
