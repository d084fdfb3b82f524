"""The one place where the API calls the store's read side, so a change of names is adapted here only."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from gateway.facts import Fact
from gateway.model import MessageStatus

if TYPE_CHECKING:
    from gateway.ports import ReadStore

PAGE_MAX = 200


def list_messages(
    store: ReadStore,
    *,
    parties: frozenset[str] | None,
    status: MessageStatus | None = None,
    since: datetime | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[list[Any], str | None]:
    """One keyset page of messages, newest first: sent by or addressed to ``parties`` (None: all)."""
    items, next_cursor = store.list_messages(
        parties=parties, status=status, since=since, cursor=cursor, limit=min(max(limit, 1), PAGE_MAX)
    )
    return list(items), next_cursor


def facts(store: ReadStore | None) -> Iterable[Fact]:
    """Every fact the map stage wrote (for mapping coverage), streamed."""
    return () if store is None else store.iter_facts()


__all__ = ["PAGE_MAX", "facts", "list_messages"]
