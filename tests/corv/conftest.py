"""CORV fixtures: a test PKI with OIN certificates, and Ketenpoort serving two-sided TLS over a real store."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from gateway.api.app import create_app
from gateway.config import Settings, load_settings
from gateway.store import Store
from tests.support.corv import CORV, GI, STRANGER, serving_tls, write_partners
from tests.support.pki import Identity, Pki


@dataclass(frozen=True)
class Certs:
    """The PKI and the identities the tests connect with."""

    pki: Pki
    server: Identity
    gi: Identity
    corv: Identity
    stranger: Identity
    no_oin: Identity


@pytest.fixture(scope="session")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certs:
    """One CA and its certificates for the whole run (RSA keys are slow to make)."""
    pki = Pki(tmp_path_factory.mktemp("pki"))
    return Certs(
        pki=pki,
        server=pki.issue("ketenpoort", server=True),
        gi=pki.issue("GI Leger des Heils", oin=GI),
        corv=pki.issue("CORV", oin=CORV),
        stranger=pki.issue("Stranger", oin=STRANGER),
        no_oin=pki.issue("No OIN"),
    )


def corv_settings(tmp_path: Path, db_url: str, certs: Certs, *, signed: bool = False, **extra: object) -> Settings:
    """Settings that serve HTTPS with client certificates and the test partners."""
    return load_settings(
        database_url=db_url,
        api_tls_cert_file=certs.server.cert_file,
        api_tls_key_file=certs.server.key_file,
        api_tls_ca_file=certs.pki.ca_file,
        corv_partners_file=write_partners(tmp_path / "partners.toml", signed=signed),
        **extra,
    )


@dataclass(frozen=True)
class Served:
    """A running Ketenpoort on loopback: its base URL and store."""

    url: str
    store: Store


@pytest.fixture
def served(tmp_path: Path, store: Store, db_url: str, certs: Certs) -> Iterator[Served]:
    """Ketenpoort on two-sided TLS over ``store`` (both backends), partners unsigned (2W-be)."""
    settings = corv_settings(tmp_path, db_url, certs)
    with serving_tls(create_app(settings, store), settings) as url:
        yield Served(url, store)


@pytest.fixture
def served_signed(tmp_path: Path, store: Store, db_url: str, certs: Certs) -> Iterator[Served]:
    """Ketenpoort on two-sided TLS whose partners must sign (2W-be-S)."""
    settings = corv_settings(tmp_path, db_url, certs, signed=True)
    with serving_tls(create_app(settings, store), settings) as url:
        yield Served(url, store)
