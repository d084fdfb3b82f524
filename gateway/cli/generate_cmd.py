"""`ketenpoort generate`: write seeded synthetic iJw 3.2 messages to a directory."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gateway.generate.ijw import large_jw323, small_jw301

TYPES = ("JW301", "JW323")


def generate_command(
    out: Annotated[Path, typer.Option("--out", help="Directory to write the messages to.")],
    message_type: Annotated[str, typer.Option("--type", help="Message type: JW301 or JW323.")] = "JW323",
    count: Annotated[int, typer.Option("--count", min=1)] = 1,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    prestaties: Annotated[int, typer.Option("--prestaties", min=1, help="Prestatie lines per JW323.")] = 10,
) -> None:
    """Write COUNT messages of TYPE; the same seed gives the same bytes."""
    kind = message_type.upper()
    if kind not in TYPES:
        typer.echo(f"unknown --type {message_type}; choose from {', '.join(TYPES)}", err=True)
        raise typer.Exit(2)
    out.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        data = small_jw301(seed + i) if kind == "JW301" else large_jw323(prestaties, seed + i)
        (out / f"{kind}_{seed}_{i:05d}.xml").write_bytes(data)
    typer.echo(f"wrote {count} {kind} message(s) to {out}")


def register(app: typer.Typer) -> None:
    """Add `generate` to the ketenpoort CLI."""
    app.command("generate")(generate_command)
