"""Where the screens of :mod:`gateway.rules.screen` register: a table per message type, generic in the document.

A screen gets a small message's :class:`~gateway.rules.registry.Doc` and walk and returns the ids of the
rules it covers that may find something; :func:`gateway.rules.registry.run` skips the others it covers.
The table is generic in the document type, so this module needs nothing of the registry (which makes
the one table, ``SCREENS``, for its ``Doc``): no import cycle, not even one for the type checker.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

from lxml import etree

from gateway.rules.children import Index, Kids

D = TypeVar("D")


class ScreenTable(Generic[D]):
    """Per message type (iJw 3.2, never a large one: those are not walked): the rule ids covered, and the screen."""

    def __init__(self) -> None:
        """No screen yet."""
        self._by_type: dict[str, tuple[frozenset[str], Callable[[D, Index, dict[etree._Element, Kids]], set[str]]]]
        self._by_type = {}

    def get(
        self, message_type: str
    ) -> tuple[frozenset[str], Callable[[D, Index, dict[etree._Element, Kids]], set[str]]] | None:
        """The covered rule ids and the screen of ``message_type``, or None."""
        return self._by_type.get(message_type)

    def screen(
        self, message_type: str, covers: Iterable[str]
    ) -> Callable[
        [Callable[[D, Index, dict[etree._Element, Kids]], set[str]]],
        Callable[[D, Index, dict[etree._Element, Kids]], set[str]],
    ]:
        """Register the decorated screen of ``message_type``, covering the rules ``covers``."""

        def register(
            func: Callable[[D, Index, dict[etree._Element, Kids]], set[str]],
        ) -> Callable[[D, Index, dict[etree._Element, Kids]], set[str]]:
            if message_type in self._by_type:
                raise ValueError(f"a second screen for {message_type}")
            self._by_type[message_type] = (frozenset(covers), func)
            return func

        return register


__all__ = ["ScreenTable"]
