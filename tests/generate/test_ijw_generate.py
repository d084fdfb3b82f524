"""The iJw 3.2 generator: deterministic, valid against ours and the official XSD, business-plausible content."""

from __future__ import annotations

import pytest
from lxml import etree

from gateway.bsn import is_valid_bsn
from gateway.generate import large_jw323, small_jw301
from gateway.schemas import BUNDLED_SCHEMAS
from tests.support.reference import reference_path
from tests.support.xsd import schema_pairs

OURS = BUNDLED_SCHEMAS / "ijw" / "3.2"


@pytest.fixture(scope="module")
def schemas() -> dict[str, tuple[etree.XMLSchema, etree.XMLSchema]]:
    return schema_pairs(OURS, reference_path("ijw-3.2", "xsd"), ("JW301", "JW323"))


@pytest.mark.parametrize("seed", range(20))
def test_small_jw301_valid_against_both(seed: int, schemas: dict[str, tuple[etree.XMLSchema, etree.XMLSchema]]) -> None:
    doc = etree.fromstring(small_jw301(seed))
    ours, official = schemas["JW301"]
    assert official.validate(doc), official.error_log
    assert ours.validate(doc), ours.error_log
    assert all(is_valid_bsn(el.text or "") for el in doc.iter("{*}Bsn"))


@pytest.mark.parametrize(("prestaties", "seed"), [(1, 0), (7, 3), (250, 11)])
def test_large_jw323_valid_and_adds_up(
    prestaties: int, seed: int, schemas: dict[str, tuple[etree.XMLSchema, etree.XMLSchema]]
) -> None:
    doc = etree.fromstring(large_jw323(prestaties, seed))
    ours, official = schemas["JW323"]
    assert official.validate(doc), official.error_log
    assert ours.validate(doc), ours.error_log
    lines = list(doc.iter("{*}Prestatie"))
    assert len(lines) == prestaties
    total = sum(int(el.findtext("{*}IngediendBedrag/{*}Bedrag") or "0") for el in lines)
    assert int(doc.findtext(".//{*}TotaalIngediendBedrag/{*}TotaalBedrag") or "-1") == total
    refs = [el.findtext("{*}ProductReferentie/{*}ReferentieNummer") for el in lines]
    assert len(set(refs)) == len(refs)
    assert all(is_valid_bsn(el.text or "") for el in doc.iter("{*}Bsn"))


def test_same_seed_same_bytes_other_seed_other_bytes() -> None:
    assert small_jw301(5) == small_jw301(5)
    assert small_jw301(5) != small_jw301(6)
    assert large_jw323(40, seed=9) == large_jw323(40, seed=9)
    assert large_jw323(40, seed=9) != large_jw323(40, seed=10)


@pytest.mark.parametrize("seed", range(10))
def test_generated_messages_pass_the_business_rules(seed: int) -> None:
    from gateway import validate

    for data in (small_jw301(seed), large_jw323(30, seed)):
        result = validate(data)
        assert result.valid, result.errors[:3]
