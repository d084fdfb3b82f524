"""``ketenpoort serve`` and ``ketenpoort senders add|list``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gateway.api.auth import Role, add_sender, load_senders
from gateway.app import current


def _senders_file(path: Path | None) -> Path:
    chosen = path or current().settings.senders_file
    if chosen is None:
        typer.echo("no senders file: pass --file or set KETENPOORT_SENDERS_FILE", err=True)
        raise typer.Exit(2)
    return chosen


def register(app: typer.Typer) -> None:
    """Add the serve and senders commands."""
    senders = typer.Typer(help="Manage API senders and their tokens.", no_args_is_help=True)

    @app.command()
    def serve(
        host: Annotated[str | None, typer.Option(help="Bind address (default KETENPOORT_API_HOST).")] = None,
        port: Annotated[int | None, typer.Option(help="Port (default KETENPOORT_API_PORT).")] = None,
    ) -> None:
        """Serve the HTTP API and dashboard."""
        from gateway.api.server import serve as run_server
        from gateway.errors import StoreError
        from gateway.logs import configure_logging, requested_format

        settings = current().settings
        configure_logging(requested_format(settings.log_format), settings.log_level, auto_json=None)
        try:
            run_server(settings, host, port)
        except StoreError as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(2) from None

    @senders.command("add")
    def add(
        name: str,
        identity: Annotated[list[str], typer.Option("--identity", help="AGB code, gemeentecode or OIN; repeatable.")],
        role: Annotated[Role, typer.Option(help="sender, receiver or operator.")] = Role.SENDER,
        file: Annotated[Path | None, typer.Option(help="Senders TOML (default KETENPOORT_SENDERS_FILE).")] = None,
    ) -> None:
        """Create a sender and print its token once; only its hash is stored."""
        try:
            token = add_sender(_senders_file(file), name, identity, role)
        except ValueError as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(2) from None
        typer.echo(token)

    @senders.command("list")
    def list_senders(
        file: Annotated[Path | None, typer.Option(help="Senders TOML (default KETENPOORT_SENDERS_FILE).")] = None,
    ) -> None:
        """List senders, their role and identities (never tokens)."""
        for s in load_senders(_senders_file(file)).senders:
            typer.echo(f"{s.name}\t{s.role.value}\t{','.join(sorted(s.identities))}")

    app.add_typer(senders, name="senders")
