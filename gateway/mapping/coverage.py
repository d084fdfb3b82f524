"""Coverage: which product codes in the traffic have no CBS coding, per aanbieder, with volumes and amounts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from gateway.facts import PRODUCTLOZE_KINDS, Fact
from gateway.mapping.tables import national_table


class FactLike(Protocol):
    """The fields coverage reads (the API hands in stored facts under these names)."""

    @property
    def aanbieder(self) -> str | None: ...
    @property
    def productcode(self) -> str | None: ...
    @property
    def categorie(self) -> str | None: ...
    @property
    def cbs_code(self) -> str | None: ...
    @property
    def client(self) -> str | None: ...
    @property
    def volume(self) -> int | None: ...
    @property
    def eenheid(self) -> str | None: ...
    @property
    def bedrag(self) -> int | None: ...


@dataclass(frozen=True, slots=True)
class FactView:
    """A :class:`gateway.facts.Fact` under the field names of :class:`FactLike`."""

    fact: Fact

    @property
    def aanbieder(self) -> str | None:
        return self.fact.aanbieder

    @property
    def productcode(self) -> str | None:
        return self.fact.productcode

    @property
    def categorie(self) -> str | None:
        return self.fact.productcategorie

    @property
    def cbs_code(self) -> str | None:
        return self.fact.cbs_hulpvorm

    @property
    def client(self) -> str | None:
        return self.fact.client

    @property
    def volume(self) -> int | None:
        return self.fact.volume

    @property
    def eenheid(self) -> str | None:
        return self.fact.eenheid

    @property
    def bedrag(self) -> int | None:
        return self.fact.bedrag_cent


@dataclass(frozen=True, slots=True)
class CoverageRow:
    """One product code without CBS coding at one aanbieder."""

    aanbieder: str
    productcode: str
    categorie: str
    bekend: bool
    facts: int
    clienten: int
    volume: dict[str, int]
    bedrag: int


def coverage(facts: Iterable[FactLike]) -> tuple[list[CoverageRow], int, int]:
    """Product codes without CBS coding per aanbieder, heaviest amount first.

    Returns the rows, the number of facts seen and the number without coding.
    """
    groups: dict[tuple[str, str, str], list[FactLike]] = defaultdict(list)
    seen = 0
    for fact in facts:
        seen += 1
        if fact.cbs_code is None and fact.productcode:
            groups[(fact.aanbieder or "?", fact.productcode, fact.categorie or "")].append(fact)
    known = national_table()
    rows = []
    for (aanbieder, code, categorie), items in groups.items():
        volume: dict[str, int] = defaultdict(int)
        for item in items:
            if item.volume is not None:
                volume[item.eenheid or "?"] += item.volume
        rows.append(
            CoverageRow(
                aanbieder=aanbieder,
                productcode=code,
                categorie=categorie,
                bekend=code in known,
                facts=len(items),
                clienten=len({i.client for i in items if i.client}),
                volume=dict(volume),
                bedrag=sum(i.bedrag or 0 for i in items),
            )
        )
    rows.sort(key=lambda r: (-abs(r.bedrag), -r.facts, r.aanbieder, r.productcode))
    return rows, seen, sum(r.facts for r in rows)


def coverage_of_facts(facts: Iterable[Fact]) -> tuple[list[CoverageRow], int, int]:
    """:func:`coverage` over :class:`gateway.facts.Fact` records (the store's and ``extract_facts``'s).

    Verzoek and antwoord facts name no product, so they are not counted as facts seen.
    """
    return coverage(FactView(f) for f in facts if f.kind not in PRODUCTLOZE_KINDS)


__all__ = ["CoverageRow", "FactLike", "FactView", "coverage", "coverage_of_facts"]
