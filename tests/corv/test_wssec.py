"""2W-be-S signing and verification on their own: RSA and EC keys, and a Timestamp outside its window."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from gateway.corv.envelope import CorvFaultError, build_request
from gateway.corv.wssec import sign_envelope, verify_envelope
from gateway.generate.stuf import build_di01
from gateway.xmlsafe import parse


def _self_signed(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "signer")])
    now = dt.datetime.now(dt.UTC)
    return (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=1))
            .sign(key, hashes.SHA256()))  # fmt: skip


def _request() -> bytes:
    di01 = build_di01("vtoDi01", zender_oin="00000001815095120000", ontvanger_oin="00000001823288444000",
                      referentienummer="SIG-1")  # fmt: skip
    return build_request(di01, action="www.stufstandaarden.nl/koppelvlak/jz0100/vtoDi01",
                         to="https://kp.example/soap/stuf-jz/jzberichten?OIN=00000001823288444000",
                         from_="https://gi.example/soap?OIN=00000001815095120000")  # fmt: skip


@pytest.mark.parametrize("kind", ["rsa", "ec"])
def test_a_request_signed_with_an_rsa_or_ec_key_verifies(kind: str) -> None:
    """Both key types sign (RSA-SHA256, ECDSA-SHA256) and the signer's certificate comes back from verification."""
    key = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        if kind == "rsa"
        else ec.generate_private_key(ec.SECP256R1())
    )
    cert = _self_signed(key)
    signed = sign_envelope(_request(), key=key, cert_pem=cert.public_bytes(serialization.Encoding.PEM))
    assert verify_envelope(parse(signed), trusted=[cert]) == cert


def test_a_timestamp_from_the_future_or_long_expired_is_refused() -> None:
    """Created more than the skew ahead, or Expires long past, is refused even with a valid signature."""
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _self_signed(key)
    pem = cert.public_bytes(serialization.Encoding.PEM)
    now = dt.datetime.now(dt.UTC)
    for moment, reason in ((now + dt.timedelta(hours=1), "future"), (now - dt.timedelta(hours=1), "expired")):
        signed = sign_envelope(_request(), key=key, cert_pem=pem, now=moment)
        with pytest.raises(CorvFaultError, match=reason):
            verify_envelope(parse(signed), trusted=[cert])
