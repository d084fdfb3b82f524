"""Routing: which endpoint, over which channel and TLS identity, receives messages for a receiver id.

A receiver id is what the message names as its addressee: a gemeentecode (``"0034"``), an
AGB code (``"12345678"``) or an OIN (``"00000001234567890000"``). The routes file is TOML::

    default = "https://fallback.example/berichten"     # optional; a string or a table as below

    [routes]
    "0034" = "https://almere.example/ijw"              # the flat form: channel "http"

    [routes."0363"]                                    # the table form
    url = "https://ggk.amsterdam.example/soap/ggk0310"
    channel = "ggk"                                    # "http" (default) | "ggk" | "corv" | "vsp"
    ca_file = "pki/ggk-ca.pem"                         # the roots this receiver's certificate must chain to
    client_cert = "pki/ketenpoort.pem"                 # the certificate we show it (mutual TLS)
    client_key = "pki/ketenpoort.key"
    signing = { key = "pki/sign.key", cert = "pki/sign.pem" }   # channel-specific, optional
    options = { zender_organisatie = "00000001234567890000", zender_applicatie = "Ketenpoort" }

Keys are compared exactly after trimming whitespace (so ``"0034"`` and ``"34"`` differ, on
purpose: leading zeros are part of a gemeentecode). Relative file paths are read from the
routes file's folder. A route without TLS settings uses the relay-wide ones
(``KETENPOORT_RELAY_CA_FILE`` ...); one with them gets its own transport (see
:class:`~gateway.relay.deliver.Deliverer`).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from gateway.errors import ConfigError

CHANNEL_NAMES = frozenset({"http", "ggk", "corv", "vsp"})
"""The channels a route may name; whether this build can deliver over one is the Deliverer's check."""

_ROUTE_KEYS = frozenset({"url", "channel", "ca_file", "client_cert", "client_key", "signing", "options"})
_EMPTY: Mapping[str, Any] = MappingProxyType({})


class RouteConfigError(ConfigError):
    """The routes file or default route is missing, unreadable or malformed."""


def _check_url(url: object, where: str) -> str:
    """Return ``url`` if it is an absolute http(s) URL with a host, else raise RouteConfigError."""
    if not isinstance(url, str) or not url.strip():
        raise RouteConfigError(f"{where}: expected a URL string, got {type(url).__name__}")
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RouteConfigError(f"{where}: {url!r} is not an absolute http(s) URL")
    try:
        _ = parts.port
    except ValueError as exc:
        raise RouteConfigError(f"{where}: {url!r} has an invalid port") from exc
    return url.strip()


@dataclass(frozen=True, slots=True)
class TlsIdentity:
    """The TLS a route needs: the roots its receiver must chain to, and the certificate we show.

    Hashable: the Deliverer keeps one transport (and so one connection pool) per identity.
    """

    ca_file: Path | None = None
    client_cert: Path | None = None
    client_key: Path | None = None


@dataclass(frozen=True, slots=True)
class Route:
    """Where and how messages for one receiver go: URL, channel, TLS identity, signing and channel options."""

    url: str
    channel: str = "http"
    tls: TlsIdentity | None = None
    """None: the relay-wide TLS settings."""
    signing: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    """Channel-specific signing settings (e.g. ``key``, ``cert``, ``required``); empty: no signing."""
    options: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    """Channel-specific options (e.g. OINs, applicatie names); each channel documents its own."""

    def __post_init__(self) -> None:
        """Check the URL and channel name and freeze the mappings."""
        object.__setattr__(self, "url", _check_url(self.url, "route url"))
        if self.channel not in CHANNEL_NAMES:
            known = ", ".join(sorted(CHANNEL_NAMES))
            raise RouteConfigError(f"unknown channel {self.channel!r} (known: {known})")
        object.__setattr__(self, "signing", MappingProxyType(dict(self.signing)))
        object.__setattr__(self, "options", MappingProxyType(dict(self.options)))

    def option(self, name: str, default: str | None = None) -> str | None:
        """The option ``name`` as text, or ``default``."""
        value = self.options.get(name)
        return default if value is None else str(value)


def _path(value: object, base: Path | None, where: str) -> Path | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise RouteConfigError(f"{where}: expected a file path string")
    path = Path(value.strip())
    return path if path.is_absolute() or base is None else base / path


def _route_from(value: object, where: str, base: Path | None = None) -> Route:
    """A Route from the flat form (a URL string), the table form, or a Route."""
    if isinstance(value, Route):
        return value
    if isinstance(value, str):
        return Route(_check_url(value, where))
    if not isinstance(value, Mapping):
        raise RouteConfigError(f"{where}: expected a URL string, got {type(value).__name__}")
    if "url" not in value:
        raise RouteConfigError(f"{where} is a table without url; quote ids with dots")
    unknown = sorted(set(value) - _ROUTE_KEYS)
    if unknown:
        raise RouteConfigError(f"{where}: unknown keys {', '.join(unknown)}")
    for name in ("signing", "options"):
        if not isinstance(value.get(name, {}), Mapping):
            raise RouteConfigError(f"{where}: {name} must be a table")
    channel = value.get("channel", "http")
    if not isinstance(channel, str):
        raise RouteConfigError(f"{where}: channel must be a string")
    tls = TlsIdentity(
        _path(value.get("ca_file"), base, f"{where} ca_file"),
        _path(value.get("client_cert"), base, f"{where} client_cert"),
        _path(value.get("client_key"), base, f"{where} client_key"),
    )
    signing = {
        key: _path(item, base, f"{where} signing.{key}") if key in ("key", "cert") else item
        for key, item in value.get("signing", {}).items()
    }
    try:
        return Route(
            _check_url(value["url"], where),
            channel=channel,
            tls=None if tls == TlsIdentity() else tls,
            signing=signing,
            options=value.get("options", {}),
        )
    except RouteConfigError as exc:
        raise RouteConfigError(f"{where}: {exc}") from exc


@dataclass(frozen=True)
class Routes:
    """An immutable receiver-id → :class:`Route` table with an optional default route.

    ``table`` (receiver id → URL) and ``default`` (a URL) keep the flat view older callers read;
    :meth:`route` gives the whole route.
    """

    table: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    default: Any = None
    base: Path | None = None
    """The folder relative file paths in table-form routes are read from."""
    entries: Mapping[str, Route] = field(init=False)
    default_route: Route | None = field(init=False)

    def __post_init__(self) -> None:
        """Validate every route and freeze the table."""
        base = self.base
        entries = {str(key).strip(): _route_from(value, f"route {key!r}", base) for key, value in self.table.items()}
        object.__setattr__(self, "entries", MappingProxyType(entries))
        object.__setattr__(self, "table", MappingProxyType({key: route.url for key, route in entries.items()}))
        fallback = None if self.default is None else _route_from(self.default, "default route", self.base)
        object.__setattr__(self, "default_route", fallback)
        object.__setattr__(self, "default", None if fallback is None else fallback.url)

    def route(self, receiver: str) -> Route | None:
        """The route for ``receiver``, the default route, or None when neither exists."""
        return self.entries.get(receiver.strip(), self.default_route)

    def resolve(self, receiver: str) -> str | None:
        """Return the URL for ``receiver``, the default URL, or None when neither exists."""
        found = self.route(receiver)
        return None if found is None else found.url

    def all(self) -> tuple[Route, ...]:
        """Every route, the default last (for building one transport per TLS identity up front)."""
        found = list(self.entries.values())
        return (*found, self.default_route) if self.default_route is not None else tuple(found)

    @classmethod
    def from_toml(cls, path: Path, default: str | None = None) -> Routes:
        """Load a routes file; ``default`` (e.g. KETENPOORT_DEFAULT_ROUTE) wins over the file's."""
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise RouteConfigError(f"cannot read routes file {path}: {exc.strerror}") from exc
        except UnicodeDecodeError as exc:
            raise RouteConfigError(f"routes file {path} is not UTF-8") from exc
        except tomllib.TOMLDecodeError as exc:
            raise RouteConfigError(f"routes file {path} is not valid TOML: {exc}") from exc
        unknown = sorted(set(data) - {"default", "routes"})
        if unknown:
            raise RouteConfigError(f"routes file {path}: unknown keys {', '.join(unknown)}")
        table = data.get("routes", {})
        if not isinstance(table, dict):
            raise RouteConfigError(f"routes file {path}: [routes] must be a table")
        file_default = data.get("default")
        try:
            return cls(table=table, default=default if default is not None else file_default, base=Path(path).parent)
        except RouteConfigError as exc:
            raise RouteConfigError(f"routes file {path}: {exc}") from exc


def load_routes(path: Path | None = None, default: str | None = None) -> Routes:
    """Build Routes from an optional TOML file and/or a default URL (at least one is required)."""
    if path is not None:
        return Routes.from_toml(path, default=default)
    if default is None:
        raise RouteConfigError("no routes: set KETENPOORT_ROUTES_FILE or KETENPOORT_DEFAULT_ROUTE")
    return Routes(default=default)


__all__ = ["CHANNEL_NAMES", "Route", "RouteConfigError", "Routes", "TlsIdentity", "load_routes"]
