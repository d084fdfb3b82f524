"""The self-contained HTML report for a council reader, in Dutch: tables plus inline SVG charts."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from gateway.mapping.lookup import lookup
from gateway.mapping.tables import HULPVORM, cbs_short_names, gemeente_names
from gateway.reconcile import charts
from gateway.reconcile.bridge import STEPS, TOTAAL, BridgeRow, PeriodDetail, Reconciliation

STEP_LABELS = {
    "datahuis_trajecten": "Datahuis (trajecten)",
    "pgb": "PGB",
    "zonder_cbs_codering": "Zonder CBS-codering",
    "niet_woonachtig": "Woont elders",
    "nagekomen": "Nagekomen declaraties",
    "dubbele_trajecten": "Meer trajecten per jeugdige",
    "verwacht_cbs": "Verwacht bij CBS",
    "cbs_gepubliceerd": "Gepubliceerd door CBS",
    "onverklaard": "Onverklaard",
}
EXPLANATION = (
    ("Datahuis (trajecten)", "Het datahuis telt trajecten die in de periode geleverd én vóór de peildatum "
     "gedeclareerd zijn."),
    ("PGB", "Het CBS telt alleen jeugdhulp in natura; trajecten uit een persoonsgebonden budget vallen af."),
    ("Zonder CBS-codering", "Productcodes waarvoor geen CBS-hulpvorm bestaat (vervoer, maatwerk, "
     "jeugdbescherming en jeugdreclassering) tellen niet mee in de CBS-jeugdhulpcijfers."),
    ("Woont elders", "De gemeente betaalt volgens het woonplaatsbeginsel, maar het CBS telt jongeren in de "
     "gemeente waar zij zelf wonen."),
    ("Nagekomen declaraties", "Zorg die wél geleverd is maar na de peildatum gedeclareerd werd, zit niet in "
     "het datahuis maar wel in de CBS-levering van de aanbieder."),
    ("Meer trajecten per jeugdige", "Het datahuis telt trajecten, het CBS unieke jongeren: een jeugdige met "
     "meer trajecten telt bij het CBS één keer."),
    ("Onverklaard", "Wat na deze stappen overblijft: verschillen in de levering van aanbieders aan het CBS."),
)  # fmt: skip
_STYLE = (
    "body{font-family:'Liberation Sans',Arial,sans-serif;margin:2rem auto;max-width:60rem;color:#222;line-height:1.4}"
    "table{border-collapse:collapse;margin:.5rem 0 1.5rem;font-size:.9rem}th,td{border:1px solid #ccc;"
    "padding:.2rem .5rem}td.n{text-align:right}th{background:#eef3f8;text-align:left}tr.totaal td{font-weight:bold}"
    "figure{margin:1rem 0}svg.grafiek{max-width:100%;height:auto}.nee{color:#c92a2a}.ja{color:#2b8a3e}"
    "h2{border-bottom:2px solid #1c4e80;padding-bottom:.2rem;margin-top:2.5rem}"
)


_DUTCH = str.maketrans(",.", ".,")


def _n(value: float | None) -> str:
    if value is None:
        return "–"
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    return text.translate(_DUTCH)


def _hulpvorm_label(code: str) -> str:
    if code == TOTAAL:
        return "Totaal (unieke jongeren)"
    return f"{code} {cbs_short_names().get((HULPVORM, code), '')}".strip()


def _bridge_table(rows: list[BridgeRow]) -> str:
    columns = (*STEPS, "cbs_gepubliceerd", "onverklaard")
    head = "<th>Hulpvorm</th>" + "".join(f"<th>{escape(STEP_LABELS[c])}</th>" for c in columns)
    body = []
    for row in rows:
        data = row.to_dict()
        cells = "".join(f'<td class="n">{_n(data[c])}</td>' for c in columns)
        css = ' class="totaal"' if row.hulpvorm == TOTAAL else ""
        body.append(f"<tr{css}><td>{escape(_hulpvorm_label(row.hulpvorm))}</td>{cells}</tr>")
    return f'<table class="brug"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def _waterfall(total: BridgeRow, label: str) -> str:
    steps = [(STEP_LABELS[s], int(getattr(total, s))) for s in STEPS[:-1]]
    if total.onverklaard is not None:
        steps.append(("Onverklaard", total.onverklaard))
        end = "Gepubliceerd door CBS"
    else:
        end = "Verwacht bij CBS"
    return charts.waterfall(steps, start="Datahuis", end=end, title=f"Van datahuis naar CBS, {label}")


def _categories(rows: list[BridgeRow], label: str) -> str:
    cats = [r for r in rows if r.hulpvorm != TOTAAL]
    series: list[tuple[str, list[float]]] = [
        ("Datahuis (trajecten)", [r.datahuis_trajecten for r in cats]),
        ("Verwacht bij CBS", [r.verwacht_cbs for r in cats]),
    ]
    if any(r.cbs_gepubliceerd is not None for r in cats):
        series.append(("Gepubliceerd door CBS", [r.cbs_gepubliceerd or 0 for r in cats]))
    names = [_hulpvorm_label(r.hulpvorm) for r in cats]
    return charts.grouped_bars(names, series, title=f"Per hulpvorm, {label}")


def _uncoded(detail: PeriodDetail) -> str:
    if not detail.uncoded:
        return "<p>Alle gedeclareerde trajecten in natura hebben een productcode met CBS-hulpvorm.</p>"
    rows = []
    for item in detail.uncoded:
        found = lookup(item.productcode, on=detail.periode.end)
        omschrijving = found.omschrijving if found else "onbekende (eigen) productcode"
        rows.append(
            f"<tr><td>{escape(item.productcode)}</td><td>{escape(omschrijving)}</td>"
            f'<td class="n">{_n(item.trajecten)}</td></tr>'
        )
    return (
        "<table class='zonder'><thead><tr><th>Productcode</th><th>Omschrijving</th>"
        f"<th>Trajecten</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _aanbieders(detail: PeriodDetail, top: int = 5) -> str:
    if not detail.aanbieders:
        return "<p>Er is geen onverklaard verschil om aan aanbieders toe te rekenen.</p>"
    rows = []
    for share in detail.aanbieders[:top]:
        main = max(share.per_hulpvorm.items(), key=lambda kv: abs(kv[1]))
        rows.append(
            f"<tr><td>{escape(share.aanbieder)}</td><td class='n'>{_n(share.toegerekend)}</td>"
            f"<td class='n'>{_n(sum(abs(v) for v in share.per_hulpvorm.values()))}</td>"
            f"<td>{escape(_hulpvorm_label(main[0]))} ({_n(main[1])})</td></tr>"
        )
    return (
        "<p>Het onverklaarde verschil per hulpvorm is naar rato van hun aandeel in de verwachte jongeren over de "
        "aanbieders verdeeld. Een aanbieder die bovenaan staat, levert het grootste deel van de zorg in de "
        "hulpvormen waar het CBS afwijkt: vraag die aanbieder eerst naar zijn CBS-levering.</p>"
        "<table class='aanbieders'><thead><tr><th>Aanbieder (AGB)</th><th>Toegerekend saldo</th>"
        f"<th>Toegerekend (absoluut)</th><th>Grootste afwijking</th></tr></thead><tbody>{''.join(rows)}"
        "</tbody></table>"
    )


def datahuis_check(detail: PeriodDetail, published: Mapping[tuple[str, str], int]) -> list[tuple[str, int, int | None]]:
    """Per datahuis group of one period: (group, count from the trajecten, published count or None)."""
    groups = sorted({g for (p, g) in published if p == detail.periode.code} | set(detail.datahuis_groepen))
    return [(g, detail.datahuis_groepen.get(g, 0), published.get((detail.periode.code, g))) for g in groups]


def _datahuis_check(detail: PeriodDetail, published: Mapping[tuple[str, str], int]) -> str:
    checked = datahuis_check(detail, published)
    if not checked:
        return ""
    rows = []
    for group, ours, theirs in checked:
        same = theirs == ours
        mark = '<span class="ja">klopt</span>' if same else '<span class="nee">wijkt af</span>'
        rows.append(
            f"<tr><td>{escape(group)}</td><td class='n'>{_n(ours)}</td><td class='n'>{_n(theirs)}</td>"
            f"<td>{mark}</td></tr>"
        )
    return (
        "<h3>Controle op de gepubliceerde datahuiscijfers</h3><table class='datahuis'><thead><tr>"
        "<th>Hulpvorm gemeente</th><th>Uit trajecten</th><th>Gepubliceerd</th><th></th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def render(result: Reconciliation, *, datahuis: Mapping[tuple[str, str], int] | None = None) -> str:
    """The whole report as one HTML document (no scripts, no external assets)."""
    naam = gemeente_names().get(result.gemeente, result.gemeente)
    parts = [
        f'<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Datahuis en CBS — {escape(naam)}'
        f"</title><style>{_STYLE}</style></head><body>",
        f"<h1>Waarom verschillen de cijfers van het datahuis en het CBS?</h1>"
        f"<p>Gemeente {escape(naam)} (GM{escape(result.gemeente)}), declaraties tot en met peildatum "
        f"{result.peildatum.isoformat()}. Het overzicht verklaart stap voor stap hoe het aantal trajecten in het "
        f"datahuis overgaat in het aantal jongeren met jeugdhulp dat het CBS publiceert. Elke stap is een "
        f"telling over dezelfde trajecten, dus de stappen tellen precies op tot het verschil.</p>",
        "<dl>" + "".join(f"<dt><b>{escape(a)}</b></dt><dd>{escape(b)}</dd>" for a, b in EXPLANATION) + "</dl>",
    ]
    for detail in result.details:
        code = detail.periode.code
        rows = [r for r in result.rows if r.periode == code]
        total = next(r for r in rows if r.hulpvorm == TOTAAL)
        label = detail.periode.label
        parts.append(f'<section id="periode-{escape(code)}"><h2>{escape(label.capitalize())} ({escape(code)})</h2>')
        parts.append(_summary(total))
        parts.append(f"<figure>{_waterfall(total, label)}</figure>")
        parts.append(_bridge_table(rows))
        parts.append(f"<figure>{_categories(rows, label)}</figure>")
        parts.append("<h3>Productcodes zonder CBS-codering</h3>" + _uncoded(detail))
        parts.append("<h3>Aanbieders achter het onverklaarde verschil</h3>" + _aanbieders(detail))
        if datahuis is not None:
            parts.append(_datahuis_check(detail, datahuis))
        parts.append("</section>")
    parts.append("</body></html>\n")
    return "".join(parts)


def _summary(total: BridgeRow) -> str:
    text = (
        f"<p>Het datahuis telt <b>{_n(total.datahuis_trajecten)}</b> trajecten; na de stappen hieronder verwachten "
        f"we bij het CBS <b>{_n(total.verwacht_cbs)}</b> unieke jongeren."
    )
    if total.cbs_gepubliceerd is not None and total.onverklaard is not None:
        text += (
            f" Het CBS publiceert er <b>{_n(total.cbs_gepubliceerd)}</b>; onverklaard blijft "
            f"<b>{_n(total.onverklaard)}</b>."
        )
    return text + "</p>"


__all__ = ["STEP_LABELS", "datahuis_check", "render"]
