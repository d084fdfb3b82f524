"""The relay's transport: how a body is POSTed to a receiver."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import httpx

    from gateway.relay.transport import Answer, Timeouts

# -- the relay's transport ----------------------------------------------------------------------


class Poster(Protocol):
    """POSTs a body and gives back the answer; failures are httpx's exception types."""

    def post(self, url: httpx.URL, body: bytes, headers: Sequence[tuple[str, str]], timeouts: Timeouts) -> Answer:
        """Send ``body`` to ``url`` with ``headers`` (Host and Content-Length are added)."""
        ...

    def close(self) -> None:
        """Close the connections kept alive."""
        ...
