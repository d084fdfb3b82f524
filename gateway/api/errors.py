"""Error bodies as they leave the API: every string in them passes the BSN scrubber."""

from __future__ import annotations

from typing import Any

from gateway.bsn import scrub_error


def scrubbed(value: Any) -> Any:
    """``value`` (a JSON-able error body) with :func:`gateway.bsn.scrub_error` applied to every string in it."""
    if isinstance(value, str):
        return scrub_error(value)
    if isinstance(value, dict):
        return {key: scrubbed(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [scrubbed(item) for item in value]
    return value


__all__ = ["scrubbed"]
