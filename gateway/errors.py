"""The one exception tree of Ketenpoort.

Every error the gateway raises on purpose derives from :class:`GatewayError`. Third-party
errors (lxml, httpx, SQLAlchemy) are translated into this tree at the edge where they occur,
so the core never has to catch a foreign exception type.

::

    GatewayError
    ├── ConfigError              bad settings, routes or senders file
    ├── InputError               a message we cannot take in (too large, not XML, ...)
    ├── SchemaRegistryError      an XSD package that does not load or compile
    ├── StoreError               the database refused or lost an operation
    │   └── MessageNotFoundError      no message with that id (or not visible to the caller)
    └── RelayError               delivery could not even be attempted (no route, ...)

Each adapter's own errors (a SOAP fault to answer, a refused envelope, a routes file that does not
parse, a Pull round that could not run) derive from the branch they belong to, so a caller may catch
as narrowly or as broadly as it needs; ``tests/test_public_surface.py`` walks every class of the
package to hold that.

Errors that belong to one message carry its id in ``message_id``. Messages of these errors
never contain a BSN: callers pass pseudonyms or element paths, never element text.
"""

from __future__ import annotations


class GatewayError(Exception):
    """Root of all errors raised by Ketenpoort on purpose."""

    def __init__(self, message: str = "", *, message_id: str | None = None) -> None:
        super().__init__(message)
        self.message_id = message_id


class ConfigError(GatewayError):
    """A setting, routes file or senders file is missing or malformed."""


class InputError(GatewayError):
    """A message that cannot be taken in at all (oversized, empty, not XML)."""


class SchemaRegistryError(GatewayError):
    """An XSD package could not be read or compiled."""


class StoreError(GatewayError):
    """The store could not carry out an operation."""


class StoreUnavailableError(StoreError):
    """The database could not be reached or the connection broke (a retry later may succeed)."""


class StoreConflictError(StoreError):
    """A write broke a uniqueness or integrity rule: usually a concurrent writer got there first."""


class MessageNotFoundError(StoreError):
    """No message with this id exists, or the caller may not see it."""


class RelayError(GatewayError):
    """Delivery could not be attempted (for example: no route for the receiver)."""


__all__ = [
    "ConfigError",
    "GatewayError",
    "InputError",
    "MessageNotFoundError",
    "RelayError",
    "SchemaRegistryError",
    "StoreConflictError",
    "StoreError",
    "StoreUnavailableError",
]
