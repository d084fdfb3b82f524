"""Trajecten from the facts the map stage stored: one per (paying gemeente, aanbieder, client, product code).

* begindatum: the earliest start (JW305), else the earliest Prestatie or toewijzing begindatum;
* einddatum: the latest stop (JW307); ongoing when care started without a stop; without start
  or stop messages (outputgericht care), the end of the last Prestatie or toewijzing;
* gedeclareerd_op: the day the first Prestatie covering it was received;
* woongemeente: the residence of the client's latest toewijzing from that gemeente (empty: unknown,
  which the bridge counts as living in the paying gemeente).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from gateway.facts import Fact, FactKind
from gateway.reconcile.trajecten import Traject


@dataclass(slots=True)
class _Acc:
    starts: list[date] = field(default_factory=list)
    stops: list[date] = field(default_factory=list)
    begins: list[date] = field(default_factory=list)
    ends: list[date] = field(default_factory=list)
    declared: list[datetime] = field(default_factory=list)
    pgb: bool = False


def _add(acc: _Acc, fact: Fact) -> None:
    acc.pgb = acc.pgb or fact.financiering == "pgb"
    if fact.kind is FactKind.START:
        acc.starts.append(fact.begindatum)
    elif fact.kind is FactKind.STOP:
        acc.starts.append(fact.begindatum)
        if fact.einddatum is not None:
            acc.stops.append(fact.einddatum)
    else:
        acc.begins.append(fact.begindatum)
        if fact.einddatum is not None:
            acc.ends.append(fact.einddatum)
        if fact.kind is FactKind.PRESTATIE and fact.declared_at is not None:
            acc.declared.append(fact.declared_at)


def trajecten_from_facts(facts: Iterable[Fact]) -> list[Traject]:
    """Trajecten (clients stay pseudonyms) from stored facts."""
    groups: dict[tuple[str, str, str, str], _Acc] = {}
    residence: dict[tuple[str, str], tuple[float, str]] = {}
    for fact in facts:
        if fact.kind is FactKind.TOEWIJZING and fact.woongemeente:
            seen = fact.declared_at.timestamp() if fact.declared_at else float("-inf")
            key = (fact.gemeente, fact.client)
            if key not in residence or residence[key][0] <= seen:
                residence[key] = (seen, fact.woongemeente)
        if fact.productcode:
            _add(groups.setdefault((fact.gemeente, fact.aanbieder, fact.client, fact.productcode), _Acc()), fact)
    result = []
    for (gemeente, aanbieder, client, code), acc in groups.items():
        begin = min(acc.starts) if acc.starts else min(acc.begins)
        if acc.stops:
            end: date | None = max(acc.stops)
        elif acc.starts:
            end = None
        else:
            end = max(acc.ends) if acc.ends else None
        result.append(
            Traject(
                client=client,
                aanbieder=aanbieder,
                productcode=code,
                begindatum=begin,
                einddatum=end,
                gedeclareerd_op=min(acc.declared).date() if acc.declared else None,
                financiering="pgb" if acc.pgb else "natura",
                woongemeente=residence.get((gemeente, client), (0.0, ""))[1],
                gemeente=gemeente,
            )
        )
    return result


__all__ = ["trajecten_from_facts"]
