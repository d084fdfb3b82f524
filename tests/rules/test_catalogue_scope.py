"""Each rule runs on the message types the catalogue's "Gebruik in berichten" names, or says why it runs on more.

The technische regels list their messages under "Gebruik in berichten" (the xslt pages in iWmo codes:
WMO3xx is JW3xx); the constraints document names one "Bericht" per occurrence. iJw 2.3 types (JW303,
JW304) are no 3.2 messages and are left out of the comparison.
"""

from __future__ import annotations

import re

import pytest

from gateway.rules import RULES
from tests.support.reference import reference_path

_ONLY_2_3 = frozenset({"JW303", "JW304"})
_RETOUREN = frozenset({"JW302", "JW306", "JW308", "JW316", "JW318", "JW320"})

BEYOND: dict[str, frozenset[str]] = {
    "CS015": _RETOUREN,
    "CS025": _RETOUREN,
    "TR135": _RETOUREN,
    "TR378": _RETOUREN,
    "TR018": frozenset(RULES["TR018"].message_types) - {"JW307"} - _ONLY_2_3,
}
"""Where the registry applies a rule to more types than the catalogue; each rule's docstring says why."""


def _catalogue_usage() -> dict[str, set[str]]:
    regels = reference_path("ijw-3.2", "docs", "regels")
    usage: dict[str, set[str]] = {}
    for page in (regels / "technische-regels").rglob("TR*.md"):
        section = re.search(r"## Gebruik in berichten\n(.*?)\n---", page.read_text(encoding="utf-8"), re.S)
        assert section is not None, page
        usage[page.stem] = {"JW" + n for n in re.findall(r"^-\s*(?:WMO|JW)(\d{3})\s*$", section.group(1), re.M)}
        assert usage[page.stem], page
    text = (regels / "condities-constraints" / "Condities_constraints_per_data-element.md").read_text(encoding="utf-8")
    for section in re.split(r"^# Regel ", text, flags=re.M)[1:]:
        rule_id = section.split()[0]
        if rule_id.startswith(("CS", "CD")):
            found = re.findall(r"^- Bericht: (?:WMO|JW)(\d{3})\s*$", section, re.M)
            usage.setdefault(rule_id, set()).update("JW" + n for n in found)
    return usage


USAGE = _catalogue_usage()
RULES_3_2 = sorted(r for r, rule in RULES.items() if "3.2" in rule.versions)


def test_the_catalogue_was_read() -> None:
    """Every 3.2 rule has a catalogue usage, and a known one reads as documented (TR101: seven messages)."""
    assert set(RULES_3_2) <= set(USAGE)
    assert USAGE["TR101"] == {"JW301", "JW305", "JW307", "JW315", "JW317", "JW323", "JW325"}
    assert USAGE["CS003"] == {"JW301", "JW315", "JW317"}


@pytest.mark.parametrize("rule_id", RULES_3_2)
def test_rule_runs_on_every_message_the_catalogue_names(rule_id: str) -> None:
    """No rule is applied short of the catalogue."""
    assert USAGE[rule_id] - set(RULES[rule_id].message_types) == set()


@pytest.mark.parametrize("rule_id", RULES_3_2)
def test_rule_runs_beyond_the_catalogue_only_where_justified(rule_id: str) -> None:
    """Extra message types are the documented ones, and the rule's docstring justifies them."""
    rule = RULES[rule_id]
    extra = set(rule.message_types) - _ONLY_2_3 - USAGE[rule_id]
    assert extra == set(BEYOND.get(rule_id, frozenset())), rule_id
    if extra:
        assert "Beyond the catalogue" in (rule.check.__doc__ or ""), rule_id
