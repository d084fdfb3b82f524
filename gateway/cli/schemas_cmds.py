"""``ketenpoort schemas install stuf-jz`` and ``ketenpoort schemas status``: the official StUF-JZ package."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from gateway.app import current
from gateway.stufjz_install import (
    MAX_ZIP_BYTES,
    OFFICIAL_URL,
    PINNED_SHA256,
    InstallError,
    download,
    install,
    install_dir,
    installed_package,
)

schemas_app = typer.Typer(help="Official schema packages installed into the data directory.", no_args_is_help=True)


class _Package(StrEnum):
    STUF_JZ = "stuf-jz"


@schemas_app.command("install")
def install_command(
    package: Annotated[_Package, typer.Argument(help="The package: stuf-jz (StUF-Jeugdzorg 1.0.9, normative).")],
    from_zip: Annotated[
        Path | None, typer.Option("--from", help="The zip as published by VNG, already downloaded.")
    ] = None,
    url: Annotated[
        str | None, typer.Option("--url", help=f"Download the zip from this https address (VNG's: {OFFICIAL_URL}).")
    ] = None,
    sha256: Annotated[
        str,
        typer.Option("--sha256", help="Expected sha256; change only for a package you deliberately chose."),
    ] = PINNED_SHA256,
) -> None:
    """Check the zip against its sha256, repair it for lxml, compile it and install it into the data directory."""
    if (from_zip is None) == (url is None):
        typer.echo("give exactly one of --from ZIP or --url URL", err=True)
        raise typer.Exit(2)
    try:
        if from_zip is not None:
            if from_zip.stat().st_size > MAX_ZIP_BYTES:
                raise InstallError(f"{from_zip} is larger than {MAX_ZIP_BYTES} bytes")
            data = from_zip.read_bytes()
        else:
            assert url is not None
            data = download(url)
        done = install(data, current().settings.data_dir, expected_sha256=sha256)
    except (InstallError, OSError) as exc:
        typer.echo(f"{package.value}: not installed: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{package.value} 1.0.9 installed at {done.root} (sha256 {done.sha256})")
    for name in done.messages:
        typer.echo(f"  {name}")
    typer.echo("StUF-Jeugdzorg message content is now validated; restart running gateways to pick it up.")


@schemas_app.command("status")
def status_command() -> None:
    """Say whether the StUF-Jeugdzorg package is installed, i.e. whether message content is checked."""
    data_dir = current().settings.data_dir
    found = installed_package(data_dir)
    if found is None:
        typer.echo(
            f"stuf-jz: NOT INSTALLED (expected at {install_dir(data_dir)}): StUF-Jeugdzorg content is not "
            "validated; install with `ketenpoort schemas install stuf-jz --from ZIP`"
        )
        raise typer.Exit(1)
    typer.echo(f"stuf-jz: installed at {found}: StUF-Jeugdzorg message content is validated")


def register(app: typer.Typer) -> None:
    """Add ``schemas`` to the ``ketenpoort`` command line."""
    app.add_typer(schemas_app, name="schemas")
