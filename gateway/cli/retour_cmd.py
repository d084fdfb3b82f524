"""``ketenpoort retour``: write the iJw retourbericht or StUF Bv03/Fo03 for one message."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from gateway.app import current
from gateway.retour import retour_for
from gateway.validation import inspect


def retour_command(
    file: Annotated[Path, typer.Argument(help="The heenbericht (iJw) or Di01 (StUF-Jeugdzorg).")],
    out: Annotated[Path | None, typer.Option("-o", "--output", help="Write here instead of stdout.")] = None,
) -> None:
    """Write the retour/acknowledgement for FILE; exit 1 when no retour applies."""
    try:
        data = file.read_bytes()
    except OSError as exc:
        typer.echo(f"cannot read {file}: {exc.strerror or type(exc).__name__}", err=True)
        raise typer.Exit(2) from None
    retour = retour_for(inspect(data, bounds=current().bounds))
    if retour is None:
        typer.echo(f"no retour applies to {file}", err=True)
        raise typer.Exit(1)
    if out is None:
        sys.stdout.buffer.write(retour)
        sys.stdout.buffer.flush()
    else:
        out.write_bytes(retour)


def register(app: typer.Typer) -> None:
    """Add ``retour`` to the ketenpoort command line."""
    app.command("retour")(retour_command)
