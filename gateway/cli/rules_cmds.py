"""``ketenpoort rules list``: which official rules the gateway checks, with their retourcodes."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from gateway.rules import RULES
from gateway.rules.catalogue import coverage

rules_app = typer.Typer(help="The iJw business rules the gateway checks.", no_args_is_help=True)


@rules_app.command("list")
def list_command(
    as_json: Annotated[bool, typer.Option("--json", help="A JSON array, one object per rule.")] = False,
    show_coverage: Annotated[
        bool,
        typer.Option("--coverage", help="Every rule of the iJw 3.2 catalogue: implemented, not applicable, missing."),
    ] = False,
) -> None:
    """Print every implemented rule id with its retourcode, message types and description."""
    if show_coverage:
        _print_coverage(as_json=as_json)
        return
    rules = sorted(RULES.values(), key=lambda r: r.id)
    if as_json:
        sys.stdout.write(json.dumps([r.to_dict() for r in rules], ensure_ascii=False, indent=2) + "\n")
        return
    table = Table(title=f"{len(rules)} rules", show_lines=False)
    for column in ("rule", "retourcode", "berichten", "versies", "history", "omschrijving"):
        table.add_column(column, overflow="fold")
    for r in rules:
        table.add_row(
            r.id,
            r.retourcode,
            " ".join(sorted(r.message_types)),
            " ".join(sorted(r.versions)),
            "yes" if r.needs_history else "",
            r.description,
        )
    Console(width=200).print(table)


def _print_coverage(*, as_json: bool) -> None:
    found = coverage()
    if as_json:
        sys.stdout.write(json.dumps([c.to_dict() for c in found], ensure_ascii=False, indent=2) + "\n")
        return
    counts = {status: sum(c.status == status for c in found) for status in ("implemented", "not applicable", "missing")}
    title = f"{len(found)} catalogue rules: " + ", ".join(f"{n} {status}" for status, n in counts.items())
    table = Table(title=title, show_lines=False)
    for column in ("rule", "map", "status", "waarom"):
        table.add_column(column, overflow="fold")
    for c in found:
        table.add_row(c.id, c.folder, c.status, c.why)
    Console(width=200).print(table)


def register(app: typer.Typer) -> None:
    """Add the ``rules`` group to the main app."""
    app.add_typer(rules_app, name="rules")
