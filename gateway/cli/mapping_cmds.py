"""`ketenpoort mapping show|coverage|export`, `ketenpoort reconcile` and `ketenpoort generate-population`."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from gateway.app import current
from gateway.facts import Fact

mapping_app = typer.Typer(help="Product codes and their CBS coding.", no_args_is_help=True)


def _gemeente(value: str) -> str:
    from gateway.mapping import normalise_gemeente

    try:
        return normalise_gemeente(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


def _day(value: str | None) -> date:
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"not an ISO date: {value!r}") from None


@mapping_app.command("show")
def show(
    code: Annotated[str, typer.Argument(help="A product code, e.g. 45A03.")],
    gemeente: Annotated[str | None, typer.Option("--gemeente", help="Apply this gemeente's expectations.")] = None,
    on: Annotated[str | None, typer.Option("--on", help="Date (ISO); default today.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """What CODE means on a date: category, CBS coding and a gemeente's expectation."""
    from dataclasses import asdict

    from gateway.mapping import lookup

    found = lookup(code, gemeente=_gemeente(gemeente) if gemeente else None, on=_day(on))
    if found is None:
        typer.echo(f"{code}: not in the national product code list on {_day(on)}", err=True)
        raise typer.Exit(1)
    data = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(found).items()}
    data["cbs_hulpvorm"] = found.cbs_hulpvorm
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=1))
        return
    for key, value in data.items():
        if value not in (None, "", False):
            typer.echo(f"{key:24} {value}")


def _message_facts(paths: list[Path]) -> list[Any]:
    from datetime import UTC, datetime

    from gateway.mapping import extract_facts
    from gateway.validation import inspect

    pseudonymiser = current().pseudonymiser
    files = [p for path in paths for p in (sorted(path.rglob("*.xml")) if path.is_dir() else [path])]
    facts: list[Any] = []
    for file in files:
        found = inspect(file.read_bytes(), rules=False, bounds=current().bounds)
        if found.root is None or found.kind is None:
            typer.echo(f"{file}: skipped (not a known message)", err=True)
            continue
        received = datetime.fromtimestamp(file.stat().st_mtime, UTC)
        facts.extend(extract_facts(found.root, found.kind, pseudonymiser=pseudonymiser, received_at=received))
    return facts


def _store_facts(gemeente: str | None = None) -> list[Fact]:
    """``--from-store``: the facts the map stage stored (only ``gemeente``'s, when given); a store that cannot open
    ends the command with its reason."""
    from gateway.errors import StoreError

    try:
        store = current().store()
    except StoreError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    try:
        return list(store.iter_facts(gemeente=gemeente) if gemeente else store.iter_facts())
    finally:
        store.close()


@mapping_app.command("coverage")
def coverage_command(
    paths: Annotated[list[Path] | None, typer.Argument(help="Message files or directories.")] = None,
    from_store: Annotated[bool, typer.Option("--from-store", help="Use the facts in the store.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Which product codes in the messages (or the store) have no CBS coding, per aanbieder."""
    from dataclasses import asdict

    from gateway.mapping import coverage_of_facts

    if bool(paths) == from_store:
        typer.echo("give message PATHs or --from-store (not both)", err=True)
        raise typer.Exit(2)
    facts = _store_facts() if from_store else _message_facts(paths or [])
    rows, seen, uncoded = coverage_of_facts(facts)
    if as_json:
        typer.echo(json.dumps({"facts": seen, "zonder_cbs_codering": uncoded, "rows": [asdict(r) for r in rows]}))
        return
    typer.echo(f"{seen} facts, {uncoded} without a CBS hulpvorm")
    typer.echo(f"{'aanbieder':10} {'code':6} {'cat':3} {'facts':>6} {'clients':>7} {'bedrag (EUR)':>13}  volume")
    for r in rows:
        volume = ", ".join(f"{v} x{e}" for e, v in sorted(r.volume.items()))
        note = "" if r.bekend else "  (geen landelijke code)"
        typer.echo(
            f"{r.aanbieder:10} {r.productcode:6} {r.categorie:3} {r.facts:6} {r.clienten:7} "
            f"{r.bedrag / 100:13.2f}  {volume}{note}"
        )


@mapping_app.command("export")
def export_command(
    gemeente: Annotated[str, typer.Option("--gemeente", help="CBS gemeente code, e.g. 0034.")],
    fmt: Annotated[str, typer.Option("--format", help="csv or html.")] = "csv",
    on: Annotated[str | None, typer.Option("--on", help="Date (ISO); default today.")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="File to write; default stdout.")] = None,
) -> None:
    """The expectation table a gemeente publishes for its aanbieders."""
    from gateway.mapping import export

    if fmt not in ("csv", "html"):
        raise typer.BadParameter("--format must be csv or html")
    from gateway.mapping.tables import gemeente_rules, mappings_dir

    code, day = _gemeente(gemeente), _day(on)
    if not gemeente_rules(code):
        tables = sorted(p.stem for p in (mappings_dir() / "gemeenten").glob("*.csv"))
        typer.echo(
            f"gemeente {code} has no mapping table (mappings/gemeenten/{code}.csv); tables exist for: "
            f"{', '.join(tables) or 'none'}",
            err=True,
        )
        raise typer.Exit(1)
    rows = export.rows(code, day)
    text = export.to_csv(rows) if fmt == "csv" else export.to_html(rows, code, day)
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {len(rows)} product codes to {out}", err=True)


class _LazyPseudonymiser:
    """The installation's pseudonymiser, loaded (and its key file created) only when a BSN turns up."""

    def __init__(self) -> None:
        self._inner: Any = None

    def __call__(self, bsn: str) -> str:
        if self._inner is None:
            self._inner = current().pseudonymiser
        return str(self._inner(bsn))


def reconcile_command(
    *,
    gemeente: Annotated[str, typer.Option("--gemeente", help="The paying gemeente, e.g. 0034.")],
    periode: Annotated[
        list[str], typer.Option("--periode", help="2018HJ2, 2018KW3 or 2018JJ; repeat or comma-separate.")
    ],
    peildatum: Annotated[str, typer.Option("--peildatum", help="Declarations up to this date (ISO) count.")],
    cbs: Annotated[Path, typer.Option("--cbs", help="CSV gemeente,periode,hulpvorm,jongeren.")],
    out: Annotated[Path, typer.Option("--out", help="Directory for bridge.json, bridge.csv and report.html.")],
    trajecten: Annotated[Path | None, typer.Option("--trajecten", help="Trajecten CSV.")] = None,
    from_store: Annotated[
        bool, typer.Option("--from-store", help="Build the trajecten from the stored facts.")
    ] = False,
    datahuis: Annotated[Path | None, typer.Option("--datahuis", help="CSV periode,hulpvorm_gemeente,gebruik.")] = None,
) -> None:
    """Explain the difference between the datahuis and the CBS count, cause by cause."""
    from gateway.errors import GatewayError
    from gateway.reconcile import from_records, parse_periodes, read_csv, reconcile, write_run
    from gateway.reconcile.from_facts import trajecten_from_facts
    from gateway.reconcile.inputs import read_cbs, read_datahuis
    from gateway.reconcile.report import datahuis_check

    if (trajecten is None) == (not from_store):
        typer.echo("give --trajecten FILE or --from-store (one of them)", err=True)
        raise typer.Exit(2)
    code, peil = _gemeente(gemeente), _day(peildatum)
    try:
        perioden = parse_periodes(periode)
        if trajecten is not None:
            data = read_csv(trajecten, pseudonymiser=_LazyPseudonymiser())
        else:
            data = from_records(trajecten_from_facts(_store_facts(code)))
        published = read_datahuis(datahuis) if datahuis else None
        result = reconcile(data, gemeente=code, perioden=perioden, peildatum=peil, cbs=read_cbs(cbs, code))
        rows = write_run(result, out, datahuis=published)
    except (ValueError, GatewayError, OSError) as exc:
        typer.echo(f"reconcile: {exc}", err=True)
        raise typer.Exit(1) from None
    for row in rows:
        if row["hulpvorm"] == "totaal":
            typer.echo(
                f"{row['periode']}: datahuis {row['datahuis_trajecten']} → verwacht {row['verwacht_cbs']}, "
                f"CBS {row['cbs_gepubliceerd'] if row['cbs_gepubliceerd'] is not None else '–'}, "
                f"onverklaard {row['onverklaard'] if row['onverklaard'] is not None else '–'}"
            )
    if published is not None:
        checked = [c for d in result.details for c in datahuis_check(d, published)]
        same = sum(1 for _, ours, theirs in checked if ours == theirs)
        typer.echo(f"datahuis: {same} of {len(checked)} published figures reproduced from the trajecten")
    typer.echo(f"wrote bridge.json, bridge.csv and report.html to {out}")
    _register_run(out, code, [p.code for p in perioden], peil)


def _register_run(out: Path, gemeente: str, perioden: list[str], peildatum: date) -> None:
    """List the run on the dashboard beside the API's runs (a copy of its outputs in the data directory)."""
    from gateway.run_registry import register

    data_dir = current().settings.data_dir
    try:
        run_id = register(out, data_dir, source="cli", gemeente=gemeente, perioden=perioden, peildatum=peildatum)
    except OSError as exc:  # the run itself is written; only the dashboard will not list it
        typer.echo(f"reconcile: not listed on the dashboard ({exc.strerror}: {exc.filename})", err=True)
        return
    typer.echo(f"listed on the dashboard as {run_id} (/dashboard/reconciliation/{run_id})")


def generate_population_command(
    *,
    gemeente: Annotated[str, typer.Option("--gemeente", help="CBS gemeente code, e.g. 0034.")],
    out: Annotated[Path, typer.Option("--out", help="Directory to write to.")],
    seed: Annotated[int, typer.Option("--seed")] = 0,
    units: Annotated[int, typer.Option("--units", min=1, help="Clients (units of one or more trajecten).")] = 2000,
    jaar: Annotated[int, typer.Option("--jaar", help="Reporting year.")] = 2018,
) -> None:
    """A synthetic population with every bridge effect injected in known amounts, and its ground truth."""
    from gateway.reconcile import population

    pop = population.generate(_gemeente(gemeente), seed=seed, units=units, jaar=jaar)
    population.write(pop, out)
    typer.echo(
        f"wrote {len(pop.trajecten)} trajecten, cbs.csv, datahuis.csv and truth.json to {out}; "
        f"reconcile with --periode {','.join(p.code for p in pop.perioden)} --peildatum {pop.peildatum}"
    )


def register(app: typer.Typer) -> None:
    """Add `mapping`, `reconcile` and `generate-population` to the ketenpoort CLI."""
    app.add_typer(mapping_app, name="mapping")
    app.command("reconcile")(reconcile_command)
    app.command("generate-population")(generate_population_command)
