"""extract_facts: one fact per toewijzing, start, stop and Prestatie, client pseudonymised, never a BSN."""

from __future__ import annotations

import random
import re
from datetime import UTC, date, datetime

from gateway.facts import FactKind
from gateway.generate.cases import Case, make_case
from gateway.generate.messages import jw301, jw305, jw307, jw323
from gateway.mapping import coverage_of_facts, extract_facts
from gateway.pseudonym import Pseudonymiser
from gateway.validation import inspect
from tests.support.reference import reference_path

PSEUDO = Pseudonymiser(b"k" * 32)
AT = datetime(2025, 8, 1, 12, tzinfo=UTC)


def _facts(data: bytes) -> list:  # type: ignore[type-arg]
    found = inspect(data, rules=False)
    assert found.root is not None and found.kind is not None and found.result.valid, found.result.errors
    return extract_facts(found.root, found.kind, pseudonymiser=PSEUDO, received_at=AT)


def _case(seed: int, gemeente: tuple[str, str] = ("0034", "Almere")) -> Case:
    return make_case(random.Random(seed), toewijzingnummer=1000 + seed, referentie=f"R{seed}", gemeente=gemeente)


def test_toewijzing_gives_residence_and_pseudonym() -> None:
    case = _case(1)
    (fact,) = _facts(jw301(case, ident="T1", dag=date(2025, 1, 2)))
    assert fact.kind is FactKind.TOEWIJZING
    assert fact.client == PSEUDO(case.client.bsn) and case.client.bsn not in repr(fact)
    assert (fact.gemeente, fact.aanbieder, fact.woongemeente) == ("0034", case.aanbieder, "0034")
    assert (fact.productcode, fact.productcategorie) == (case.product.code, case.product.categorie)
    assert (fact.begindatum, fact.einddatum, fact.volume) == (case.ingang, case.einde, case.volume)
    assert fact.toewijzingnummer == str(case.toewijzingnummer) and fact.declared_at == AT


def test_residence_elsewhere() -> None:
    (fact,) = _facts(jw301(_case(2, ("0363", "Amsterdam")), ident="T2", dag=date(2025, 1, 2)))
    assert (fact.gemeente, fact.woongemeente) == ("0363", "0363")


def test_start_and_stop() -> None:
    case = _case(3)
    (start,) = _facts(jw305(case, ident="S", dag=date(2025, 8, 1), begin=case.ingang))
    (stop,) = _facts(
        jw307(case, ident="E", dag=date(2025, 9, 1), begin=case.ingang, einde=date(2025, 8, 31), reden="02")
    )
    assert (start.kind, start.begindatum, start.einddatum, start.gemeente) == (
        FactKind.START,
        case.ingang,
        None,
        "0034",
    )
    assert (stop.kind, stop.einddatum, stop.aanbieder) == (FactKind.STOP, date(2025, 8, 31), case.aanbieder)
    assert start.client == stop.client == PSEUDO(case.client.bsn)


def test_one_fact_per_prestatie_with_signed_amounts_and_cbs_hulpvorm() -> None:
    rng = random.Random(7)
    aanbieder = "12345678"
    cases = [
        make_case(rng, toewijzingnummer=i, referentie=f"R{i}", gemeente=("0034", "Almere"), aanbieder=aanbieder)
        for i in range(12)
    ]
    data = jw323(cases, ident="D1", month=date(2025, 7, 1), dag=date(2025, 8, 5), nummer="N1", rng=rng, reference="X")
    facts = _facts(data)
    assert len(facts) == 12
    assert {f.kind for f in facts} == {FactKind.PRESTATIE}
    assert all(f.bedrag_cent and f.bedrag_cent > 0 and f.volume for f in facts)
    for fact, case in zip(facts, cases, strict=True):
        assert fact.productcode == case.product.code and fact.client == PSEUDO(case.client.bsn)
        expected = {"45": "02", "43": "14", "41": "03", "40": "04", "44": "14"}.get(case.product.categorie)
        if case.product.code in ("43A01", "44A01", "45A03", "45A04", "41A03", "40A03"):
            assert fact.cbs_hulpvorm is not None
        if case.product.categorie in ("42", "47"):
            assert fact.cbs_hulpvorm is None, case.product.code
        elif expected == "02":
            assert fact.cbs_hulpvorm == "02"
    rows, seen, uncoded = coverage_of_facts(facts)
    assert seen == 12 and uncoded == sum(1 for c in cases if c.product.categorie in ("42", "47"))
    assert all(r.aanbieder == aanbieder and r.productcode[:2] in ("42", "47") for r in rows)


def test_official_examples() -> None:
    for version in ("ijw-3.2",):
        base = reference_path(version, "berichten")
        facts = _facts((base / "JW323.xml").read_bytes())
        assert [f.referentienummer for f in facts][:2] == ["RN001", "RN002"]
        assert all(f.aanbieder == "65656055" and f.gemeente == "0384" for f in facts)
        assert all("99990" not in f.client for f in facts)
        assert sum(1 for f in _facts((base / "JW305.xml").read_bytes())) == 2
        assert [f.einddatum for f in _facts((base / "JW307.xml").read_bytes())] == [date(2026, 7, 17)] * 2
        toew = _facts((base / "JW301.xml").read_bytes())
        assert len(toew) == 2 and all(f.woongemeente is None for f in toew)  # no BRP address (Soort 01) in it


def test_credit_lines_are_negative() -> None:
    data = reference_path("ijw-3.2", "berichten", "JW323.xml").read_bytes()
    credited = re.sub(rb"(<ijw:Bedrag>5000</ijw:Bedrag>\s*<ijw:DebetCredit>)D", rb"\1C", data, count=1)
    assert credited != data
    found = inspect(credited, rules=False)
    assert found.root is not None and found.kind is not None
    facts = extract_facts(found.root, found.kind, pseudonymiser=PSEUDO, received_at=AT)
    assert facts[0].bedrag_cent == -5000


def test_ijw23_declaratie_lines_are_prestatie_facts() -> None:
    data = reference_path("ijw-2.3", "berichten", "JW303.xml").read_bytes()
    found = inspect(data, rules=False)
    assert found.root is not None and found.kind is not None and found.kind.message_type == "JW303"
    facts = extract_facts(found.root, found.kind, pseudonymiser=PSEUDO, received_at=AT)
    assert len(facts) == data.count(b"<jw303:Prestatie>")
    assert {(f.aanbieder, f.gemeente) for f in facts} == {("42420001", "0384")}
    first = facts[0]
    assert (first.productcode, first.volume, first.eenheid, first.bedrag_cent) == ("ABCDE", 4, "21", 990000)
    assert first.cbs_hulpvorm is None  # not a national code
    assert all("123456782" not in f.client for f in facts)
