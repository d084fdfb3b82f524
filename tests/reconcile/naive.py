"""A deliberately plain reference bridge over Traject records: sets and loops, one period and hulpvorm at a time."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from gateway.mapping import lookup_in_period, normalise_gemeente
from gateway.reconcile.periods import Periode
from gateway.reconcile.trajecten import Traject

HULPVORMEN = ("01", "02", "03", "04", "11", "12", "13", "14")


def naive_bridge(
    records: list[Traject], gemeente: str, perioden: list[Periode], peildatum: date, cbs: Mapping[tuple[str, str], int]
) -> list[dict[str, Any]]:
    g = normalise_gemeente(gemeente)
    rows = []
    for p in perioden:
        codes = {t.productcode for t in records}
        found = {c: lookup_in_period(c, gemeente=g, begin=p.begin, end=p.end) for c in codes}
        coding = {c: (m.cbs_hulpvorm if m else None) for c, m in found.items()}

        def hv(t: Traject, coding: dict[str, str | None] = coding) -> str | None:
            return coding[t.productcode]

        base = [
            t for t in records
            if normalise_gemeente(t.gemeente) == g and t.begindatum <= p.end
            and (t.einddatum is None or t.einddatum >= p.begin)
        ]  # fmt: skip
        for key in ("totaal", *HULPVORMEN):
            sel = base if key == "totaal" else [t for t in base if hv(t) == key]
            declared = [t for t in sel if t.gedeclareerd_op is not None and t.gedeclareerd_op <= peildatum]
            natura = [t for t in declared if t.financiering != "pgb"]
            coded = [t for t in natura if hv(t) is not None]
            woont = [t for t in coded if t.woongemeente in ("", g) or normalise_gemeente(t.woongemeente) == g]
            late = [
                t for t in sel
                if not (t.gedeclareerd_op is not None and t.gedeclareerd_op <= peildatum)
                and t.financiering != "pgb" and hv(t) is not None
                and (t.woongemeente in ("", g) or normalise_gemeente(t.woongemeente) == g)
            ]  # fmt: skip
            kept = woont + late
            clients = {t.client for t in kept}
            published = cbs.get((p.code, key))
            rows.append(
                {
                    "periode": p.code,
                    "hulpvorm": key,
                    "datahuis_trajecten": len(declared),
                    "pgb": -(len(declared) - len(natura)),
                    "zonder_cbs_codering": -(len(natura) - len(coded)),
                    "niet_woonachtig": -(len(coded) - len(woont)),
                    "nagekomen": len(late),
                    "dubbele_trajecten": -(len(kept) - len(clients)),
                    "verwacht_cbs": len(clients),
                    "cbs_gepubliceerd": published,
                    "onverklaard": None if published is None else published - len(clients),
                }
            )
    return rows
