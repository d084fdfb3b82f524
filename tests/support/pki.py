"""Certificates made in the tests: the development PKI of :mod:`gateway.corv.devpki` (OIN in serialNumber)."""

from gateway.corv.devpki import Identity, Pki

__all__ = ["Identity", "Pki"]
