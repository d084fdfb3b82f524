"""mappings/corv_instanties.csv is the referentielijst's instanties with an OIN, and routing follows it."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from gateway.corv.parties import PartnersConfigError, load_instanties, load_partners
from tests.support.reference import reference_path


def test_table_agrees_with_the_latest_referentielijst() -> None:
    """Every instantie with an OINR in the August 2026 list is in our table with name and end date; nothing else is."""
    source = reference_path("stuf-jeugdzorg-1.0.9", "referentielijsten", "INS_Augustus_2026_instanties.csv")
    with source.open(encoding="utf-8", newline="") as fh:
        official = {r["OINR"]: r for r in csv.DictReader(fh) if r["OINR"].strip()}
    ours = load_instanties()
    assert set(ours) == set(official)
    for oin, row in official.items():
        assert ours[oin].code == row["IDINST"] and ours[oin].naam == row["PRESNMINST"]
        end = row["DTOPHINST"]
        assert ours[oin].einddatum == (date(int(end[:4]), int(end[4:6]), int(end[6:])) if end else None)


def test_a_current_instantie_is_served_and_a_ceased_one_is_not() -> None:
    """Routing by OIN: a Rechtbank that exists is accepted, an instantie whose DTOPHINST has passed is not."""
    partners = load_partners(None)
    assert partners.accepts_receiver("00000004000000025000", today=date(2026, 12, 1))  # Rechtbank Amsterdam
    assert not partners.accepts_receiver("00000001811773644000", today=date(2026, 12, 1))  # Intervence, ended 2021
    assert not partners.accepts_receiver("00000001999999999000")


def test_bad_partner_files_are_refused_with_the_reason(tmp_path: Path) -> None:
    """A partner without a 20-digit OIN, a bad may_send_as or an unknown key is a clear configuration error."""
    cases = {
        'receivers = ["123"]\n': "receivers",
        '[[partner]]\noin = "12"\n': "20 digits",
        '[[partner]]\noin = "00000001815095120000"\nmay_send_as = "all"\n': "may_send_as",
        '[[partner]]\noin = "00000001815095120000"\nsigend = true\n': "unknown keys",
        "not toml [": "cannot read",
    }
    for text, reason in cases.items():
        path = tmp_path / "partners.toml"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(PartnersConfigError, match=reason):
            load_partners(path)
