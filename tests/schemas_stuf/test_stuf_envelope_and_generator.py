"""The bundled StUF-JZ envelope against the official 1.0.9 package, and the StUF generator."""

from __future__ import annotations

import copy
import csv
import random
from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from gateway.bsn import is_valid_bsn
from gateway.generate.stuf import (
    STUF_DI01_ROOTS,
    STUF_NS,
    build_bv03,
    build_fo03,
    generate_di01,
    stuf_traffic,
)
from gateway.schemas import BUNDLED_SCHEMAS, SchemaRegistry
from gateway.validation import validate
from tests.support.reference import reference_path

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
_S = f"{{{STUF_NS}}}"
Verdict = Callable[[bytes], bool]


def _official_dir() -> Path:
    return reference_path("stuf-jeugdzorg-1.0.9", "xsd")


def _verdict_with(registry: SchemaRegistry) -> Verdict:
    def verdict(data: bytes) -> bool:
        root = etree.fromstring(data, _PARSER)
        entry = registry.lookup(etree.QName(root).namespace or "", etree.QName(root).localname)
        assert entry is not None, etree.QName(root).localname
        return bool(registry.schema_for(entry).validate(root))

    return verdict


@pytest.fixture(scope="module")
def official() -> Verdict:
    return _verdict_with(SchemaRegistry([_official_dir()], bundled=None))


@pytest.fixture(scope="module")
def ours() -> Verdict:
    registry = SchemaRegistry(bundled=BUNDLED_SCHEMAS)
    for root in STUF_DI01_ROOTS:
        entry = registry.lookup("http://www.stufstandaarden.nl/koppelvlak/jz0100", root)
        assert entry is not None and entry.package == BUNDLED_SCHEMAS
    return _verdict_with(registry)


@pytest.fixture(scope="module")
def reference_oins() -> list[str]:
    """OINs of the instanties in the official reference list (read at test time, never vendored)."""
    path = reference_path("stuf-jeugdzorg-1.0.9", "referentielijsten", "INS_Augustus_2026_instanties.csv")
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        oins = sorted({row["OINR"].strip() for row in csv.DictReader(handle) if row.get("OINR", "").strip()})
    assert len(oins) >= 10
    return oins


def _corpus(oins: list[str]) -> list[tuple[str, bytes]]:
    messages = list(stuf_traffic(120, seed=109, oins=oins))
    for i in range(5):
        zender, ontvanger = oins[i], oins[-1 - i]
        messages.append(
            (
                f"bv03-{i}",
                build_bv03(
                    zender_oin=zender, ontvanger_oin=ontvanger, referentienummer=f"BV{i}", cross_refnummer=f"KP{i}"
                ),
            )
        )
        messages.append(
            (
                f"fo03-{i}",
                build_fo03(
                    zender_oin=zender, ontvanger_oin=ontvanger, referentienummer=f"FO{i}", cross_refnummer=f"KP{i}"
                ),
            )
        )
    return messages


def test_generated_traffic_is_valid_officially_and_for_our_envelope(
    official: Verdict, ours: Verdict, reference_oins: list[str]
) -> None:
    corpus = _corpus(reference_oins)
    roots = {etree.QName(etree.fromstring(data, _PARSER)).localname for _, data in corpus}
    assert set(STUF_DI01_ROOTS) | {"Bv03Bericht", "Fo03Bericht"} <= roots
    officially_invalid = [name for name, data in corpus if not official(data)]
    assert officially_invalid == []
    assert [name for name, data in corpus if not ours(data)] == []


def _mutate(data: bytes, action: Callable[[etree._Element], None]) -> bytes:
    root = copy.deepcopy(etree.fromstring(data, _PARSER))
    action(root.find(f"{{{root.nsmap['JZ']}}}stuurgegevens") if "JZ" in root.nsmap else root.find(f"{_S}stuurgegevens"))
    return etree.tostring(root)


def _drop(name: str) -> Callable[[etree._Element], None]:
    def action(stuurgegevens: etree._Element) -> None:
        target = stuurgegevens.find(f".//{_S}{name}")
        assert target is not None, name
        target.getparent().remove(target)

    return action


def _set(name: str, value: str) -> Callable[[etree._Element], None]:
    def action(stuurgegevens: etree._Element) -> None:
        target = stuurgegevens.find(f".//{_S}{name}")
        assert target is not None, name
        target.text = value

    return action


def _swap_zender_ontvanger_order(stuurgegevens: etree._Element) -> None:
    zender = stuurgegevens.find(f"{_S}zender")
    ontvanger = stuurgegevens.find(f"{_S}ontvanger")
    assert zender is not None and ontvanger is not None
    stuurgegevens.remove(zender)
    ontvanger.addnext(zender)


ENVELOPE_BREAKS: dict[str, Callable[[etree._Element], None]] = {
    "berichtcode missing": _drop("berichtcode"),
    "berichtcode Lk01": _set("berichtcode", "Lk01"),
    "berichtcode Du01": _set("berichtcode", "Du01"),
    "zender missing": _drop("zender"),
    "ontvanger missing": _drop("ontvanger"),
    "zender/ontvanger swapped": _swap_zender_ontvanger_order,
    "referentienummer missing": _drop("referentienummer"),
    "referentienummer too long": _set("referentienummer", "R" * 41),
    "tijdstipBericht missing": _drop("tijdstipBericht"),
    "tijdstipBericht ISO": _set("tijdstipBericht", "2026-01-15T09:30:00"),
    "tijdstipBericht letters": _set("tijdstipBericht", "gisteren"),
}


@pytest.mark.parametrize("root", sorted(STUF_DI01_ROOTS))
def test_broken_stuurgegevens_rejected_by_both(root: str, official: Verdict, ours: Verdict) -> None:
    _, _, data = generate_di01(root, random.Random(root), sequence=1)
    assert official(data) and ours(data)
    accepted = {}
    for label, action in {**ENVELOPE_BREAKS, "berichtcode empty": _set("berichtcode", "")}.items():
        mutant = _mutate(data, action)
        accepted[label] = (official(mutant), ours(mutant))
    assert {label: v for label, v in accepted.items() if v != (False, False)} == {}


@pytest.mark.parametrize("kind", ["Bv03", "Fo03"])
def test_broken_acknowledgement_stuurgegevens_rejected_by_both(kind: str, official: Verdict, ours: Verdict) -> None:
    builder = build_bv03 if kind == "Bv03" else build_fo03
    data = builder(
        zender_oin="00000001823288444000",
        ontvanger_oin="00000004000000059000",
        referentienummer="R1",
        cross_refnummer="R0",
    )
    assert official(data) and ours(data)
    for label, action in ENVELOPE_BREAKS.items():
        mutant = _mutate(data, action)
        assert (official(mutant), ours(mutant)) == (False, False), label
    # Officially the reply's berichtcode is fixed: an empty one takes the fixed value and is valid.
    empty = _mutate(data, _set("berichtcode", ""))
    assert (official(empty), ours(empty)) == (True, True)


def _break_body(data: bytes) -> bytes:
    """Rename the first element inside the body object: only the official schema looks there."""
    root = etree.fromstring(data, _PARSER)
    obj = root.find(f"{{{root.nsmap['JZ']}}}object")
    assert obj is not None
    first = next(child for child in obj if isinstance(child.tag, str))
    first.tag = f"{{{etree.QName(first).namespace}}}nietBestaandElement"
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


@pytest.mark.parametrize("root", ["vtoDi01", "vtMeldingDi01", "vcobDi01", "meldingGeneriekDi01"])
def test_official_package_wins_and_catches_body_errors(root: str, official: Verdict, ours: Verdict) -> None:
    _, _, data = generate_di01(root, random.Random(7), sequence=2)
    broken = _break_body(data)
    assert ours(broken) is True
    assert official(broken) is False
    bundled_only = validate(broken, registry=SchemaRegistry(bundled=BUNDLED_SCHEMAS), rules=False)
    assert bundled_only.valid and bundled_only.message_type == root
    combined = SchemaRegistry([_official_dir()], bundled=BUNDLED_SCHEMAS)
    entry = combined.lookup("http://www.stufstandaarden.nl/koppelvlak/jz0100", root)
    assert entry is not None and entry.package == _official_dir()
    result = validate(broken, registry=combined, rules=False)
    assert not result.valid
    assert result.message_type == root and result.version == "1.0.9"
    assert any(e.kind == "xsd" and "nietBestaandElement" in e.message for e in result.errors)
    assert validate(data, registry=combined, rules=False).valid


def test_traffic_is_deterministic_with_unique_referentienummers_and_exact_duplicates() -> None:
    first = list(stuf_traffic(400, seed=5, duplicate_ratio=0.05))
    assert first == list(stuf_traffic(400, seed=5, duplicate_ratio=0.05))
    assert first != list(stuf_traffic(400, seed=6, duplicate_ratio=0.05))
    assert len({name for name, _ in first}) == 400
    keys: dict[tuple[str, str], bytes] = {}
    duplicates = 0
    for name, data in first:
        root = etree.fromstring(data, _PARSER)
        zender = root.findtext(f".//{_S}zender/{_S}organisatie") or ""
        ref = root.findtext(f".//{_S}referentienummer") or ""
        if (zender, ref) in keys:
            duplicates += 1
            assert name.endswith("-dup.xml")
            assert keys[(zender, ref)] == data
        else:
            assert not name.endswith("-dup.xml")
            keys[(zender, ref)] = data
    assert 5 <= duplicates <= 40
    assert len({ref for _, ref in keys}) == len(keys)  # referentienummers unique across zenders too
    assert not any(name.endswith("-dup.xml") for name, _ in stuf_traffic(100, seed=5, duplicate_ratio=0.0))


def test_generated_bsns_pass_the_elfproef_and_zender_differs_from_ontvanger() -> None:
    bsns = []
    for index, root in enumerate(sorted(STUF_DI01_ROOTS) * 4):
        zender, _, data = generate_di01(root, random.Random(index), sequence=index)
        doc = etree.fromstring(data, _PARSER)
        assert doc.findtext(f".//{_S}ontvanger/{_S}organisatie") != zender
        bsns += [el.text or "" for el in doc.iter("{http://www.egem.nl/StUF/sector/bg/0310}inp.bsn")]
    assert len(bsns) >= 12
    assert all(is_valid_bsn(b) for b in bsns)
