"""TLS for the relay: which receiver certificates we trust, and the certificate we show.

Chain partners on Digikoppeling (CORV among them) are reached over TLS with PKIoverheid
certificates on both sides. The receiver's certificate is checked against the roots the operator
names (``KETENPOORT_RELAY_CA_FILE``; PKIoverheid's private root is in no public bundle), else
against certifi's, as httpx checks by default. Ours is shown when the receiver asks for it
(``KETENPOORT_RELAY_CLIENT_CERT`` and ``_CLIENT_KEY``, PEM files). Host names are always checked.
Both relay transports take the same context.
"""

from __future__ import annotations

import ssl
from pathlib import Path

import certifi

from gateway.relay.routes import RouteConfigError


class TLSConfigError(RouteConfigError):
    """A relay TLS setting names a file that is missing, unreadable or not what it should be.

    A RouteConfigError, so every command that reports a bad relay configuration reports this too.
    """


def relay_ssl_context(
    ca_file: Path | None = None, client_cert: Path | None = None, client_key: Path | None = None
) -> ssl.SSLContext:
    """A client context: verify against ``ca_file`` (else certifi's roots); show ``client_cert`` when given.

    ``client_key`` may be left out when the key is in the certificate file.
    """
    if client_key is not None and client_cert is None:
        raise TLSConfigError("KETENPOORT_RELAY_CLIENT_KEY is set without KETENPOORT_RELAY_CLIENT_CERT")
    try:
        context = ssl.create_default_context(cafile=str(ca_file) if ca_file is not None else certifi.where())
    except (OSError, ssl.SSLError) as exc:  # ssl.SSLError is an OSError; named for the reader
        raise TLSConfigError(f"KETENPOORT_RELAY_CA_FILE {ca_file}: {_reason(exc)}") from exc
    context.set_alpn_protocols(["http/1.1"])
    if client_cert is not None:
        try:
            context.load_cert_chain(client_cert, client_key)
        except (OSError, ssl.SSLError) as exc:
            raise TLSConfigError(
                f"KETENPOORT_RELAY_CLIENT_CERT {client_cert} / _CLIENT_KEY {client_key}: {_reason(exc)}"
            ) from exc
    return context


def _reason(exc: BaseException) -> str:
    """What went wrong, without the key material (ssl's messages never carry it; strerror is short)."""
    return getattr(exc, "strerror", None) or getattr(exc, "reason", None) or type(exc).__name__


__all__ = ["TLSConfigError", "relay_ssl_context"]
