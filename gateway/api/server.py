"""Run the API under uvicorn, for ``ketenpoort serve`` and ``ketenpoort run``."""

from __future__ import annotations

import importlib
import ssl
from typing import Any

import uvicorn

from gateway.api.app import create_app
from gateway.api.tlspeer import TlsPeerHttpToolsProtocol
from gateway.config import Settings

KEEP_ALIVE_S = 75
"""How long an idle client connection stays open. Longer than the idle expiry of the clients and proxies in
front (httpx keeps idle connections 5 s, load balancers 60 s): were it equal or shorter, a client could send
its next request just as the server closes the connection, and get a connection error instead of an answer."""


def serve(settings: Settings, host: str | None = None, port: int | None = None, store: Any = None) -> None:
    """Serve the app until interrupted; without ``store`` the store is opened from the settings if available."""
    if store is None:
        store = _open_store(settings)
    app = create_app(settings, store)
    uvicorn.run(
        app,
        host=host or settings.api_host,
        port=port if port is not None else settings.api_port,
        access_log=False,
        timeout_keep_alive=KEEP_ALIVE_S,
        h11_max_incomplete_event_size=64 * 1024,
        **tls_options(settings),
    )


def tls_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's TLS keywords for the settings: HTTPS, client certificates, and the peer in the scope."""
    if settings.api_tls_cert_file is None:
        return {}
    options: dict[str, Any] = {"ssl_certfile": str(settings.api_tls_cert_file)}
    if settings.api_tls_key_file is not None:
        options["ssl_keyfile"] = str(settings.api_tls_key_file)
    if settings.api_tls_ca_file is not None:
        options["ssl_ca_certs"] = str(settings.api_tls_ca_file)
        required = settings.api_tls_client_cert == "required"
        options["ssl_cert_reqs"] = ssl.CERT_REQUIRED if required else ssl.CERT_OPTIONAL
        options["http"] = TlsPeerHttpToolsProtocol
    return options


def _open_store(settings: Settings) -> Any:
    """The store for the settings' database, or None in a build without ``gateway.store``."""
    try:
        module: Any = importlib.import_module("gateway.store")
    except ModuleNotFoundError as exc:
        if exc.name != "gateway.store":
            raise
        return None
    opener = getattr(module, "open_store", None)
    return opener(settings, migrate=True) if opener is not None else None


__all__ = ["serve", "tls_options"]
