"""The ``ketenpoort`` command line (Typer). Each command group lives in its own module."""

from __future__ import annotations

import importlib
from enum import StrEnum
from importlib.metadata import entry_points
from typing import Annotated

import typer

from gateway.app import begin
from gateway.errors import SchemaRegistryError
from gateway.logs import configure_logging, request_format, requested_format
from gateway.paths import DataFilesMissingError

app = typer.Typer(
    name="ketenpoort",
    help="Ketenpoort: validate, relay and account for youth-care (iJw, CORV) messages.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

COMMAND_MODULES = (
    "gateway.cli.validate_cmd",
    "gateway.cli.rules_cmds",
    "gateway.cli.generate_cmd",
    "gateway.cli.mapping_cmds",
    "gateway.cli.pipeline_cmds",
    "gateway.cli.serve_cmds",
    "gateway.cli.retour_cmd",
    "gateway.cli.init_cmd",
    "gateway.cli.schemas_cmds",
    "gateway.cli.tarieven_cmds",
)


class _LogFormat(StrEnum):
    AUTO = "auto"
    JSON = "json"
    CONSOLE = "console"


@app.callback()
def _root(
    log_format: Annotated[
        _LogFormat | None,
        typer.Option(
            "--log-format",
            help="json (one JSON object per line) or console; default KETENPOORT_LOG_FORMAT, else auto: "
            "console, JSON under `run` (and `serve`/`worker` off a terminal).",
        ),
    ] = None,
) -> None:
    """Configure logging from the settings (and --log-format) before any command runs."""
    request_format(None if log_format is None else log_format.value)
    settings = begin().settings  # this invocation's installation: every command takes its parts from it
    configure_logging(requested_format(settings.log_format), settings.log_level)


PLUGIN_GROUP = "ketenpoort.commands"
"""Entry-point group through which `workers` adds its commands (worker, run, demo).

``gateway`` never imports ``workers``; the worker package plugs its commands in here, the
way pytest plugins do, so ``ketenpoort`` and ``python -m gateway`` offer one command line.
"""


def _register_all() -> None:
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:  # a command group that is not part of this build
            if exc.name != name:
                raise
            continue
        module.register(app)
    for plugin in entry_points(group=PLUGIN_GROUP):
        plugin.load()(app)


_register_all()


def main() -> None:
    """Console-script entry point; a missing or broken bundled schema or table ends the command with its reason."""
    try:
        app()
    except (SchemaRegistryError, DataFilesMissingError) as exc:
        typer.echo(f"ketenpoort: {exc}", err=True)
        raise SystemExit(2) from None


__all__ = ["app", "main"]
