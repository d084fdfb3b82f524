"""iJw traffic: every builder valid against ours and the official XSD, faults give exactly the expected verdict."""

from __future__ import annotations

import collections

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from gateway.bsn import is_valid_bsn
from gateway.generate import ijw_message, ijw_traffic
from gateway.generate.traffic import FAULTS, TYPES, WEIGHTS, Fault, TrafficMessage, ijw23_jw303
from gateway.model import ValidationResult
from gateway.schemas import BUNDLED_SCHEMAS
from gateway.validation import validate
from tests.support.reference import reference_path
from tests.support.xsd import SchemaPairs, compile_xsd, schema_pairs

OURS = BUNDLED_SCHEMAS / "ijw" / "3.2"
Schemas = SchemaPairs


@pytest.fixture(scope="module")
def schemas() -> Schemas:
    return schema_pairs(OURS, reference_path("ijw-3.2", "xsd"), TYPES)


@pytest.fixture(scope="module")
def stream() -> list[TrafficMessage]:
    return list(ijw_traffic(700, seed=11, invalid_ratio=0.35))


def _matches(expected_kind: str | None, expected_rule: str | None, result: ValidationResult) -> bool:
    kinds = {e.kind for e in result.errors}
    rules = {e.rule for e in result.errors}
    return not result.valid and kinds == {expected_kind} and (expected_rule is None or rules == {expected_rule})


@pytest.mark.parametrize("message_type", TYPES)
@pytest.mark.parametrize("seed", range(8))
def test_builder_valid_against_both_schemas_and_rules(message_type: str, seed: int, schemas: Schemas) -> None:
    data = ijw_message(message_type, seed)
    doc = etree.fromstring(data)
    ours, official = schemas[message_type]
    assert official.validate(doc), official.error_log
    assert ours.validate(doc), ours.error_log
    result = validate(data)
    assert result.valid, result.errors
    assert result.message_type == message_type
    assert all(is_valid_bsn(el.text or "") for el in doc.iter("{*}Bsn"))


@pytest.mark.parametrize("message_type", TYPES)
def test_builder_same_seed_same_bytes(message_type: str) -> None:
    assert ijw_message(message_type, 5) == ijw_message(message_type, 5)
    assert ijw_message(message_type, 5) != ijw_message(message_type, 6)


def test_unknown_type_is_refused() -> None:
    with pytest.raises(ValueError, match="JW999"):
        ijw_message("JW999")
    with pytest.raises(ValueError, match="JW999"):
        next(ijw_traffic(1, types=("JW999",)))
    with pytest.raises(ValueError, match="invalid_ratio"):
        next(ijw_traffic(1, invalid_ratio=1.5))


def test_stream_gets_exactly_the_expected_verdicts(stream: list[TrafficMessage]) -> None:
    wrong = []
    for message in stream:
        result = validate(message.data)
        exp = message.expected
        ok = result.valid if exp.valid else _matches(exp.kind, exp.rule, result)
        if not ok:
            wrong.append((message.name, [(e.kind, e.rule) for e in result.errors]))
    assert not wrong


def test_stream_mixes_types_faults_and_parties(stream: list[TrafficMessage]) -> None:
    assert {m.message_type for m in stream} == set(TYPES)
    assert {m.expected.fault for m in stream} == {None} | {f.name for f in FAULTS}
    invalid = sum(not m.expected.valid for m in stream)
    assert 0.25 * len(stream) < invalid < 0.45 * len(stream)
    senders: set[bytes] = set()
    receivers: set[bytes] = set()
    for m in stream:
        if m.expected.fault != "not-well-formed":
            root = etree.fromstring(m.data)
            senders.add(root.findtext("{*}Header/{*}Afzender").encode())
            receivers.add(root.findtext("{*}Header/{*}Ontvanger").encode())
    assert len(senders) >= 8  # aanbieders and gemeenten both send
    assert len(receivers) >= 8
    counts = collections.Counter(m.message_type for m in stream)
    assert counts.most_common(1)[0][0] == max(WEIGHTS, key=lambda t: WEIGHTS[t])


def test_valid_stream_messages_pass_official_xsd_and_xsd_faults_fail_it(
    stream: list[TrafficMessage], schemas: Schemas
) -> None:
    for message in stream:
        if message.expected.kind == "xml":
            with pytest.raises(etree.XMLSyntaxError):
                etree.fromstring(message.data)
            continue
        official = schemas[message.message_type][1]
        assert official.validate(etree.fromstring(message.data)) == (message.expected.kind != "xsd"), message.name


def test_identifications_and_references_never_repeat(stream: list[TrafficMessage]) -> None:
    seen: dict[str, set[str]] = {"Identificatie": set(), "DeclaratieNummer": set(), "ReferentieNummer": set()}
    for message in stream:
        if message.expected.fault == "not-well-formed":
            continue
        root = etree.fromstring(message.data)
        for name, values in seen.items():
            for el in root.iter("{*}" + name):
                assert el.text not in values, (name, message.name)
                values.add(el.text or "")
    assert len(seen["Identificatie"]) == sum(m.expected.fault != "not-well-formed" for m in stream)


def test_valid_stream_bsns_pass_the_elfproef(stream: list[TrafficMessage]) -> None:
    for message in stream:
        if message.expected.valid:
            root = etree.fromstring(message.data)
            assert all(is_valid_bsn(el.text or "") for el in root.iter("{*}Bsn"))


def test_same_seed_same_stream_other_seed_other_stream() -> None:
    first = [(m.name, m.data) for m in ijw_traffic(60, seed=3, invalid_ratio=0.2)]
    assert first == [(m.name, m.data) for m in ijw_traffic(60, seed=3, invalid_ratio=0.2)]
    assert first != [(m.name, m.data) for m in ijw_traffic(60, seed=4, invalid_ratio=0.2)]


def test_ratio_bounds_and_type_filter() -> None:
    assert all(m.expected.valid for m in ijw_traffic(50, seed=1, invalid_ratio=0.0))
    assert not any(m.expected.valid for m in ijw_traffic(50, seed=1, invalid_ratio=1.0))
    only = list(ijw_traffic(20, seed=2, types=("JW305", "JW307")))
    assert {m.message_type for m in only} == {"JW305", "JW307"}


@pytest.mark.parametrize("fault", FAULTS, ids=lambda f: f.name)
def test_every_fault_on_every_type_it_applies_to(fault: Fault) -> None:
    for message_type in sorted(fault.applies):
        data = fault.apply(ijw_message(message_type, 2), message_type)
        result = validate(data)
        exp = fault.expected
        assert _matches(exp.kind, exp.rule, result), (message_type, [(e.kind, e.rule) for e in result.errors])


@pytest.mark.parametrize("seed", range(4))
def test_ijw23_jw303_valid_against_both_schemas_and_rules(seed: int) -> None:
    official = compile_xsd(reference_path("ijw-2.3", "xsd") / "JW303.xsd")
    ours = compile_xsd(BUNDLED_SCHEMAS / "ijw" / "2.3" / "JW303.xsd")
    data = ijw23_jw303(seed, clients=seed + 1)
    doc = etree.fromstring(data)
    assert official.validate(doc), official.error_log
    assert ours.validate(doc), ours.error_log
    result = validate(data)
    assert result.valid, result.errors
    assert (result.message_type, result.version) == ("JW303", "2.3")
    assert len(list(doc.iter("{*}Prestatie"))) == seed + 1
    bedragen = [int(el.findtext("{*}Bedrag") or 0) for el in doc.iter("{*}DeclaratieFactuurBedrag")]
    assert int(doc.findtext(".//{*}DeclaratieFactuurTotaalBedrag/{*}TotaalBedrag") or -1) == sum(bedragen)
    assert ijw23_jw303(seed, clients=seed + 1) == data
    broken = FAULTS[3].apply(data, "JW303")
    assert FAULTS[3].name == "bsn-elfproef"
    assert _matches("rule", "CS002", validate(broken))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(min_value=0, max_value=10**9),
    message_type=st.sampled_from(TYPES),
    fault_index=st.integers(min_value=-1, max_value=len(FAULTS) - 1),
)
def test_any_seed_valid_or_exactly_the_injected_fault(seed: int, message_type: str, fault_index: int) -> None:
    data = ijw_message(message_type, seed)
    if fault_index < 0 or message_type not in FAULTS[fault_index].applies:
        result = validate(data)
        assert result.valid, [(e.kind, e.rule, e.message) for e in result.errors]
        return
    fault = FAULTS[fault_index]
    result = validate(fault.apply(data, message_type))
    assert _matches(fault.expected.kind, fault.expected.rule, result), [(e.kind, e.rule) for e in result.errors]
