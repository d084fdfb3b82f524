"""Where the screens of :mod:`gateway.rules.screen` register (apart from the registry, which imports this).

A screen gets a small message's :class:`~gateway.rules.registry.Doc` and walk and returns the ids of the
rules it covers that may find something; :func:`gateway.rules.registry.run` skips the others it covers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from lxml import etree

from gateway.rules.children import Index, Kids

if TYPE_CHECKING:
    from gateway.rules.registry import Doc

Screen = Callable[["Doc", Index, dict[etree._Element, Kids]], set[str]]
"""Given a small message's Doc and walk, the ids of the rules it covers that may find something."""
SCREENS: dict[str, tuple[frozenset[str], Screen]] = {}
"""Per message type (iJw 3.2, never a large one: those are not walked): the rule ids covered, and the screen."""


def screen(message_type: str, covers: Iterable[str]) -> Callable[[Screen], Screen]:
    """Register the decorated screen of ``message_type``, covering the rules ``covers``."""

    def register(func: Screen) -> Screen:
        if message_type in SCREENS:
            raise ValueError(f"a second screen for {message_type}")
        SCREENS[message_type] = (frozenset(covers), func)
        return func

    return register


__all__ = ["SCREENS", "Screen", "screen"]
