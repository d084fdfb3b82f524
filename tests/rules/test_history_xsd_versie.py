"""TR371 (a JW325's XsdVersieDeclaratie is its JW323's XsdVersie) through the store, on both backends.

The aanbieder's JW301 and JW323 are submitted and run through validate and map; the gemeente's
JW325 is the gateway's own answer to that JW323 (which echoes the declaratie's XsdVersie). The
JW323 declares a BerichtXsdVersie other than the JW325's own XsdVersie, so a rule that compared
the JW325 with itself would not pass the twin. A JW325 has no retour ("n.v.t."): TR371 refuses with 0001.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta
from typing import cast

from lxml import etree

from gateway.generate.cases import PRODUCTS, make_case
from gateway.generate.messages import jw301, jw323
from gateway.model import MessageStatus
from gateway.ports import MessageHistory
from gateway.store import Store
from tests.rules.pipeline_support import verdict
from tests.rules.support import fired, set_text
from tests.store.helpers import record

TODAY = date.today()
VORIGE = (TODAY.replace(day=1) - timedelta(days=1)).replace(day=1)
INGANG = (VORIGE - timedelta(days=120)).replace(day=1)
OWN = b"<ijw:BerichtXsdVersie>1.0.0</ijw:BerichtXsdVersie>"
DECLARED = b"<ijw:BerichtXsdVersie>1.0.2</ijw:BerichtXsdVersie>"


def _antwoord(store: Store, seed: int) -> bytes:
    """The gateway's JW325 for an accepted JW323 (BerichtXsdVersie 1.0.2) of a fresh aanbieder."""
    case = make_case(random.Random(seed), toewijzingnummer=710000 + seed, referentie=f"X{seed}",
                     gemeente=("0363", "Amsterdam"), aanbieder=f"{88000000 + seed}")  # fmt: skip
    case = replace(case, product=PRODUCTS[0], ingang=INGANG, einde=INGANG + timedelta(days=700))
    declaratie = jw323([case], ident=f"D{seed}", month=VORIGE, dag=TODAY, nummer=f"N{seed}",
                       rng=random.Random(seed), reference=f"P{seed}")  # fmt: skip
    assert declaratie.count(OWN) == 1  # the header's: the body has no XsdVersie
    declaratie = declaratie.replace(OWN, DECLARED)
    status, findings, antwoord = verdict(store, [jw301(case, ident=f"T{seed}", dag=INGANG), declaratie])
    assert status is MessageStatus.ACCEPTED and findings == [], findings
    assert antwoord.count(OWN) == 1 and antwoord.count(DECLARED) == 1  # its own XsdVersie, the declaratie's
    return antwoord


def test_an_antwoord_with_another_xsd_versie_than_its_declaratie_is_rejected(store: Store) -> None:
    """XsdVersieDeclaratie 1.0.0 (the antwoord's own) against the declaratie's 1.0.2: TR371; the echo passes."""
    wrong = _antwoord(store, 1).replace(DECLARED, OWN)
    status, findings, retour = verdict(store, [wrong])
    assert (status, findings, retour) == (MessageStatus.REJECTED, [("TR371", "0001")], b"")
    status, findings, _ = verdict(store, [_antwoord(store, 2)])
    assert status is MessageStatus.ACCEPTED and findings == [], findings


class _WithoutXsdVersie:
    """A store's history that cannot tell a declaratie's XsdVersie (no DeclaratieXsdHistory)."""

    def __init__(self, inner: object) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> object:
        if name == "declaratie_xsd_versie":
            raise AttributeError(name)
        return getattr(self._inner, name)


def _tr371(root: etree._Element, history: object) -> set[tuple[str, str]]:
    found = fired(root, history=cast(MessageHistory, history), message_id="m-325")
    return {pair for pair in found if pair[0] == "TR371"}


def test_silent_when_the_history_cannot_tell(store: Store) -> None:
    """Without the extension, or against a JW323 whose XsdVersie intake could not read, TR371 does not guess."""
    wrong = etree.fromstring(_antwoord(store, 3).replace(DECLARED, OWN))
    assert _tr371(wrong, store.history()) == {("TR371", "0001")}
    assert _tr371(wrong, _WithoutXsdVersie(store.history())) == set()
    nummer = wrong.findtext("{*}Header/{*}DeclaratieIdentificatie/{*}Identificatie")
    aanbieder = wrong.findtext("{*}Header/{*}Ontvanger")
    set_text(wrong, "Header/DeclaratieIdentificatie/Identificatie", f"{nummer}u")
    unread = b"<jw323:Bericht><jw323:Header></jw323:Header></jw323:Bericht>"  # no XsdVersie to read
    store.intake(record(f"{nummer}u", sender=aanbieder, receiver="0363", payload=unread, message_type="JW323"))
    assert store.history().declaratie_xsd_versie(aanbieder or "", f"{nummer}u", None) == (None, None)  # type: ignore[attr-defined]
    assert _tr371(wrong, store.history()) == set()
