"""retour_for picks the right retour for every iJw heenbericht, from real inspections of real documents."""

from __future__ import annotations

from datetime import date

import pytest
from lxml import etree

from gateway.generate import large_jw323, small_jw301
from gateway.retour import retour_for
from gateway.validation import inspect
from tests.support.reference import reference_path

_ROUTES_3_2 = (
    ("JW301", "JW302"),
    ("JW305", "JW306"),
    ("JW307", "JW308"),
    ("JW317", "JW318"),
    ("JW319", "JW320"),
    ("JW323", "JW325"),
)
_ROUTES_2_3 = (("JW301", "JW302"), ("JW303", "JW304"), ("JW305", "JW306"), ("JW307", "JW308"), ("JW315", "JW316"))


def _retour_type(data: bytes) -> str:
    out = retour_for(inspect(data), today=date(2026, 11, 25), identificatie="R1")
    assert out is not None
    ns = etree.QName(etree.fromstring(out)).namespace or ""
    return ns.split("/")[-2].upper()


@pytest.mark.parametrize(("heen", "retour"), _ROUTES_3_2)
def test_3_2_heenbericht_gets_its_retour(heen: str, retour: str) -> None:
    assert _retour_type(reference_path("ijw-3.2", "berichten", f"{heen}.xml").read_bytes()) == retour


@pytest.mark.parametrize(("heen", "retour"), _ROUTES_2_3)
def test_2_3_heenbericht_gets_its_retour(heen: str, retour: str) -> None:
    assert _retour_type(reference_path("ijw-2.3", "berichten", f"{heen}.xml").read_bytes()) == retour


def test_generated_jw323_is_answered_with_a_jw325_and_jw301_with_a_jw302() -> None:
    assert _retour_type(large_jw323(prestaties=50, seed=3)) == "JW325"
    assert _retour_type(small_jw301(seed=3)) == "JW302"


@pytest.mark.parametrize("retour", ["JW302", "JW325"])
def test_a_retour_gets_no_retour(retour: str) -> None:
    assert retour_for(inspect(reference_path("ijw-3.2", "berichten", f"{retour}.xml").read_bytes())) is None
