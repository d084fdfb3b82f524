"""Development certificates: a CA and leaf certificates with an OIN in the subject serialNumber.

For the demo and the tests only, never for production (there the certificates are PKIoverheid's).
PKIoverheid server and service certificates carry the organisation's OIN in the subject's
serialNumber; these are built the same way with ``cryptography``, so the code that reads an OIN
from a client certificate is exercised on the field it will meet in production.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


@dataclass(frozen=True)
class Identity:
    """A certificate and its key, in memory and as PEM files."""

    cert_pem: bytes
    key_pem: bytes
    cert_file: Path
    key_file: Path
    oin: str | None


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _pem_key(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())  # fmt: skip


class Pki:
    """A test CA in ``folder`` that issues server and client certificates."""

    def __init__(self, folder: Path, name: str = "Ketenpoort development CA (not PKIoverheid)") -> None:
        """Make the CA key and certificate; its PEM is written to ``folder/ca.pem``."""
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self._key = _key()
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name),
                             x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Ketenpoort tests")])  # fmt: skip
        now = dt.datetime.now(dt.UTC)
        self.ca = (
            x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(self._key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .sign(self._key, hashes.SHA256())
        )  # fmt: skip
        self.ca_pem = self.ca.public_bytes(serialization.Encoding.PEM)
        self.ca_file = folder / "ca.pem"
        self.ca_file.write_bytes(self.ca_pem)

    def issue(self, name: str, *, oin: str | None = None, server: bool = False) -> Identity:
        """A leaf certificate for ``name``; ``oin`` goes into subject serialNumber, ``server`` adds localhost."""
        key = _key()
        attrs = [x509.NameAttribute(NameOID.COMMON_NAME, name), x509.NameAttribute(NameOID.ORGANIZATION_NAME, name)]
        if oin is not None:
            attrs.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, oin))
        now = dt.datetime.now(dt.UTC)
        builder = (
            x509.CertificateBuilder().subject_name(x509.Name(attrs)).issuer_name(self.ca.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=7))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
                           critical=False)
        )  # fmt: skip
        if server:
            names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
        cert = builder.sign(self._key, hashes.SHA256())
        cert_pem = cert.public_bytes(serialization.Encoding.PEM)
        key_pem = _pem_key(key)
        stem = name.replace(" ", "_")
        cert_file, key_file = self.folder / f"{stem}.pem", self.folder / f"{stem}.key"
        cert_file.write_bytes(cert_pem)
        key_file.write_bytes(key_pem)
        return Identity(cert_pem, key_pem, cert_file, key_file, oin)


__all__ = ["Identity", "Pki"]
