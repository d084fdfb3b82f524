"""GGk test documents: envelopes around generated iJw messages, SOAP requests, a rule-breaking JW323."""

from __future__ import annotations

import re
import uuid

from lxml import etree

from gateway.generate import large_jw323, small_jw301
from gateway.ggk.envelope import ACTION_DI01, Party, Versions, build_envelope
from gateway.soap import envelope

GEMEENTE = "0034"
AANBIEDER = "70329669"
VERSIONS = Versions("0001", "0000", "0003", "0002")


def jw301(seed: int = 1) -> bytes:
    """A clean JW301 from gemeente 0034 (the generator's) to its aanbieder."""
    return small_jw301(seed)


def parties(payload: bytes) -> tuple[str, str]:
    """(Afzender, Ontvanger) of an iJw message."""
    text = payload.decode()
    found = dict(re.findall(r"<jw\d+:(Afzender|Ontvanger)>([^<]*)<", text))
    return found["Afzender"], found["Ontvanger"]


def functie(payload: bytes) -> str:
    """JW301, JW323, ... of an iJw message."""
    match = re.search(rb"/ijw/3_2/(jw\d{3})/schema", payload)
    assert match is not None
    return match.group(1).decode().upper()


def bad_jw323(seed: int = 1) -> bytes:
    """A JW323 whose TotaalBedrag disagrees with its prestaties: valid XSD, a business-rule violation."""
    data = large_jw323(prestaties=2, seed=seed)
    return re.sub(
        rb"(<ijw:TotaalBedrag>)(\d+)(<)",
        lambda m: m.group(1) + str(int(m.group(2)) + 1).encode() + m.group(3),
        data,
        count=1,
    )


def di01(
    payload: bytes, *, ref: str | None = None, zender: str | None = None, functie_name: str | None = None
) -> etree._Element:
    """A ggk_Di01 around ``payload`` from its Afzender to its Ontvanger."""
    afzender, ontvanger = parties(payload)
    return build_envelope(
        "Di01",
        zender=Party(zender or afzender, "Backoffice"),
        ontvanger=Party(ontvanger, "GGk"),
        referentienummer=ref or str(uuid.uuid4()),
        functie=functie_name or functie(payload),
        versions=VERSIONS,
        payload=payload,
    )


def soap(body: etree._Element | bytes) -> bytes:
    """``body`` in a SOAP 1.1 envelope."""
    return envelope(body)


def headers(token: str, action: str = ACTION_DI01) -> dict[str, str]:
    """A SOAP 1.1 request's headers with a Bearer token."""
    return {"Authorization": f"Bearer {token}", "Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{action}"'}


__all__ = ["AANBIEDER", "GEMEENTE", "VERSIONS", "bad_jw323", "di01", "functie", "headers", "jw301", "parties", "soap"]
