"""Product code → CBS coding, with validity dates and a gemeente's own expectations.

Two kinds of tables live in ``mappings/`` (see ``mappings/README.md``):

* ``productcodes.csv``: the national JZ21 list, one row per product code (and version), with
  its category, CBS code and the dimension that code belongs to (hulpvorm, maatregel or
  jeugdreclassering), valid from ``geldig_vanaf`` up to and including ``geldig_tot``;
* ``gemeenten/<code>.csv``: a gemeente's rules. A rule matches on any of ``productcode``,
  ``categorie`` and ``nationale_cbs_code`` (empty = any); the most specific matching rule that
  is valid on the date wins (product code beats category plus CBS code beats category beats
  CBS code). A rule gives the gemeente's reporting group (``hulpvorm_gemeente``) and, where
  the gemeente expects a different CBS code than the national list, ``verwachte_cbs_code``.

Tables are read once per process (``functools.lru_cache``); ``clear_caches`` forgets them.
"""

from __future__ import annotations

import csv
import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import structlog

log = structlog.get_logger(__name__)

MAPPINGS_DIR = Path(__file__).resolve().parents[1] / "mappings"
HULPVORM = "hulpvorm"


def mappings_dir() -> Path:
    """``KETENPOORT_MAPPINGS_DIR`` when set, else the ``mappings/`` folder of this checkout."""
    configured = os.environ.get("KETENPOORT_MAPPINGS_DIR")
    return Path(configured) if configured else MAPPINGS_DIR


def normalise_gemeente(code: str) -> str:
    """``GM0034``, ``34`` and ``0034`` all mean Almere: four digits."""
    text = code.strip().upper().removeprefix("GM")
    if not text.isdigit() or len(text) > 4:
        raise ValueError(f"not a CBS gemeente code: {code!r}")
    return text.zfill(4)


@dataclass(frozen=True, slots=True)
class NationalRow:
    """One row of ``productcodes.csv``."""

    productcode: str
    categorie: str
    categorie_omschrijving: str
    omschrijving: str
    uitvoeringsvariant: str | None
    cbs_dimensie: str | None
    cbs_code: str | None
    nza_declaratiecode: str | None
    geldig_vanaf: date
    geldig_tot: date | None
    rijsoort: str
    opmerking: str

    def valid_on(self, on: date) -> bool:
        """True when ``on`` lies within the validity of this row (both ends inclusive)."""
        return self.geldig_vanaf <= on and (self.geldig_tot is None or on <= self.geldig_tot)


@dataclass(frozen=True, slots=True)
class GemeenteRule:
    """One row of ``gemeenten/<code>.csv``."""

    productcode: str | None
    categorie: str | None
    nationale_cbs_code: str | None
    hulpvorm_gemeente: str
    verwachte_cbs_code: str | None
    geldig_vanaf: date
    geldig_tot: date | None
    toelichting: str

    @property
    def specificity(self) -> int:
        """How specific the rule is; the most specific matching rule wins."""
        return (
            4 * (self.productcode is not None)
            + 2 * (self.categorie is not None)
            + (self.nationale_cbs_code is not None)
        )

    def matches(self, row: NationalRow, on: date) -> bool:
        """True when this rule applies to ``row`` on ``on``."""
        if on < self.geldig_vanaf or (self.geldig_tot is not None and on > self.geldig_tot):
            return False
        return (
            (self.productcode is None or self.productcode == row.productcode)
            and (self.categorie is None or self.categorie == row.categorie)
            and (self.nationale_cbs_code is None or self.nationale_cbs_code == row.cbs_code)
        )


@dataclass(frozen=True, slots=True)
class ProductMapping:
    """What a product code means on a date, for the nation or for one gemeente."""

    productcode: str
    categorie: str
    categorie_omschrijving: str
    omschrijving: str
    uitvoeringsvariant: str | None
    rijsoort: str
    cbs_dimensie: str | None
    cbs_code: str | None
    cbs_omschrijving: str | None
    nationale_cbs_code: str | None
    geldig_vanaf: date
    geldig_tot: date | None
    gemeente: str | None = None
    hulpvorm_gemeente: str | None = None
    afwijking: bool = False
    toelichting: str = ""
    opmerking: str = ""

    @property
    def cbs_hulpvorm(self) -> str | None:
        """The CBS jeugdhulp hulpvorm (01–14), or None for no coding or a maatregel code."""
        return self.cbs_code if self.cbs_dimensie == HULPVORM else None


def _opt(text: str | None) -> str | None:
    value = (text or "").strip()
    return value or None


def _date(text: str | None) -> date | None:
    value = _opt(text)
    return date.fromisoformat(value) if value else None


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@lru_cache(maxsize=4)
def cbs_codes(directory: Path | None = None) -> dict[tuple[str, str], str]:
    """(dimensie, code) → description, from ``cbs_hulpvorm.csv``."""
    rows = _read((directory or mappings_dir()) / "cbs_hulpvorm.csv")
    return {(r["dimensie"], r["code"]): r["omschrijving"] for r in rows}


@lru_cache(maxsize=4)
def cbs_short_names(directory: Path | None = None) -> dict[tuple[str, str], str]:
    """(dimensie, code) → short label for charts."""
    rows = _read((directory or mappings_dir()) / "cbs_hulpvorm.csv")
    return {(r["dimensie"], r["code"]): r["kort"] for r in rows}


@lru_cache(maxsize=4)
def national_table(directory: Path | None = None) -> dict[str, tuple[NationalRow, ...]]:
    """Product code → its rows in ``productcodes.csv`` (several when the code has versions)."""
    table: dict[str, list[NationalRow]] = defaultdict(list)
    for r in _read((directory or mappings_dir()) / "productcodes.csv"):
        vanaf = _date(r["geldig_vanaf"])
        if vanaf is None:
            raise ValueError(f"productcodes.csv: {r['productcode']} has no geldig_vanaf")
        table[r["productcode"]].append(
            NationalRow(
                productcode=r["productcode"],
                categorie=r["productcategorie"],
                categorie_omschrijving=r["productcategorie_omschrijving"],
                omschrijving=r["omschrijving"],
                uitvoeringsvariant=_opt(r["uitvoeringsvariant"]),
                cbs_dimensie=_opt(r["cbs_dimensie"]),
                cbs_code=_opt(r["cbs_code"]),
                nza_declaratiecode=_opt(r["nza_declaratiecode"]),
                geldig_vanaf=vanaf,
                geldig_tot=_date(r["geldig_tot"]),
                rijsoort=r["rijsoort"],
                opmerking=r["opmerking"],
            )
        )
    log.debug("mapping.national_loaded", codes=len(table))
    return {code: tuple(sorted(rows, key=lambda x: x.geldig_vanaf)) for code, rows in table.items()}


@lru_cache(maxsize=32)
def gemeente_rules(gemeente: str, directory: Path | None = None) -> tuple[GemeenteRule, ...]:
    """The rules of one gemeente, or none when it has no file."""
    path = (directory or mappings_dir()) / "gemeenten" / f"{normalise_gemeente(gemeente)}.csv"
    if not path.exists():
        return ()
    rules = []
    for r in _read(path):
        vanaf = _date(r["geldig_vanaf"])
        if vanaf is None:
            raise ValueError(f"{path.name}: rule without geldig_vanaf: {r}")
        rules.append(
            GemeenteRule(
                productcode=_opt(r["productcode"]),
                categorie=_opt(r["categorie"]),
                nationale_cbs_code=_opt(r["nationale_cbs_code"]),
                hulpvorm_gemeente=r["hulpvorm_gemeente"].strip(),
                verwachte_cbs_code=_opt(r["verwachte_cbs_code"]),
                geldig_vanaf=vanaf,
                geldig_tot=_date(r["geldig_tot"]),
                toelichting=r["toelichting"],
            )
        )
    log.debug("mapping.gemeente_loaded", gemeente=gemeente, rules=len(rules))
    return tuple(rules)


def known_gemeenten() -> list[str]:
    """The gemeenten that ship their own expectations."""
    return sorted(p.stem for p in (mappings_dir() / "gemeenten").glob("*.csv"))


def clear_caches() -> None:
    """Forget the loaded tables (after editing them, or in tests)."""
    for fn in (cbs_codes, cbs_short_names, national_table, gemeente_rules):
        fn.cache_clear()
    _lookup_cached.cache_clear()


def _national_row(productcode: str, on: date) -> NationalRow | None:
    rows = national_table().get(productcode.strip().upper(), ())
    valid = [r for r in rows if r.valid_on(on)]
    return valid[-1] if valid else None


def gemeente_rule(row: NationalRow, gemeente: str, on: date) -> GemeenteRule | None:
    """The most specific rule of ``gemeente`` for ``row`` on ``on``, if any."""
    matching = [rule for rule in gemeente_rules(normalise_gemeente(gemeente)) if rule.matches(row, on)]
    if not matching:
        return None
    best = max(rule.specificity for rule in matching)
    winners = [rule for rule in matching if rule.specificity == best]
    if len(winners) > 1:
        raise ValueError(f"gemeente {gemeente}: {len(winners)} equally specific rules for {row.productcode}")
    return winners[0]


def _to_mapping(row: NationalRow, gemeente: str | None, on: date) -> ProductMapping:
    descriptions = cbs_codes()
    mapping = ProductMapping(
        productcode=row.productcode,
        categorie=row.categorie,
        categorie_omschrijving=row.categorie_omschrijving,
        omschrijving=row.omschrijving,
        uitvoeringsvariant=row.uitvoeringsvariant,
        rijsoort=row.rijsoort,
        cbs_dimensie=row.cbs_dimensie,
        cbs_code=row.cbs_code,
        cbs_omschrijving=descriptions.get((row.cbs_dimensie or "", row.cbs_code or "")),
        nationale_cbs_code=row.cbs_code,
        geldig_vanaf=row.geldig_vanaf,
        geldig_tot=row.geldig_tot,
        opmerking=row.opmerking,
    )
    if gemeente is None:
        return mapping
    code = normalise_gemeente(gemeente)
    rule = gemeente_rule(row, code, on)
    if rule is None:
        return replace(mapping, gemeente=code)
    mapping = replace(mapping, gemeente=code, hulpvorm_gemeente=rule.hulpvorm_gemeente, toelichting=rule.toelichting)
    if rule.verwachte_cbs_code is not None and rule.verwachte_cbs_code != row.cbs_code:
        dimensie = row.cbs_dimensie or _dimension_of(row.categorie)
        mapping = replace(
            mapping,
            cbs_dimensie=dimensie,
            cbs_code=rule.verwachte_cbs_code,
            cbs_omschrijving=descriptions.get((dimensie, rule.verwachte_cbs_code)),
            afwijking=True,
        )
    return mapping


def _dimension_of(categorie: str) -> str:
    if categorie == "47":
        return "jeugdreclassering"
    if categorie in ("48", "49"):
        return "maatregel"
    return HULPVORM


@lru_cache(maxsize=65536)
def _lookup_cached(productcode: str, gemeente: str | None, on: date) -> ProductMapping | None:
    row = _national_row(productcode, on)
    return None if row is None else _to_mapping(row, gemeente, on)


def lookup(productcode: str, *, gemeente: str | None = None, on: date | None = None) -> ProductMapping | None:
    """The mapping of ``productcode`` on ``on`` (default today), with ``gemeente``'s rules applied.

    Returns None for a code the national list does not know on that date (a gemeente's own
    bilateral code, or a code outside its validity).
    """
    day = on if on is not None else date.today()
    gem = normalise_gemeente(gemeente) if gemeente else None
    return _lookup_cached(productcode.strip().upper(), gem, day)


def lookup_in_period(productcode: str, *, gemeente: str | None, begin: date, end: date) -> ProductMapping | None:
    """The mapping in force at the end of a period, or the last one in force during it."""
    found = lookup(productcode, gemeente=gemeente, on=end)
    if found is not None:
        return found
    rows = [
        r
        for r in national_table().get(productcode.strip().upper(), ())
        if r.geldig_vanaf <= end and (r.geldig_tot is None or r.geldig_tot >= begin)
    ]
    if not rows:
        return None
    last_day = min(end, rows[-1].geldig_tot or end)
    return lookup(productcode, gemeente=gemeente, on=last_day)


def category_of(productcode: str) -> str | None:
    """The productcategorie of a national product code (any version), or None when unknown."""
    rows = national_table().get(productcode.strip().upper(), ())
    return rows[-1].categorie if rows else None


def product_in_category(code: str, categorie: str, on: date) -> bool:
    """Whether ``code`` may be used with ``categorie`` on ``on`` (the ProductCode/ProductCategorie rule).

    A national code belongs to exactly one category and must be valid on ``on``. A code the
    national list does not know at all is a gemeente's own (bilateral) code, which the
    product code protocol allows; the national list cannot refute it, so the answer is True.
    """
    rows = national_table().get(code.strip().upper())
    if not rows:
        return True
    return any(r.valid_on(on) and r.categorie == categorie.strip() for r in rows)


def all_codes() -> list[str]:
    """Every product code in the national list, in list order."""
    return list(national_table())


def expectations(gemeente: str, on: date) -> list[ProductMapping]:
    """The table a gemeente publishes for its aanbieders: every declarable code valid on ``on``."""
    result = []
    for code in all_codes():
        found = lookup(code, gemeente=gemeente, on=on)
        if found is not None and found.rijsoort == "product":
            result.append(found)
    return result


class FactLike(Protocol):
    """The fields of :class:`gateway.facts.Fact` that coverage needs."""

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
                bekend=code in national_table(),
                facts=len(items),
                clienten=len({i.client for i in items if i.client}),
                volume=dict(volume),
                bedrag=sum(i.bedrag or 0 for i in items),
            )
        )
    rows.sort(key=lambda r: (-abs(r.bedrag), -r.facts, r.aanbieder, r.productcode))
    return rows, seen, sum(r.facts for r in rows)


def hulpvorm_per_code(
    codes: Sequence[str], *, gemeente: str | None, begin: date, end: date
) -> list[tuple[str | None, str | None]]:
    """(CBS hulpvorm, gemeente group) per code for a period; for vectorised reconciliation."""
    result: list[tuple[str | None, str | None]] = []
    for code in codes:
        found = lookup_in_period(code, gemeente=gemeente, begin=begin, end=end)
        result.append((None, None) if found is None else (found.cbs_hulpvorm, found.hulpvorm_gemeente))
    return result


__all__ = [
    "CoverageRow",
    "GemeenteRule",
    "NationalRow",
    "ProductMapping",
    "all_codes",
    "category_of",
    "cbs_codes",
    "clear_caches",
    "coverage",
    "expectations",
    "gemeente_rules",
    "hulpvorm_per_code",
    "known_gemeenten",
    "lookup",
    "lookup_in_period",
    "mappings_dir",
    "national_table",
    "normalise_gemeente",
    "product_in_category",
]
