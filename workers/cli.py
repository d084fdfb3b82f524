"""Commands that run the pipeline's workers, plugged into ``ketenpoort`` by entry point."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the worker commands to the ``ketenpoort`` command line."""
    del app  # the pipeline commands arrive with the pipeline issue
