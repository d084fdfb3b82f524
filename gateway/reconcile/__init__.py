"""Reconciliation: why the datahuis and the CBS count differ, cause by cause.

``trajecten`` reads the input, ``bridge`` computes the steps, ``report``/``charts`` draw the
HTML, ``output`` writes a run, ``population`` builds synthetic populations with a known truth
from the units that ``population_units`` draws.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from gateway.reconcile.bridge import COLUMNS, STEPS, TOTAAL, BridgeRow, Reconciliation, reconcile
from gateway.reconcile.output import write_run
from gateway.reconcile.periods import Periode, parse_periode, parse_periodes
from gateway.reconcile.trajecten import Traject, Trajecten, from_records, read_csv


def run(
    trajecten: Trajecten,
    *,
    gemeente: str,
    perioden: list[Periode],
    peildatum: date,
    cbs: Mapping[tuple[str, str], int] | None,
    out: Path,
    datahuis: Mapping[tuple[str, str], int] | None = None,
) -> list[dict[str, Any]]:
    """Reconcile and write bridge.json, bridge.csv and report.html into ``out``; returns the bridge rows."""
    result = reconcile(trajecten, gemeente=gemeente, perioden=perioden, peildatum=peildatum, cbs=cbs)
    return write_run(result, out, datahuis=datahuis)


__all__ = [
    "COLUMNS",
    "STEPS",
    "TOTAAL",
    "BridgeRow",
    "Periode",
    "Reconciliation",
    "Traject",
    "Trajecten",
    "from_records",
    "parse_periode",
    "parse_periodes",
    "read_csv",
    "reconcile",
    "run",
    "write_run",
]
