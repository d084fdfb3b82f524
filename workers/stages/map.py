"""Map stage: the countable facts of an accepted message (clients pseudonymised), for the store to keep.

The fact extraction itself belongs to the mapping work; it is looked up at call time so the
pipeline runs (writing no facts) in a build where it has not landed yet.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from gateway.facts import Fact
from gateway.pseudonym import Pseudonymiser
from gateway.validation import inspect

EXTRACTOR_MODULES = ("gateway.facts_extract", "gateway.mapping_facts", "gateway.mapping")


def _extractor() -> Callable[..., list[Fact]] | None:
    for name in EXTRACTOR_MODULES:
        try:
            module: Any = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        function = getattr(module, "extract_facts", None)
        if callable(function):
            return function  # type: ignore[no-any-return]
    return None


def facts_of(payload: bytes, *, pseudonymiser: Pseudonymiser, received_at: datetime) -> list[Fact]:
    """The facts of one accepted message; empty when no extractor is part of this build."""
    extract = _extractor()
    if extract is None:
        return []
    inspection = inspect(payload, rules=False)
    if inspection.root is None or inspection.kind is None:
        return []
    return extract(inspection.root, inspection.kind, pseudonymiser=pseudonymiser, received_at=received_at)


__all__ = ["EXTRACTOR_MODULES", "facts_of"]
