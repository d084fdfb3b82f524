"""`ketenpoort generate`: write seeded synthetic iJw 3.2 / StUF-Jeugdzorg messages to a directory."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from gateway.generate.ijw import large_jw323
from gateway.generate.stuf import stuf_traffic
from gateway.generate.traffic import TYPES, ijw23_jw303, ijw_traffic

CHOICES = (*sorted(TYPES), "JW303", "traffic", "stuf")
"""iJw 3.2 types, JW303 (iJw 2.3 declaratie/factuur), a weighted iJw 3.2 mix, StUF-JZ Di01 messages."""
MANIFEST = "expected.jsonl"


def generate_command(
    out: Annotated[Path, typer.Option("--out", help="Directory to write the messages to.")],
    *,
    message_type: Annotated[
        str, typer.Option("--type", help=f"One of {', '.join(CHOICES)} (traffic = a weighted mix of all iJw types).")
    ] = "traffic",
    count: Annotated[int, typer.Option("--count", min=1)] = 1,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    invalid_ratio: Annotated[
        float, typer.Option("--invalid-ratio", min=0.0, max=1.0, help="Fraction of iJw messages broken on purpose.")
    ] = 0.0,
    duplicate_ratio: Annotated[
        float, typer.Option("--duplicate-ratio", min=0.0, max=1.0, help="Fraction of StUF Di01 sent twice.")
    ] = 0.02,
    prestaties: Annotated[
        int | None,
        typer.Option("--prestaties", min=1, help="JW323: Prestaties in one declaratie; JW303: clients."),
    ] = None,
) -> None:
    """Write COUNT messages of TYPE; the same seed gives the same bytes.

    iJw runs also write expected.jsonl: per file the verdict the gateway must give it.
    """
    kind = message_type.upper() if message_type.upper() in (*TYPES, "JW303") else message_type.lower()
    if kind not in CHOICES:
        typer.echo(f"unknown --type {message_type}; choose from {', '.join(CHOICES)}", err=True)
        raise typer.Exit(2)
    out.mkdir(parents=True, exist_ok=True)
    if kind == "stuf":
        for name, data in stuf_traffic(count, seed, duplicate_ratio):
            (out / name).write_bytes(data)
    elif kind == "JW303":
        for i in range(count):
            (out / f"JW303_{seed}_{i:05d}.xml").write_bytes(ijw23_jw303(seed + i, clients=prestaties or 3))
    elif kind == "JW323" and prestaties is not None:
        for i in range(count):
            (out / f"JW323_{seed}_{i:05d}.xml").write_bytes(large_jw323(prestaties, seed + i))
    else:
        types = TYPES if kind == "traffic" else (kind,)
        with (out / MANIFEST).open("w", encoding="utf-8") as manifest:
            for message in ijw_traffic(count, seed, invalid_ratio, types=types):
                (out / message.name).write_bytes(message.data)
                row = {"file": message.name, "message_type": message.message_type, **message.expected.to_dict()}
                manifest.write(json.dumps(row) + "\n")
    typer.echo(f"wrote {count} {kind} message(s) to {out}")


def register(app: typer.Typer) -> None:
    """Add `generate` to the ketenpoort CLI."""
    app.command("generate")(generate_command)
