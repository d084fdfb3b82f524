"""Run the API under uvicorn, for ``ketenpoort serve`` and ``ketenpoort run``."""

from __future__ import annotations

import ssl
from typing import TYPE_CHECKING, Any

import uvicorn

from gateway.api.app import create_app
from gateway.api.headercap import MAX_HEAD_BYTES, protocol_class
from gateway.api.live_senders import LiveSenders, warn_when_nobody_can_post
from gateway.api.tlspeer import with_tls_peer
from gateway.config import Settings

if TYPE_CHECKING:
    from gateway.ports import ApiStore
    from gateway.store import Store

KEEP_ALIVE_S = 75
"""How long an idle client connection stays open. Longer than the idle expiry of the clients and proxies in
front (httpx keeps idle connections 5 s, load balancers 60 s): were it equal or shorter, a client could send
its next request just as the server closes the connection, and get a connection error instead of an answer."""


def serve(settings: Settings, host: str | None = None, port: int | None = None, store: ApiStore | None = None) -> None:
    """Serve the app until interrupted; without ``store`` the store is opened from the settings if available."""
    if store is None:
        store = _open_store(settings)
    app = create_app(settings, store)
    senders = app.state.senders
    if isinstance(senders, LiveSenders):
        senders.install_sighup()
        warn_when_nobody_can_post(senders)
    uvicorn.run(
        app,
        host=host or settings.api_host,
        port=port if port is not None else settings.api_port,
        access_log=False,  # AccessLog (gateway.api.access) writes the access line: route template, never the raw path
        log_config=None,  # uvicorn's own lines go through the stdlib bridge of gateway.logs: one format per process
        timeout_keep_alive=KEEP_ALIVE_S,
        h11_max_incomplete_event_size=2 * MAX_HEAD_BYTES,  # a backstop behind the head cap
        **tls_options(settings),
    )


def tls_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's protocol and TLS keywords: the 64 KiB head cap (431, whichever parser is installed), and
    HTTPS with client certificates and the peer certificate in the scope when the settings ask for it."""
    if settings.api_tls_cert_file is None:
        return {"http": protocol_class()}
    options: dict[str, Any] = {"ssl_certfile": str(settings.api_tls_cert_file)}
    if settings.api_tls_key_file is not None:
        options["ssl_keyfile"] = str(settings.api_tls_key_file)
    if settings.api_tls_ca_file is not None:
        options["ssl_ca_certs"] = str(settings.api_tls_ca_file)
        required = settings.api_tls_client_cert == "required"
        options["ssl_cert_reqs"] = ssl.CERT_REQUIRED if required else ssl.CERT_OPTIONAL
        options["http"] = with_tls_peer(protocol_class())
    else:
        options["http"] = protocol_class()
    return options


def _open_store(settings: Settings) -> Store:
    """The store for the settings' database, migrated (a failure: :class:`gateway.errors.StoreError`)."""
    from gateway.store import open_store

    return open_store(settings, migrate=True)


__all__ = ["serve", "tls_options"]
