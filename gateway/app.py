"""The composition root: the one place that reads the settings and builds an installation's parts from them.

Every entry point starts here. The command line's root callback makes one :class:`Installation`
per invocation (:func:`begin`); each command (``serve``, ``worker``, ``run``, ``validate``,
``audit verify`` ...) takes what it needs from :func:`current`: the settings, the store, the
pseudonymiser, the deliverer, the per-message bounds. Below this module nothing calls
:func:`gateway.config.load_settings` (``tests/test_composition.py`` holds that): the API, the
workers, the store and the relay are handed their settings and parts, so a test builds them
with its own.
"""

from __future__ import annotations

from contextvars import ContextVar
from functools import cached_property
from typing import TYPE_CHECKING

from gateway.bounds import Bounds
from gateway.config import Settings, load_settings
from gateway.ports import Clock
from gateway.pseudonym import Pseudonymiser, pseudonymiser_for

if TYPE_CHECKING:  # opened on demand: a command over message files never loads the database layer
    from gateway.relay import Deliverer
    from gateway.store import Store

_CURRENT: ContextVar[Installation | None] = ContextVar("ketenpoort_installation", default=None)


class Installation:
    """The parts of one Ketenpoort installation, built once each from one :class:`Settings`."""

    def __init__(self, settings: Settings, *, clock: Clock | None = None) -> None:
        """Nothing is opened until asked for: a command that only validates never touches the database."""
        self.settings = settings
        self._clock = clock
        self._stores: dict[bool, Store] = {}

    @classmethod
    def from_environment(cls, **overrides: object) -> Installation:
        """The installation the environment (``KETENPOORT_*``, ``.env``) describes, ``overrides`` taking precedence."""
        return cls(load_settings(**overrides))

    @cached_property
    def pseudonymiser(self) -> Pseudonymiser:
        """The installation's keyed pseudonymiser (its key from the settings or the first-run key file)."""
        return pseudonymiser_for(self.settings)

    @cached_property
    def bounds(self) -> Bounds:
        """The per-message limits (size, elements, depth, findings) every stage checks against."""
        return Bounds.from_settings(self.settings)

    def store(self, *, migrate: bool = False) -> Store:
        """The store at ``settings.database_url``, opened once (migrated first when asked); StoreError if it fails."""
        if migrate not in self._stores:
            from gateway.store import open_store

            opened = open_store(self.settings, migrate=migrate, pseudonymiser=self.pseudonymiser, clock=self._clock)
            self._stores[migrate] = opened
        return self._stores[migrate]

    def deliverer(self) -> Deliverer:
        """A deliverer for the routes file and retry settings (the caller closes it)."""
        from gateway.relay import Deliverer

        return Deliverer.from_settings(self.settings)

    def close(self) -> None:
        """Close what was opened."""
        for opened in self._stores.values():
            opened.close()
        self._stores.clear()


def begin(installation: Installation | None = None) -> Installation:
    """Make ``installation`` (default: the environment's) the current one for this invocation."""
    made = installation if installation is not None else Installation.from_environment()
    _CURRENT.set(made)
    return made


def current() -> Installation:
    """The installation of this invocation (:func:`begin`); without one, the environment's, made afresh each call."""
    found = _CURRENT.get()
    return found if found is not None else Installation.from_environment()


def end() -> None:
    """Forget the current installation (its parts stay open: close them with :meth:`Installation.close`)."""
    _CURRENT.set(None)


def settings() -> Settings:
    """The current installation's settings."""
    return current().settings


__all__ = ["Installation", "begin", "current", "end", "settings"]
