"""Facts from the store (``--from-store``), looked up at call time so a build without ``gateway.store`` still runs."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

from gateway.config import Settings
from gateway.errors import ConfigError
from gateway.facts import Fact


class StoreUnavailableError(ConfigError):
    """This build has no store, or the store offers no facts."""


def stored_facts(settings: Settings, *, gemeente: str | None = None) -> Iterator[Fact]:
    """The facts the map stage stored (those for ``gemeente`` only, when given), streamed from ``gateway.store``."""
    try:
        module: Any = importlib.import_module("gateway.store")
    except ModuleNotFoundError as exc:
        if exc.name != "gateway.store":
            raise
        raise StoreUnavailableError(
            "gateway.store is not part of this build; use --trajecten or message files"
        ) from None
    store = module.open_store(settings)
    try:
        iter_facts = getattr(store, "iter_facts", None)
        if callable(iter_facts):
            yield from iter_facts(gemeente=gemeente) if gemeente else iter_facts()
            return
        facts = getattr(store, "facts", None)
        if not callable(facts):
            raise StoreUnavailableError("this store does not offer the stored facts")
        yield from (f for f in facts() if gemeente is None or f.gemeente == gemeente)
    finally:
        close = getattr(store, "close", None)
        if callable(close):
            close()


__all__ = ["StoreUnavailableError", "stored_facts"]
