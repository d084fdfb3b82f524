"""The mapping tables on disk: the national JZ21 list, the CBS code lists and a gemeente's own rules.

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
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import structlog

from gateway import paths

log = structlog.get_logger(__name__)

HULPVORM = "hulpvorm"


def mappings_dir() -> Path:
    """``KETENPOORT_MAPPINGS_DIR`` when set, else the project's ``mappings/`` folder."""
    configured = os.environ.get("KETENPOORT_MAPPINGS_DIR")
    return Path(configured) if configured else paths.mappings_dir()


def normalise_gemeente(code: str) -> str:
    """``GM0034``, ``34`` and ``0034`` all mean Almere: four digits."""
    text = code.strip().upper().removeprefix("GM")
    if not text.isdigit() or len(text) > 4:
        raise ValueError(f"not a CBS gemeente code: {code!r}")
    return text.zfill(4)


def dimension_of(categorie: str) -> str:
    """The CBS code list a product category reports in: jeugdreclassering, maatregel or hulpvorm."""
    if categorie == "47":
        return "jeugdreclassering"
    if categorie in ("48", "49"):
        return "maatregel"
    return HULPVORM


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


def _opt(text: str | None) -> str | None:
    value = (text or "").strip()
    return value or None


def _date(text: str | None) -> date | None:
    value = _opt(text)
    return date.fromisoformat(value) if value else None


def _read(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise paths.DataFilesMissingError(f"cannot read the mapping table {path}: {exc}") from None


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


@lru_cache(maxsize=1)
def hulpvorm_codes() -> tuple[str, ...]:
    """The CBS jeugdhulp hulpvorm codes (01–04, 11–14), in code order."""
    return tuple(sorted(code for dim, code in cbs_codes() if dim == HULPVORM))


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


@lru_cache(maxsize=4)
def gemeente_names(directory: Path | None = None) -> dict[str, str]:
    """CBS gemeentecode → gemeentenaam, from ``cbs_gemeenten.csv``."""
    return {r["gemeentecode"]: r["gemeentenaam"] for r in _read((directory or mappings_dir()) / "cbs_gemeenten.csv")}


def gemeente_by_name(name: str) -> str | None:
    """The gemeentecode of a gemeente named ``name`` (case-insensitive), or None."""
    wanted = name.strip().casefold()
    return _names_folded().get(wanted)


@lru_cache(maxsize=1)
def _names_folded() -> dict[str, str]:
    return {naam.casefold(): code for code, naam in gemeente_names().items()}


def known_gemeenten() -> list[str]:
    """The gemeenten that ship their own expectations."""
    return sorted(p.stem for p in (mappings_dir() / "gemeenten").glob("*.csv"))


def clear_tables() -> None:
    """Forget the loaded tables."""
    for fn in (
        cbs_codes,
        cbs_short_names,
        hulpvorm_codes,
        national_table,
        gemeente_rules,
        gemeente_names,
        _names_folded,
    ):
        fn.cache_clear()


__all__ = [
    "HULPVORM",
    "GemeenteRule",
    "NationalRow",
    "cbs_codes",
    "cbs_short_names",
    "clear_tables",
    "dimension_of",
    "gemeente_by_name",
    "gemeente_names",
    "gemeente_rules",
    "hulpvorm_codes",
    "known_gemeenten",
    "mappings_dir",
    "national_table",
    "normalise_gemeente",
]
