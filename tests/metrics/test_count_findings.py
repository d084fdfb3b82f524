"""ketenpoort_rule_findings_total counts every finding of a capped verdict, not only the ones kept."""

from __future__ import annotations

from prometheus_client import REGISTRY

from gateway.metrics import count_findings
from gateway.validation import validate


def _value(rule: str) -> float:
    return REGISTRY.get_sample_value("ketenpoort_rule_findings_total", {"rule": rule}) or 0.0


def test_a_flood_is_counted_whole_from_the_exact_counts() -> None:
    """With exact counts, a rule seen 5,000 times adds 5,000, and XSD types fold into one `xsd` label."""
    before_rule, before_xsd = _value("TR999"), _value("xsd")
    count_findings((), {"TR999": 5000, "xsd:SCHEMAV_CVC_PATTERN_VALID": 7, "xsd:SCHEMAV_ELEMENT_CONTENT": 3})
    assert _value("TR999") - before_rule == 5000
    assert _value("xsd") - before_xsd == 10


def test_without_counts_each_kept_finding_counts_once() -> None:
    """A verdict without counts (a refusal at intake) counts its findings one by one."""
    result = validate(b"<not-xml")
    before = _value("xml")
    count_findings(result.errors)
    assert _value("xml") - before == len(result.errors) == 1
