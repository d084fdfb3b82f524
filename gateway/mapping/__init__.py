"""Product code → CBS coding, with validity dates and a gemeente's own expectations.

``tables`` reads the CSVs in ``mappings/``, ``lookup`` answers what a code means on a date,
``coverage`` finds codes without CBS coding in the traffic, ``export`` writes the table a
gemeente publishes for its aanbieders, and ``extract`` turns messages into facts.
"""

from __future__ import annotations

from gateway.mapping.coverage import CoverageRow, FactLike, FactView, coverage, coverage_of_facts
from gateway.mapping.extract import extract_facts
from gateway.mapping.lookup import (
    ProductMapping,
    all_codes,
    category_of,
    clear_caches,
    expectations,
    gemeente_rule,
    hulpvorm_per_code,
    lookup,
    lookup_in_period,
    product_in_category,
)
from gateway.mapping.tables import (
    GemeenteRule,
    NationalRow,
    cbs_codes,
    cbs_short_names,
    gemeente_rules,
    hulpvorm_codes,
    known_gemeenten,
    mappings_dir,
    national_table,
    normalise_gemeente,
)

__all__ = [
    "CoverageRow",
    "FactLike",
    "FactView",
    "GemeenteRule",
    "NationalRow",
    "ProductMapping",
    "all_codes",
    "category_of",
    "cbs_codes",
    "cbs_short_names",
    "clear_caches",
    "coverage",
    "coverage_of_facts",
    "expectations",
    "extract_facts",
    "gemeente_rule",
    "gemeente_rules",
    "hulpvorm_codes",
    "hulpvorm_per_code",
    "known_gemeenten",
    "lookup",
    "lookup_in_period",
    "mappings_dir",
    "national_table",
    "normalise_gemeente",
    "product_in_category",
]
