"""Who may talk to the CORV services: the partners file, the instanties table and certificate OINs.

The partners file (``KETENPOORT_CORV_PARTNERS_FILE``) is TOML::

    receivers = ["00000001823288444000"]     # OINs we take messages for, besides every instantie

    [[partner]]
    oin = "00000001002220647000"            # the OIN in the client certificate's subject serialNumber
    may_send_as = ["00000001002220647000"]  # zender OINs it may use (default: its own); "*" = any (CORV)
    signed = true                            # 2W-be-S: a valid WS-Security signature is required

A request is refused (StUF052, nothing stored) unless its certificate OIN is a partner's and the zender
in the stuurgegevens is one it may send as; the ontvanger must be a receiver or an instantie of the
referentielijst (``mappings/corv_instanties.csv``) that has not ceased (StUF010).
"""

from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from cryptography import x509
from cryptography.x509.oid import NameOID

from gateway import paths
from gateway.corv.addressing import is_oin
from gateway.errors import ConfigError


class PartnersConfigError(ConfigError):
    """The partners file is missing, unreadable or malformed."""


@dataclass(frozen=True, slots=True)
class Partner:
    """One party that connects with a client certificate."""

    oin: str
    may_send_as: frozenset[str]
    signed: bool = False

    def may_send(self, zender: str | None) -> bool:
        """True when this partner may send a message whose zender organisatie is ``zender``."""
        return zender is not None and ("*" in self.may_send_as or zender in self.may_send_as)


@dataclass(frozen=True, slots=True)
class Instantie:
    """An instantie of the CORV referentielijst that has an OIN."""

    code: str
    naam: str
    oin: str
    einddatum: date | None


@dataclass(frozen=True)
class Partners:
    """The partners file and instanties table, read once."""

    partners: dict[str, Partner] = field(default_factory=dict)
    receivers: frozenset[str] = frozenset()
    instanties: dict[str, Instantie] = field(default_factory=dict)

    def partner(self, oin: str | None) -> Partner | None:
        """The partner whose certificate carries ``oin``."""
        return self.partners.get(oin) if oin is not None else None

    def accepts_receiver(self, oin: str | None, today: date | None = None) -> bool:
        """True when Ketenpoort takes messages for ``oin``: a configured receiver or a current instantie."""
        if oin is None:
            return False
        if oin in self.receivers:
            return True
        found = self.instanties.get(oin)
        day = today or date.today()
        return found is not None and (found.einddatum is None or found.einddatum > day)


def load_instanties(path: Path | None = None) -> dict[str, Instantie]:
    """The instanties table (default: the bundled ``mappings/corv_instanties.csv``), by OIN."""
    source = path or paths.mappings_dir() / "corv_instanties.csv"
    table: dict[str, Instantie] = {}
    with source.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            end = row["einddatum"].strip()
            table.setdefault(
                row["oin"],
                Instantie(row["instantie"], row["naam"], row["oin"], date.fromisoformat(end) if end else None),
            )
    return table


def _partner(entry: object, where: str) -> Partner:
    if not isinstance(entry, dict):
        raise PartnersConfigError(f"{where}: each [[partner]] must be a table")
    oin = entry.get("oin")
    if not isinstance(oin, str) or not is_oin(oin):
        raise PartnersConfigError(f"{where}: partner oin must be 20 digits")
    send_as = entry.get("may_send_as", [oin])
    if not isinstance(send_as, list) or not all(isinstance(s, str) and (s == "*" or is_oin(s)) for s in send_as):
        raise PartnersConfigError(f"{where}: may_send_as of {oin} must be a list of OINs or '*'")
    signed = entry.get("signed", False)
    if not isinstance(signed, bool):
        raise PartnersConfigError(f"{where}: signed of {oin} must be true or false")
    unknown = sorted(set(entry) - {"oin", "may_send_as", "signed"})
    if unknown:
        raise PartnersConfigError(f"{where}: partner {oin}: unknown keys {', '.join(unknown)}")
    return Partner(oin=oin, may_send_as=frozenset(send_as), signed=signed)


def load_partners(path: Path | None, instanties: Path | None = None) -> Partners:
    """Read the partners file (None: no partners, every request is refused) and the instanties table."""
    table = load_instanties(instanties)
    if path is None:
        return Partners(instanties=table)
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise PartnersConfigError(f"cannot read CORV partners file {path}: {exc}") from exc
    unknown = sorted(set(data) - {"receivers", "partner"})
    if unknown:
        raise PartnersConfigError(f"{path}: unknown keys {', '.join(unknown)}")
    receivers = data.get("receivers", [])
    if not isinstance(receivers, list) or not all(isinstance(r, str) and is_oin(r) for r in receivers):
        raise PartnersConfigError(f"{path}: receivers must be a list of 20-digit OINs")
    entries = data.get("partner", [])
    if not isinstance(entries, list):
        raise PartnersConfigError(f"{path}: partner must be an array of tables ([[partner]])")
    found = [_partner(entry, str(path)) for entry in entries]
    return Partners(partners={p.oin: p for p in found}, receivers=frozenset(receivers), instanties=table)


def certificate_oin(pem: str | bytes) -> str | None:
    """The OIN in a certificate's subject serialNumber (PKIoverheid), or None when it carries none."""
    data = pem.encode("ascii") if isinstance(pem, str) else pem
    try:
        cert = x509.load_pem_x509_certificate(data)
    except ValueError:
        return None
    values = cert.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)
    if len(values) != 1:
        return None
    value = values[0].value
    text = value.decode("ascii", "replace") if isinstance(value, bytes) else value
    return text if is_oin(text) else None


__all__ = [
    "Instantie",
    "Partner",
    "Partners",
    "PartnersConfigError",
    "certificate_oin",
    "load_instanties",
    "load_partners",
]
