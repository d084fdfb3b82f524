"""Look-ups: what a product code means on a date, nationally or with a gemeente's own rules applied."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache

from gateway.mapping.tables import (
    HULPVORM,
    GemeenteRule,
    NationalRow,
    cbs_codes,
    clear_tables,
    dimension_of,
    gemeente_rules,
    national_table,
    normalise_gemeente,
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
        dimensie = row.cbs_dimensie or dimension_of(row.categorie)
        mapping = replace(
            mapping,
            cbs_dimensie=dimensie,
            cbs_code=rule.verwachte_cbs_code,
            cbs_omschrijving=descriptions.get((dimensie, rule.verwachte_cbs_code)),
            afwijking=True,
        )
    return mapping


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


def hulpvorm_per_code(
    codes: Sequence[str], *, gemeente: str | None, begin: date, end: date
) -> list[tuple[str | None, str | None]]:
    """(CBS hulpvorm, gemeente group) per code for a period; for vectorised reconciliation."""
    result: list[tuple[str | None, str | None]] = []
    for code in codes:
        found = lookup_in_period(code, gemeente=gemeente, begin=begin, end=end)
        result.append((None, None) if found is None else (found.cbs_hulpvorm, found.hulpvorm_gemeente))
    return result


def clear_caches() -> None:
    """Forget the loaded tables and look-ups (after editing them, or in tests)."""
    clear_tables()
    _lookup_cached.cache_clear()


__all__ = [
    "ProductMapping",
    "all_codes",
    "category_of",
    "clear_caches",
    "expectations",
    "gemeente_rule",
    "hulpvorm_per_code",
    "lookup",
    "lookup_in_period",
    "product_in_category",
]
