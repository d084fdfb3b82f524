"""``ketenpoort validate``: the verdict on files or directories of messages."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from gateway.app import current
from gateway.bsn import scrub_error
from gateway.errors import GatewayError
from gateway.model import Finding, ValidationResult
from gateway.schemas import SchemaRegistry, registry_for, stuf_jz_content_checked
from gateway.validation import validate_file

EXIT_VALID, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def _files(paths: list[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*.xml") if p.is_file())
        else:
            yield path


def _io_error(path: Path, exc: OSError) -> ValidationResult:
    reason = exc.strerror or type(exc).__name__
    message = scrub_error(f"cannot read {path}: {reason}")
    return ValidationResult(well_formed=False, errors=[Finding(kind="xml", message=message)])


def _describe(err: Finding) -> str:
    where = f"line {err.line}: " if err.line else ""
    code = " ".join(x for x in (err.rule, err.retourcode) if x)
    label = f"[{err.kind}{' ' + code if code else ''}]"
    return f"{where}{label} {err.message}"


def _table(rows: list[tuple[Path, ValidationResult]]) -> Table:
    table = Table(title="Ketenpoort validation", show_lines=True)
    table.add_column("file", overflow="fold")
    table.add_column("message", no_wrap=True)
    table.add_column("verdict", no_wrap=True)
    table.add_column("findings", overflow="fold", ratio=3)
    for path, result in rows:
        kind = f"{result.message_type or '?'} {result.version or ''}".strip()
        verdict = "[green]valid[/]" if result.valid else "[red]invalid[/]"
        findings = "\n".join(escape(_describe(err)) for err in result.errors)
        if result.total > len(result.errors):
            findings += f"\n… {result.total - len(result.errors):,} more findings not shown ({result.total:,} in all)"
        table.add_row(escape(str(path)), kind, verdict, findings)
    return table


def validate_command(
    paths: Annotated[list[Path], typer.Argument(help="Files, or directories searched for *.xml.")],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per file per line.")] = False,
    schema_dir: Annotated[
        list[Path] | None,
        typer.Option("--schema-dir", help="Extra XSD package directory (repeatable); wins over bundled."),
    ] = None,
) -> None:
    """Validate messages against their XSD and the business rules."""

    extra = tuple(current().settings.schema_dirs) + tuple(schema_dir or ())
    missing = [p for p in paths if not p.exists()]
    if missing:
        typer.echo(f"error: no such file or directory: {', '.join(map(str, missing))}", err=True)
        raise typer.Exit(EXIT_USAGE)
    try:
        registry: SchemaRegistry = registry_for(tuple(p.resolve() for p in extra))
    except GatewayError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    rows: list[tuple[Path, ValidationResult]] = []
    io_failed = False
    files = list(_files(paths))
    bar = Progress(
        TextColumn("validate"), BarColumn(), MofNCompleteColumn(), console=Console(stderr=True), transient=True,
        disable=as_json or len(files) < 50,
    )  # fmt: skip
    task = bar.add_task("validate", total=len(files))
    with bar:
        for path in files:
            bar.advance(task)
            result, failed = _validate_one(path, registry)
            io_failed |= failed
            rows.append((path, result))
            if as_json:
                sys.stdout.write(json.dumps({"file": str(path), **result.to_dict()}, ensure_ascii=False) + "\n")
                sys.stdout.flush()
    if not as_json:
        Console().print(_table(rows))
        valid = sum(r.valid for _, r in rows)
        typer.echo(f"{len(rows)} files: {valid} valid, {len(rows) - valid} invalid", err=True)
    if any(r.standard == "stuf-jz" for _, r in rows) and not stuf_jz_content_checked(registry):
        typer.echo(
            "WARNING: StUF-Jeugdzorg checked on its envelope only: content NOT validated; "
            "install the package: ketenpoort schemas install stuf-jz",
            err=True,
        )
    if io_failed:
        raise typer.Exit(EXIT_USAGE)
    raise typer.Exit(EXIT_VALID if all(r.valid for _, r in rows) else EXIT_INVALID)


def _validate_one(path: Path, registry: SchemaRegistry) -> tuple[ValidationResult, bool]:
    """The verdict on one file, and whether it could not be read; a missing gateway data file ends the command."""
    try:
        return validate_file(path, registry=registry), False
    except OSError as exc:
        if exc.filename is not None and Path(exc.filename) != path:
            # A gateway data file is missing: an installation fault, not this message's.
            typer.echo(
                f"error: cannot read {exc.filename}: {exc.strerror}; is KETENPOORT_HOME a folder with "
                "schemas/ and mappings/?",
                err=True,
            )
            raise typer.Exit(EXIT_USAGE) from None
        return _io_error(path, exc), True


def register(app: typer.Typer) -> None:
    """Add ``validate`` to the main app."""
    app.command("validate")(validate_command)


__all__ = ["register", "validate_command"]
