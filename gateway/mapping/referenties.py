"""Referentie facts of the verzoek/antwoord exchange, for TR347, TR355, TR359, TR360, TR365, TR374 and TR379.

A JW315 gives one ``verzoek`` fact per AangevraagdProduct, a JW317 one for its Verzoek, a JW319 one
``antwoord`` fact (VerzoekAntwoord in ``reden``; the antwoord names no client, so ``client`` is
empty). They carry no product, so reconciliation and mapping coverage, which count facts with a
productcode, pass over them. The ReferentieAanbieder of a JW301 is already on its toewijzing facts
(``referentienummer``). Clients become keyed pseudonyms here, as in :func:`gateway.mapping.extract_facts`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from lxml import etree

from gateway.facts import Fact, FactKind
from gateway.mapping.tables import normalise_gemeente
from gateway.model import MessageKind
from gateway.standards.ijw import read_header

_ITEMS = {"JW315": "AangevraagdProduct", "JW317": "Verzoek"}


def _gemeente(code: str | None) -> str:
    try:
        return normalise_gemeente(code or "")
    except ValueError:
        return code or ""


def _text(element: etree._Element, name: str) -> str:
    found = element.find("{*}" + name)
    return "" if found is None else (found.text or "").strip()


def _fact(kind: FactKind, client: str, parties: tuple[str, str], referentie: str, when: datetime, *,
          antwoord: str | None = None) -> Fact:  # fmt: skip
    aanbieder, gemeente = parties
    return Fact(kind=kind, client=client, aanbieder=aanbieder, gemeente=gemeente, productcategorie=None,
                productcode=None, cbs_hulpvorm=None, begindatum=when.date(), einddatum=None,
                referentienummer=referentie, declared_at=when, reden=antwoord)  # fmt: skip


def extract_referenties(
    root: etree._Element, kind: MessageKind, *, pseudonymiser: Callable[[str], str], received_at: datetime
) -> list[Fact]:
    """The verzoek facts of a JW315/JW317 and the antwoord fact of a JW319; empty for every other type."""
    message_type = kind.message_type.upper()
    if kind.version.startswith("2") or message_type not in ("JW315", "JW317", "JW319"):
        return []
    header = read_header(root)
    if message_type == "JW319":
        antwoord = root.find("{*}Antwoord")
        referentie = "" if antwoord is None else _text(antwoord, "ReferentieAanbieder")
        if antwoord is None or not referentie:
            return []
        parties = (header.receiver or "", _gemeente(header.sender))
        return [_fact(FactKind.ANTWOORD, "", parties, referentie, received_at,
                      antwoord=_text(antwoord, "VerzoekAntwoord") or None)]  # fmt: skip
    parties = (header.sender or "", _gemeente(header.receiver))
    out: list[Fact] = []
    for client in root.iter("{*}Client"):
        bsn = _text(client, "Bsn")
        if not bsn:
            continue
        pseudonym = pseudonymiser(bsn)
        for item in client.iter("{*}" + _ITEMS[message_type]):
            referentie = _text(item, "ReferentieAanbieder")
            if referentie:
                out.append(_fact(FactKind.VERZOEK, pseudonym, parties, referentie, received_at))
    return out


__all__ = ["extract_referenties"]
