"""`ketenpoort tarieven load|show`: a gemeente's contract tariffs (TR418) in the store."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from gateway.app import current

tarieven_app = typer.Typer(help="Contract tariffs per gemeente, checked by TR418.", no_args_is_help=True)


def _gemeente(value: str) -> str:
    from gateway.mapping import normalise_gemeente

    try:
        return normalise_gemeente(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


@tarieven_app.command("load")
def load(
    file: Annotated[Path, typer.Argument(help="A tariff CSV (see mappings/gemeenten/0363/tarieven.csv).")],
    gemeente: Annotated[str, typer.Option("--gemeente", help="The gemeente (CBS code) whose table this is.")],
) -> None:
    """Replace the gemeente's whole tariff table with FILE (refused as a whole on any bad line)."""
    from gateway.store.tarieven import replace_tarieven
    from gateway.tarieven import TariefError, parse_csv

    code = _gemeente(gemeente)
    try:
        entries = parse_csv(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        typer.echo(f"{file}: cannot read: {exc}", err=True)
        raise typer.Exit(2) from None
    except TariefError as exc:
        typer.echo(f"{file}: {exc}; nothing loaded", err=True)
        raise typer.Exit(1) from None
    count = replace_tarieven(current().store(), code, entries)
    typer.echo(f"gemeente {code}: {count} tarieven geladen")


@tarieven_app.command("show")
def show(
    gemeente: Annotated[str, typer.Option("--gemeente", help="The gemeente (CBS code).")],
    aanbieder: Annotated[str | None, typer.Option("--aanbieder", help="Only this aanbieder (AGB code).")] = None,
    on: Annotated[str | None, typer.Option("--on", help="Only tariffs valid on this date (ISO).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The gemeente's tariff table as CSV (what `load` reads back), or JSON; exit 1 when it has none."""
    from gateway.store.tarieven import tarieven_of
    from gateway.tarieven import to_csv

    code = _gemeente(gemeente)
    try:
        day = date.fromisoformat(on) if on else None
    except ValueError:
        raise typer.BadParameter(f"not an ISO date: {on!r}") from None
    found = tarieven_of(current().store(), code, aanbieder=aanbieder, on=day)
    if not found:
        typer.echo(f"gemeente {code}: geen tarieven (TR418 is niet van toepassing zonder tarieventabel)", err=True)
        raise typer.Exit(1)
    if as_json:
        typer.echo(json.dumps([t.to_dict() for t in found], indent=1))
    else:
        typer.echo(to_csv(found), nl=False)


def register(app: typer.Typer) -> None:
    """Add `tarieven` to the ketenpoort CLI."""
    app.add_typer(tarieven_app, name="tarieven")
