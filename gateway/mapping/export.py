"""The expectation table a gemeente publishes for its aanbieders: per product code, the CBS coding it expects."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date
from html import escape

from gateway.mapping.lookup import ProductMapping, expectations
from gateway.mapping.tables import gemeente_names, normalise_gemeente

COLUMNS = (
    "productcode",
    "productcategorie",
    "omschrijving",
    "hulpvorm_gemeente",
    "cbs_dimensie",
    "verwachte_cbs_code",
    "cbs_omschrijving",
    "nationale_cbs_code",
    "afwijking",
    "toelichting",
)


def rows(gemeente: str, on: date) -> list[dict[str, str]]:
    """One plain row per declarable product code valid on ``on``."""
    return [_row(m) for m in expectations(gemeente, on)]


def _row(m: ProductMapping) -> dict[str, str]:
    return {
        "productcode": m.productcode,
        "productcategorie": m.categorie,
        "omschrijving": m.omschrijving,
        "hulpvorm_gemeente": m.hulpvorm_gemeente or "",
        "cbs_dimensie": m.cbs_dimensie or "",
        "verwachte_cbs_code": m.cbs_code or "",
        "cbs_omschrijving": m.cbs_omschrijving or "",
        "nationale_cbs_code": m.nationale_cbs_code or "",
        "afwijking": "ja" if m.afwijking else "",
        "toelichting": m.toelichting,
    }


def to_csv(table: Sequence[dict[str, str]]) -> str:
    """The table as CSV text (UTF-8, Unix line endings)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(table)
    return out.getvalue()


_HEADINGS = (
    "Productcode",
    "Categorie",
    "Omschrijving",
    "Hulpvorm gemeente",
    "CBS-dimensie",
    "Verwachte CBS-code",
    "CBS-omschrijving",
    "Landelijke CBS-code",
    "Afwijking",
    "Toelichting",
)
_STYLE = (
    "body{font-family:sans-serif;margin:2rem;color:#222}table{border-collapse:collapse;font-size:.85rem}"
    "th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}"
    "th{background:#eef}tr.afwijking td{background:#fff4d6}"
)


def to_html(table: Sequence[dict[str, str]], gemeente: str, on: date) -> str:
    """The table as a self-contained HTML page (no scripts, no external assets)."""
    code = normalise_gemeente(gemeente)
    naam = gemeente_names().get(code, code)
    afwijkend = sum(1 for r in table if r["afwijking"])
    head = "".join(f"<th>{escape(h)}</th>" for h in _HEADINGS)
    body = "".join(
        f'<tr class="{"afwijking" if r["afwijking"] else ""}">'
        + "".join(f"<td>{escape(r[c])}</td>" for c in COLUMNS)
        + "</tr>"
        for r in table
    )
    return (
        f'<!doctype html><html lang="nl"><head><meta charset="utf-8">'
        f"<title>CBS-codering per productcode — {escape(naam)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>Verwachte CBS-codering per productcode</h1>"
        f"<p>Gemeente {escape(naam)} (GM{code}), geldig op {on.isoformat()}. "
        f"{len(table)} declarabele productcodes; bij {afwijkend} verwacht de gemeente een andere CBS-code "
        f"dan de landelijke productcodelijst (geel gemarkeerd).</p>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></body></html>\n"
    )


__all__ = ["COLUMNS", "rows", "to_csv", "to_html"]
