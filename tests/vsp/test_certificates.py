"""Client certificates over VSP: a sender bound to one authenticates with it, and its identity must be the afzender.

The ASGI TLS extension (``client_cert_chain``) is what a server terminating mutual TLS hands the app;
here a thin ASGI layer sets it from real certificates, as the TLS-terminating server does per connection.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID
from fastapi import FastAPI
from fastapi.testclient import TestClient

from gateway.api import create_app
from gateway.api.auth import Role, add_sender
from gateway.api.vsp.certauth import certificate_identities, fingerprint
from gateway.config import load_settings
from gateway.store import Store
from tests.support.receiver import Receiver
from tests.vsp.conftest import OTHER_AANBIEDER
from tests.vsp.support import PULL, Declaraties, auth, drain, metadata, push, wrong_total


def certificate(serial_number: str, common_name: str) -> x509.Certificate:
    """A self-signed certificate whose subject carries ``serial_number`` (as PKIoverheid/VECOZO ones do)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                      x509.NameAttribute(NameOID.SERIAL_NUMBER, serial_number)])  # fmt: skip
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )  # fmt: skip


def with_peer(app: FastAPI, cert: x509.Certificate | None) -> Callable[..., Any]:
    """``app`` as a mutual-TLS server presents it: every request carries the connection's client certificate."""
    chain = [cert.public_bytes(Encoding.PEM).decode()] if cert is not None else []

    async def tls_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            scope.setdefault("extensions", {})["tls"] = {"client_cert_chain": chain, "server_cert": None}
        await app(scope, receive, send)

    return tls_app


def _bind(path: Path, name: str, identities: list[str], cert: x509.Certificate) -> str:
    token = add_sender(path, name, identities, Role.SENDER)
    path.write_text(path.read_text() + f'client_cert_sha256 = ["{fingerprint(cert)}"]\n', encoding="utf-8")
    return token


def test_a_bound_certificate_authenticates_and_its_identity_must_be_the_afzender(
    store: Store, stream: Declaraties, tmp_path: Path, receiver: Receiver
) -> None:
    """Cert of A pushes as A (204); a cert whose serialNumber is not the afzender: 422; A's token without it: 401."""
    senders = tmp_path / "senders.toml"
    cert_a = certificate(stream.aanbieder, "aanbieder-a.example")
    cert_wrong = certificate(OTHER_AANBIEDER, "someone-else.example")
    cert_b = certificate(OTHER_AANBIEDER, "aanbieder-b.example")
    token_a = _bind(senders, "aanbieder-a", [stream.aanbieder], cert_a)
    _bind(senders, "aanbieder-a2", [stream.aanbieder], cert_wrong)
    _bind(senders, "aanbieder-b", [OTHER_AANBIEDER], cert_b)
    app = create_app(load_settings(senders_file=senders), store=store)
    assert certificate_identities(cert_a) == {stream.aanbieder, "aanbieder-a.example"}
    as_a = TestClient(with_peer(app, cert_a))
    meta = metadata(stream.aanbieder, stream.gemeente)
    r = as_a.post("/vsp/berichtenservice/berichten/rest-push/v1/berichten",
                  files={"berichtMetadata": ("m.json", json.dumps(meta), "application/json"),
                         "payload": ("p.xml", wrong_total(stream.jw323[0]), "application/octet-stream")})  # fmt: skip
    assert r.status_code == 204, r.text
    wrong = push(
        TestClient(with_peer(app, cert_wrong)), "", metadata(stream.aanbieder, stream.gemeente), stream.jw323[1]
    )
    assert wrong.status_code == 401  # an empty Bearer: the certificate alone speaks ...
    wrong = TestClient(with_peer(app, cert_wrong)).post(
        "/vsp/berichtenservice/berichten/rest-push/v1/berichten",
        files={"berichtMetadata": ("m.json", json.dumps(metadata(stream.aanbieder, stream.gemeente)),
                                   "application/json"),
               "payload": ("p.xml", stream.jw323[1], "application/octet-stream")},
    )  # fmt: skip
    assert wrong.status_code == 422 and "certificate" in wrong.json()["detail"]  # ... and is not the afzender
    assert (
        push(TestClient(app), token_a, metadata(stream.aanbieder, stream.gemeente), stream.jw323[1]).status_code == 401
    )
    drain(store, receiver.url)
    listed = as_a.get(f"{PULL}/berichten").json()
    assert len(listed) == 1
    retour = listed[0]["referentiegegevens"]["traceerId"]
    as_b = TestClient(with_peer(app, cert_b))
    assert as_b.get(f"{PULL}/berichten").json() == []
    assert as_b.get(f"{PULL}/berichten/{retour}/payload").status_code == 404
    assert as_b.delete(f"{PULL}/berichten/{retour}").status_code == 404
    stranger = TestClient(with_peer(app, certificate(stream.aanbieder, "unbound.example")))
    assert stranger.get(f"{PULL}/berichten").status_code == 401
    assert stranger.get(f"{PULL}/berichten", headers=auth(token_a)).status_code == 401  # A must use its own cert
    assert as_a.delete(f"{PULL}/berichten/{retour}").status_code == 202
