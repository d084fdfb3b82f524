"""The iJw 3.2 rule catalogue (docs/regels) as ids, and the registry's coverage of it.

Our own list of the catalogue's rule ids per folder (tests/rules/test_catalogue.py proves it equal
to the official folders and constraints document), so ``ketenpoort rules list --coverage`` can say
for every rule whether the gateway implements it, does not apply it (and why) or still misses it.
The RS restrictions of the constraints document are XSD facets, checked by the schema, not listed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from gateway.rules.registry import RULES


def _ids(spaced: str) -> tuple[str, ...]:
    return tuple(spaced.split())


CATALOGUE: dict[str, tuple[str, ...]] = {
    "technische-regels/berichtoverstijgend": _ids(
        "TR019 TR056 TR063 TR071 TR074 TR304 TR307 TR308 TR314 TR318 TR319 TR321 TR322 TR323 TR326 TR332 TR333 "
        "TR337 TR338 TR339 TR340 TR341 TR347 TR349 TR350 TR351 TR355 TR357 TR359 TR360 TR361 TR365 TR366 TR367 "
        "TR369 TR371 TR373 TR374 TR375 TR376 TR379 TR382 TR384 TR385 TR387 TR388 TR389 TR390 TR411 TR412 TR413 "
        "TR414 TR415 TR418"
    ),
    "technische-regels/xslt": _ids(
        "TR002 TR006 TR018 TR061 TR101 TR134 TR137 TR302 TR315 TR316 TR335 TR342 TR352 TR353 TR358 TR377 TR380 "
        "TR383 TR386 TR409 TR410 TR416"
    ),
    "technische-regels/externe-bon": ("TR135", "TR346", "TR378", "TR381"),
    "condities-constraints": _ids(
        "CD005 CD007 CD009 CD025 CD034 CD041 CD043 CD060 CD066 CD067 CD068 CD075 CD076 CD077 CD078 CD079 CD080 "
        "CD085 CD086 CD087 CD095 CD096 CS002 CS003 CS015 CS025 CS050 CS058 CS089 CS100 CS139 CS318 CS319 CS325 "
        "CS335 CS336 CS337 CS338 CS339 CS340 CS343"
    ),
}

NOT_APPLICABLE: dict[str, str] = {}
"""Catalogue rules the gateway deliberately does not check, with the reason (none at present)."""

CONDITIONS: dict[str, str] = {
    "TR371": "only against a JW323 received since the store keeps the XsdVersie (revision 0007_h20xsd); "
    "an older JW323's XsdVersie is unknown and not compared",
    "TR418": "only for a gemeente with a tariff table (ketenpoort tarieven load); without one it does not apply",
}
"""Implemented rules that apply only under a condition (the operator's, or what the store has kept), with it."""

Status = Literal["implemented", "not applicable", "missing"]


@dataclass(frozen=True, slots=True)
class Coverage:
    """One catalogue rule and whether the registry covers it."""

    id: str
    folder: str
    status: Status
    why: str = ""

    def to_dict(self) -> dict[str, str]:
        """The JSON form of ``ketenpoort rules list --coverage --json``."""
        return {"id": self.id, "folder": self.folder, "status": self.status, "why": self.why}


def coverage() -> list[Coverage]:
    """Every catalogue rule with its status, in catalogue order."""
    out = []
    for folder, ids in CATALOGUE.items():
        for rule_id in ids:
            if rule_id in RULES:
                out.append(Coverage(rule_id, folder, "implemented", CONDITIONS.get(rule_id, "")))
            elif rule_id in NOT_APPLICABLE:
                out.append(Coverage(rule_id, folder, "not applicable", NOT_APPLICABLE[rule_id]))
            else:
                out.append(Coverage(rule_id, folder, "missing"))
    return out


__all__ = ["CATALOGUE", "CONDITIONS", "NOT_APPLICABLE", "Coverage", "coverage"]
