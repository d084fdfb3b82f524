"""JW325 rules (TR337 TR366 TR367 TR376) against a real store's history of the declaratie, on both backends.

The store holds the aanbieder's JW323 (its Identificatie, DeclaratieNummer and Prestatie facts) as
the intake and map stages leave them; the official JW325 example answers it.
"""

from __future__ import annotations

from datetime import date

import pytest
from lxml import etree

from gateway.facts import Fact, FactKind
from gateway.model import MessageStatus, Stage
from gateway.store import Store
from tests.rules.cases import clean
from tests.rules.support import fired, set_text
from tests.store.helpers import record

AANBIEDER, GEMEENTE = "65656055", "0384"
APRIL = (date(2023, 4, 1), date(2023, 4, 30))
DECLARED = [("RN001", "10072", "45A03", 5000), ("RN002", "10073", "45A04", 14000), ("RN003", "10074", "45A03", 5000)]


def _prestatie(ref: str, nummer: str, code: str, cents: int) -> Fact:
    return Fact(kind=FactKind.PRESTATIE, client="p-1", aanbieder=AANBIEDER, gemeente=GEMEENTE, productcategorie="45",
                productcode=code, cbs_hulpvorm=None, begindatum=APRIL[0], einddatum=APRIL[1], bedrag_cent=-cents,
                toewijzingnummer=nummer, referentienummer=ref)  # fmt: skip


def _declaratie(store: Store) -> None:
    """An accepted, mapped JW323 of the aanbieder: Identificatie 765432198, DeclaratieNummer DN001."""
    body = b"<jw323:Bericht><jw323:Declaratie><jw323:DeclaratieNummer>DN001</jw323:DeclaratieNummer>"
    store.intake(record("765432198", sender=AANBIEDER, receiver=GEMEENTE, payload=body, message_type="JW323"))
    job = store.claim([Stage.VALIDATE], "w", 30)
    assert job is not None
    store.finish_validate(job, MessageStatus.ACCEPTED, [], None)
    job = store.claim([Stage.MAP], "w", 30)
    assert job is not None
    store.finish_map(job, [_prestatie(*line) for line in DECLARED])


_ANTWOORD_RULES = {"TR337", "TR366", "TR367", "TR376"}


def _antwoord_findings(store: Store, root: etree._Element) -> set[tuple[str, str]]:
    return {pair for pair in fired(root, history=store.history(), message_id="m-325") if pair[0] in _ANTWOORD_RULES}


def test_the_answer_to_a_stored_declaratie_passes(store: Store) -> None:
    """The official JW325 example answers the stored JW323: none of the four rules objects."""
    _declaratie(store)
    assert _antwoord_findings(store, clean("JW325")) == set()


def test_an_answer_without_its_declaratie_fails_all_references(store: Store) -> None:
    """With no declaratie stored, identification, number and every Prestatie are unknown."""
    assert _antwoord_findings(store, clean("JW325")) == {("TR337", "0001"), ("TR376", "0001"), ("TR366", "9366")}


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        ("Header/DeclaratieIdentificatie/Identificatie", "765432199", ("TR337", "0001")),
        ("DeclaratieAntwoord/DeclaratieNummer", "DN002", ("TR376", "0001")),
        ("//Prestatie/ProductReferentie/ReferentieNummer", "RN009", ("TR366", "9366")),
        ("//Prestatie/ProductCode", "45A05", ("TR367", "9367")),
        ("//Prestatie/ToewijzingNummer", "10075", ("TR367", "9367")),
        ("//Prestatie/ProductPeriode/Einddatum", "2023-04-29", ("TR367", "9367")),
        ("//Prestatie/IngediendBedrag/DebetCredit", "D", ("TR367", "9367")),
    ],
)
def test_an_answer_that_departs_from_the_declaratie_fails_its_rule(
    store: Store, path: str, value: str, expected: tuple[str, str]
) -> None:
    """One changed reference or value in the antwoord: exactly that rule, with its retourcode."""
    _declaratie(store)
    root = clean("JW325")
    set_text(root, path, value)
    assert _antwoord_findings(store, root) == {expected}


def test_a_declaratie_of_another_aanbieder_does_not_count(store: Store) -> None:
    """The declaratie is looked up for the antwoord's Ontvanger, not for anyone."""
    _declaratie(store)
    root = clean("JW325")
    set_text(root, "Header/Ontvanger", "12345678")
    assert _antwoord_findings(store, root) == {("TR337", "0001"), ("TR376", "0001"), ("TR366", "9366")}
