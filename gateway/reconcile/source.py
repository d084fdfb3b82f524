"""Facts from the store (``--from-store``): the map stage's facts, streamed, for one gemeente or all."""

from __future__ import annotations

from collections.abc import Iterator

from gateway.config import Settings
from gateway.facts import Fact


def stored_facts(settings: Settings, *, gemeente: str | None = None) -> Iterator[Fact]:
    """The facts the map stage stored (only ``gemeente``'s, when given); a store that cannot open: StoreError."""
    from gateway.store import open_store  # lazily: the reconciliation from files needs no database layer

    store = open_store(settings)
    try:
        yield from store.iter_facts(gemeente=gemeente) if gemeente else store.iter_facts()
    finally:
        store.close()


__all__ = ["stored_facts"]
