"""Reading the contract tariff table (no dependency on :class:`gateway.store.Store`, so the history can use it)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from gateway.mapping.tables import normalise_gemeente
from gateway.store.schema import tarieven
from gateway.tarieven import Tarief

_t = tarieven.c
_COLUMNS = (_t.aanbieder, _t.productcategorie, _t.productcode, _t.eenheid, _t.frequentie, _t.tarief_cent,
            _t.ingangsdatum, _t.einddatum)  # fmt: skip
_ORDER = (_t.aanbieder, _t.productcategorie, _t.productcode, _t.eenheid, _t.ingangsdatum)
OF_GEMEENTE = sa.select(*_COLUMNS).where(_t.gemeente == sa.bindparam("g")).order_by(*_ORDER)
_OF_AANBIEDER = sa.select(*_COLUMNS).where(_t.gemeente == sa.bindparam("g"), _t.aanbieder == sa.bindparam("a"))
_HAS_TABLE = sa.select(_t.id).where(_t.gemeente == sa.bindparam("g")).limit(1)


def tarief(row: Any) -> Tarief:
    """A :class:`Tarief` from a row of the tariff columns."""
    return Tarief(row[0], row[1], row[2], row[3], row[4], int(row[5]), row[6], row[7])


def contract_tarieven(conn: sa.Connection, gemeente: str, aanbieder: str) -> list[Tarief] | None:
    """TR418's look-up: the tariffs of ``aanbieder`` at ``gemeente``; None when the gemeente has no table."""
    try:
        code = normalise_gemeente(gemeente)
    except ValueError:
        return None  # not a gemeente code (the header rules say so): no table can exist for it
    rows = conn.execute(_OF_AANBIEDER, {"g": code, "a": aanbieder}).all()
    if rows:
        return [tarief(r) for r in rows]
    return [] if conn.execute(_HAS_TABLE, {"g": code}).first() is not None else None


__all__ = ["OF_GEMEENTE", "contract_tarieven", "tarief"]
