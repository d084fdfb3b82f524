"""What the VSP-Koppeling's metadata says about an iJw message, read from the message itself.

The channel and the puller both need it: the Push API wants routeringgegevens (afzender, geadresseerden,
berichtstroom) and referentiegegevens (traceerId, conversatieId, alsAntwoordOp) beside the payload.
A traceerId is Ketenpoort's message id itself (a ULID is 128 bits, as a UUID is): every retry of one
message carries the same traceerId, so VECOZO can deduplicate it, and the puller finds the heenbericht
a pulled retour answers from its alsAntwoordOp alone.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from lxml import etree

from gateway.errors import InputError
from gateway.model import Standard
from gateway.schemas import registry_for
from gateway.standards import read_header
from gateway.xmlsafe import DocumentRefusedError, parse

NAMESPACE = uuid.UUID("5b0c2f0e-3a57-4d7c-9f3e-6b8a1d2c4e70")
"""Ketenpoort's UUID 5 namespace for VSP ids."""

GEMEENTE_SENDS = frozenset({"JW301", "JW319", "JW302", "JW306", "JW308", "JW316", "JW318", "JW325", "JW304"})
"""iJw messages a gemeente sends (a toewijzing, an antwoord, and the retours on the aanbieder's messages)."""


class NotForVspError(InputError, ValueError):
    """The payload is not an iJw message the VSP-Koppeling carries."""


@dataclass(frozen=True, slots=True)
class IjwFacts:
    """The header facts of one iJw message."""

    message_type: str
    versie: int
    subversie: int
    afzender: str
    ontvanger: str


def read_ijw(payload: bytes, max_bytes: int) -> IjwFacts:
    """The type, version and parties of an iJw ``payload``; :class:`NotForVspError` for anything else."""
    try:
        root = parse(payload, max_bytes)
    except DocumentRefusedError as exc:
        raise NotForVspError(f"not a well-formed document: {exc.finding.message}") from None
    qname = etree.QName(root)
    entry = registry_for().lookup(qname.namespace or "", qname.localname)
    if entry is None or entry.kind.standard is not Standard.IJW:
        raise NotForVspError("the VSP-Koppeling carries iJw messages only")
    header = read_header(root, entry.kind)
    major, _, minor = entry.kind.version.partition(".")
    if not (header.sender and header.receiver and major.isdigit()):
        raise NotForVspError("the message names no Afzender or Ontvanger")
    return IjwFacts(entry.kind.message_type, int(major), int(minor or 0), header.sender, header.receiver)


_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_ULID_LENGTH = 26


def traceer_id(message_id: str) -> str:
    """The traceerId Ketenpoort sends message ``message_id`` (a ULID) under: the same 128 bits as a UUID.

    Anything but a ULID (an id from elsewhere) gets a UUID 5 of it instead, stable all the same.
    """
    value = 0
    if len(message_id) == _ULID_LENGTH and all(c in _CROCKFORD for c in message_id.upper()):
        for c in message_id.upper():
            value = value * 32 + _CROCKFORD.index(c)
        if value < 1 << 128:
            return str(uuid.UUID(int=value))
    return str(uuid.uuid5(NAMESPACE, f"traceer/{message_id}"))


def message_id_of(traceer: str) -> str | None:
    """The Ketenpoort message id a traceerId Ketenpoort sent stands for (None for a malformed UUID)."""
    try:
        value = uuid.UUID(traceer).int
    except ValueError:
        return None
    out = []
    for _ in range(_ULID_LENGTH):
        out.append(_CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(out))


def conversatie_id(message_id: str) -> str:
    """The conversatieId of the conversation a heenbericht ``message_id`` opens."""
    return str(uuid.uuid5(NAMESPACE, f"conversatie/{message_id}"))


def metadata(
    facts: IjwFacts, message_id: str, *, refers_to: str | None = None, actie: str = "Indienen"
) -> dict[str, Any]:
    """The Push API's berichtMetadata for message ``message_id`` (a retour: ``refers_to`` its heenbericht)."""
    gemeente_sends = facts.message_type in GEMEENTE_SENDS
    van, naar = ("Gemeente", "Zorgaanbieder") if gemeente_sends else ("Zorgaanbieder", "Gemeente")
    referentie: dict[str, Any] = {
        "traceerId": traceer_id(message_id),
        "conversatieId": conversatie_id(refers_to or message_id),
    }
    if refers_to is not None:
        referentie["alsAntwoordOp"] = traceer_id(refers_to)
    return {
        "routeringgegevens": {
            "afzender": {"rol": van, "code": facts.afzender},
            "geadresseerden": [{"rol": naar, "code": facts.ontvanger}],
            "berichtstroom": {
                "berichttype": facts.message_type,
                "berichtversie": facts.versie,
                "berichtsubversie": facts.subversie,
                "actie": actie,
            },
        },
        "referentiegegevens": referentie,
    }


__all__ = ["GEMEENTE_SENDS", "NAMESPACE", "IjwFacts", "NotForVspError", "conversatie_id", "message_id_of", "metadata",
           "read_ijw", "traceer_id"]  # fmt: skip
