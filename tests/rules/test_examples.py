"""Which rules fire on the official example messages that are valid against the official XSD.

The expected table is checked against the rule texts (see the comments): the examples use test
BSNs (999900006, 999900018) that pass the elfproef, and the standard only exempts test BSNs
*that pass it* (docs/elfproef.md), so CS002 holds them to the same proef and does not fire.
"""

from __future__ import annotations

from functools import cache

import pytest
from lxml import etree

from tests.rules.support import check, example
from tests.support.reference import reference_path

NOTHING: tuple[tuple[str, str, str], ...] = ()

EXPECTED_3_2: dict[str, tuple[tuple[str, str, str], ...] | None] = {
    "JW301": NOTHING,
    "JW302": NOTHING,
    "JW305": NOTHING,
    "JW306": NOTHING,
    "JW307": NOTHING,
    "JW308": NOTHING,
    "JW315": None,  # not XSD-valid (ToewijzingEinddatum 2027-06-31 does not exist): rules never run
    "JW316": NOTHING,
    # NieuwProduct: GewensteIngangsdatum 2026-11-01, Einddatum 2024-02-28; CS003 (JW317.NieuwProduct.Einddatum):
    # "vullen met een waarde die groter is dan, of gelijk is aan de Begindatum (of Ingangsdatum)".
    "JW317": (("CS003", "0001", "/Bericht/Client/Verzoek/NieuweProducten/NieuwProduct/Einddatum"),),
    "JW318": None,  # not XSD-valid
    "JW319": NOTHING,  # VerzoekAntwoord 1, reden 8 with Woonplaatsbeginsel: TR377, CD085 satisfied
    "JW320": NOTHING,
    "JW323": (
        # RN002 (client 1) and RN004 (client 2) are both debet on ToewijzingNummer 10073, 45/45A04, April 2026:
        # TR416 allows only one debet per ToewijzingNummer, ProductCategorie, ProductCode and ProductPeriode.
        ("TR416", "0001", "/Bericht/Declaratie/Clienten/Client[2]/Prestaties/Prestatie[2]"),
        # RN004 is used for two Prestaties of client 2: TR314, ReferentieNummer unique "binnen één bericht".
        (
            "TR314",
            "8021",
            "/Bericht/Declaratie/Clienten/Client[2]/Prestaties/Prestatie[3]/ProductReferentie/ReferentieNummer",
        ),
    ),
    "JW325": NOTHING,
}
EXPECTED_2_3: dict[str, tuple[tuple[str, str, str], ...] | None] = dict.fromkeys(
    ("JW301", "JW302", "JW303", "JW304", "JW305", "JW306", "JW307", "JW308", "JW315", "JW316"), NOTHING
)


@cache
def _schema(version: str, message_type: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(reference_path(f"ijw-{version}", "xsd", f"{message_type}.xsd"))))


@pytest.mark.parametrize(
    ("version", "message_type", "expected"),
    [("3.2", k, v) for k, v in EXPECTED_3_2.items()] + [("2.3", k, v) for k, v in EXPECTED_2_3.items()],
)
def test_rules_on_official_examples(
    version: str, message_type: str, expected: tuple[tuple[str, str, str], ...] | None
) -> None:
    root = example(message_type, version)
    valid = _schema(version, message_type).validate(root)
    assert valid == (expected is not None), "the table records which examples the official XSD accepts"
    if expected is None:
        return
    found = tuple((f.rule, f.retourcode, f.path) for f in check(root))
    assert sorted(found) == sorted(expected)  # type: ignore[arg-type]


def test_table_covers_every_example() -> None:
    for version, table in (("3.2", EXPECTED_3_2), ("2.3", EXPECTED_2_3)):
        names = {p.stem for p in reference_path(f"ijw-{version}", "berichten").glob("*.xml")}
        assert names == set(table), version
