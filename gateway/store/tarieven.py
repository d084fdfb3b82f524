"""The store's contract tariff table (TR418): load a gemeente's table (replacing it whole) and read it back."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from gateway.mapping.tables import normalise_gemeente
from gateway.store import Store
from gateway.store.schema import tarieven
from gateway.store.tarief_reads import OF_GEMEENTE, tarief
from gateway.tarieven import Tarief, check_overlap

_t = tarieven.c


def replace_tarieven(store: Store, gemeente: str, entries: Sequence[Tarief]) -> int:
    """Make ``entries`` the whole tariff table of ``gemeente`` in one transaction; returns how many were loaded."""
    code = normalise_gemeente(gemeente)
    check_overlap(list(entries))
    with store.db.write() as tx:
        now = tx.now
        tx.conn.execute(tarieven.delete().where(_t.gemeente == code))
        if entries:
            tx.conn.execute(tarieven.insert(), [{"gemeente": code, "loaded_at": now, **_values(t)} for t in entries])
    return len(entries)


def _values(t: Tarief) -> dict[str, object]:
    return {
        "aanbieder": t.aanbieder,
        "productcategorie": t.productcategorie,
        "productcode": t.productcode,
        "eenheid": t.eenheid,
        "frequentie": t.frequentie,
        "tarief_cent": t.tarief_cent,
        "ingangsdatum": t.ingangsdatum,
        "einddatum": t.einddatum,
    }


def _order(t: Tarief) -> tuple[str, str, str, str, date]:
    return (t.aanbieder, t.productcategorie, t.productcode or "", t.eenheid, t.ingangsdatum)


def tarieven_of(store: Store, gemeente: str, *, aanbieder: str | None = None, on: date | None = None) -> list[Tarief]:
    """The gemeente's tariffs (of ``aanbieder``, valid ``on`` a day, when given), in a stable order."""
    code = normalise_gemeente(gemeente)
    with store.db.read_one() as conn:
        rows = conn.execute(OF_GEMEENTE, {"g": code}).all()
    out = sorted((tarief(r) for r in rows), key=_order)  # in Python: NULL productcode sorts alike on both backends
    return [t for t in out if (aanbieder is None or t.aanbieder == aanbieder) and (on is None or t.valid_on(on))]


__all__ = ["replace_tarieven", "tarieven_of"]
