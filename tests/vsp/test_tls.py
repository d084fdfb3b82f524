"""VSP over a real two-sided TLS socket, as ``ketenpoort serve`` runs it with ``KETENPOORT_API_TLS_*``.

The app is served by uvicorn with the settings' own ``tls_options`` (client certificates optional, the peer
certificate handed to the scope by ``gateway.api.tlspeer``); the clients are real httpx clients presenting
certificates from the development PKI.
"""

from __future__ import annotations

import json
import ssl
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509

from gateway.api import create_app
from gateway.api.auth import Role, add_sender
from gateway.api.vsp.certauth import fingerprint
from gateway.config import Settings, load_settings
from gateway.store import Store
from tests.support.corv import serving_tls
from tests.support.pki import Identity, Pki
from tests.vsp.conftest import OTHER_AANBIEDER
from tests.vsp.support import PULL, PUSH, Declaraties, metadata, push


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    """One development CA for the module (RSA keys are slow to make)."""
    return Pki(tmp_path_factory.mktemp("vsp-pki"))


def _bind(path: Path, name: str, identities: list[str], identity: Identity) -> str:
    """Add a sender bound to ``identity``'s certificate; its token."""
    token = add_sender(path, name, identities, Role.SENDER)
    cert = x509.load_pem_x509_certificate(identity.cert_pem)
    path.write_text(path.read_text() + f'client_cert_sha256 = ["{fingerprint(cert)}"]\n', encoding="utf-8")
    return token


def _settings(tmp_path: Path, pki: Pki, senders: Path) -> Settings:
    """HTTPS with optional client certificates of ``pki``, the given senders file."""
    server = pki.issue("ketenpoort", server=True)
    return load_settings(
        senders_file=senders,
        database_url=f"sqlite:///{tmp_path / 'unused.db'}",
        api_tls_cert_file=server.cert_file,
        api_tls_key_file=server.key_file,
        api_tls_ca_file=pki.ca_file,
    )


def tls_client(pki: Pki, identity: Identity | None, url: str) -> httpx.Client:
    """An httpx client on ``url`` that trusts ``pki`` and shows ``identity`` (None: no client certificate)."""
    context = ssl.create_default_context(cafile=str(pki.ca_file))
    if identity is not None:
        context.load_cert_chain(str(identity.cert_file), str(identity.key_file))
    return httpx.Client(base_url=url, verify=context, timeout=30.0)


def _push_by_certificate(client: Any, meta: dict[str, Any], payload: bytes) -> Any:
    """A push without any Authorization header: the certificate alone speaks."""
    files = {
        "berichtMetadata": ("m.json", json.dumps(meta), "application/json"),
        "payload": ("p.xml", payload, "application/octet-stream"),
    }
    return client.post(PUSH, files=files)


def test_a_bound_certificate_over_real_tls_pushes_and_the_binding_is_enforced(
    store: Store, stream: Declaraties, tmp_path: Path, pki: Pki
) -> None:
    """Bound cert of A: 204; a bound cert whose serialNumber is not the afzender: 422; A's token alone: 401."""
    senders = tmp_path / "senders.toml"
    cert_a = pki.issue("aanbieder-a.example", oin=stream.aanbieder)
    cert_wrong = pki.issue("someone-else.example", oin=OTHER_AANBIEDER)
    token_a = _bind(senders, "aanbieder-a", [stream.aanbieder], cert_a)
    _bind(senders, "aanbieder-a2", [stream.aanbieder], cert_wrong)
    settings = _settings(tmp_path, pki, senders)
    with serving_tls(create_app(settings, store), settings) as url:
        meta = metadata(stream.aanbieder, stream.gemeente)
        with tls_client(pki, cert_a, url) as as_a:
            accepted = _push_by_certificate(as_a, meta, stream.jw323[0])
            assert accepted.status_code == 204, accepted.text
            assert as_a.get(f"{PULL}/berichten").status_code == 200
        with tls_client(pki, cert_wrong, url) as wrong:
            refused = _push_by_certificate(wrong, metadata(stream.aanbieder, stream.gemeente), stream.jw323[1])
            assert refused.status_code == 422 and "certificate" in refused.json()["detail"]
        with tls_client(pki, None, url) as anonymous:
            bare = push(anonymous, token_a, metadata(stream.aanbieder, stream.gemeente), stream.jw323[1])
            assert bare.status_code == 401
            assert anonymous.get("/healthz").status_code == 200  # client certificates are optional
    stored, _ = store.list_messages(limit=10)
    assert len(stored) == 1  # only A's push; the refused ones left nothing behind
