"""Facts from the store (``--from-store``), looked up at call time so a build without ``gateway.store`` still runs."""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from typing import Any

from gateway.config import Settings
from gateway.errors import ConfigError
from gateway.facts import Fact


class StoreUnavailableError(ConfigError):
    """This build has no store, or the store offers no facts."""


def stored_facts(settings: Settings) -> Iterable[Fact]:
    """Every fact the map stage stored, read through ``gateway.store``'s ``open_store(url).facts()``."""
    try:
        module: Any = importlib.import_module("gateway.store")
    except ModuleNotFoundError as exc:
        if exc.name != "gateway.store":
            raise
        raise StoreUnavailableError(
            "gateway.store is not part of this build; use --trajecten or message files"
        ) from None
    store = module.open_store(settings.database_url)
    facts = getattr(store, "facts", None)
    if not callable(facts):
        raise StoreUnavailableError("this store does not offer the stored facts yet")
    return list(facts())


__all__ = ["StoreUnavailableError", "stored_facts"]
