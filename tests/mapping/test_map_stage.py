"""The map stage: one fact per Prestatie, never a BSN, the same with or without the validate stage's parse."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime

from gateway.facts import FactKind
from gateway.generate.cases import make_case
from gateway.generate.messages import jw323
from gateway.pseudonym import Pseudonymiser
from gateway.validation import inspect
from workers.stages.map import facts_of


def test_map_stage_writes_one_fact_per_prestatie() -> None:
    rng = random.Random(5)
    cases = [make_case(rng, toewijzingnummer=i, referentie=f"R{i}", gemeente=("0034", "Almere"), aanbieder="12345678")
             for i in range(25)]  # fmt: skip
    data = jw323(cases, ident="D", month=date(2025, 7, 1), dag=date(2025, 8, 4), nummer="N", rng=rng, reference="X")
    facts = facts_of(data, pseudonymiser=Pseudonymiser(b"m" * 32), received_at=datetime(2025, 8, 5, tzinfo=UTC))
    assert len(facts) == 25 and {f.kind for f in facts} == {FactKind.PRESTATIE}
    assert sum(f.bedrag_cent or 0 for f in facts) > 0
    text = repr(facts)
    assert not any(c.client.bsn in text for c in cases)
    inspection = inspect(data, rules=False)
    reused = facts_of(data, pseudonymiser=Pseudonymiser(b"m" * 32), received_at=datetime(2025, 8, 5, tzinfo=UTC),
                      inspection=inspection)  # fmt: skip
    assert reused == facts
