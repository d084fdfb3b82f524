"""Routing: which endpoint URL receives messages for a receiver id.

A receiver id is what the message names as its addressee: a gemeentecode (``"0034"``), an
AGB code (``"12345678"``) or an OIN (``"00000001234567890000"``). The routes file is TOML::

    default = "https://fallback.example/berichten"     # optional

    [routes]
    "0034" = "https://almere.example/ijw"
    "00000001003214345000" = "https://corv.example/stuf"

Keys are compared exactly after trimming whitespace (so ``"0034"`` and ``"34"`` differ, on
purpose: leading zeros are part of a gemeentecode).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from urllib.parse import urlsplit


class RouteConfigError(Exception):
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


@dataclass(frozen=True)
class Routes:
    """An immutable receiver-id → URL table with an optional default URL."""

    table: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    default: str | None = None

    def __post_init__(self) -> None:
        """Validate every URL and freeze the table."""
        checked = {str(key).strip(): _check_url(url, f"route {key!r}") for key, url in self.table.items()}
        object.__setattr__(self, "table", MappingProxyType(checked))
        if self.default is not None:
            object.__setattr__(self, "default", _check_url(self.default, "default route"))

    def resolve(self, receiver: str) -> str | None:
        """Return the URL for ``receiver``, the default URL, or None when neither exists."""
        return self.table.get(receiver.strip(), self.default)

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
        nested = [key for key, value in table.items() if isinstance(value, dict)]
        if nested:
            raise RouteConfigError(f"routes file {path}: route {nested[0]!r} is a table; quote ids with dots")
        file_default = data.get("default")
        try:
            return cls(table=table, default=default if default is not None else file_default)
        except RouteConfigError as exc:
            raise RouteConfigError(f"routes file {path}: {exc}") from exc


def load_routes(path: Path | None = None, default: str | None = None) -> Routes:
    """Build Routes from an optional TOML file and/or a default URL (at least one is required)."""
    if path is not None:
        return Routes.from_toml(path, default=default)
    if default is None:
        raise RouteConfigError("no routes: set KETENPOORT_ROUTES_FILE or KETENPOORT_DEFAULT_ROUTE")
    return Routes(default=default)


__all__ = ["RouteConfigError", "Routes", "load_routes"]
