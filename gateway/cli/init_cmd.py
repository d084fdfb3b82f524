"""``ketenpoort init``: make a fresh installation usable in one step (the container's first start runs it).

It brings the database schema up to date, makes sure the pseudonym key exists (configured, or
generated once into ``<data_dir>/pseudonym.key`` with mode 0600), and, when the senders file has
no operator yet, creates one and prints its token. The token is shown this one time; only its
hash is stored. Running it again changes nothing and prints no token.
"""

from __future__ import annotations

from typing import Annotated

import typer

from gateway.app import current

OPERATOR_NAME = "operator"


def init(
    operator: Annotated[str, typer.Option(help="Name of the first operator, when the senders file has none.")] = (
        OPERATOR_NAME
    ),
) -> None:
    """Migrate the database, create the pseudonym key, and create a first operator (its token printed once)."""
    from gateway.api.auth import Role, add_sender, load_senders
    from gateway.pseudonym import load_key

    settings = current().settings
    load_key(settings)  # generated on first use when KETENPOORT_PSEUDONYM_KEY is not set
    key_from = "KETENPOORT_PSEUDONYM_KEY" if settings.pseudonym_key is not None else str(settings.pseudonym_key_file)
    store = current().store(migrate=True)
    try:
        store.ensure_retention_job()
        typer.echo(f"schema current: {store.migrations_current()}")
    finally:
        store.close()
    typer.echo(f"pseudonym key: {key_from}")
    path = settings.senders_file
    if path is None:
        typer.echo("no KETENPOORT_SENDERS_FILE: nobody can log in or post until one is set", err=True)
        return
    if any(s.role is Role.OPERATOR for s in load_senders(path).senders):
        typer.echo(f"senders file {path}: an operator exists already (no token printed)")
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        token = add_sender(path, operator, [], Role.OPERATOR)
    except ValueError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    typer.echo(
        "\n".join(
            (
                "=" * 72,
                f"First operator {operator!r} created in {path}.",
                "Its token, shown only now (the file keeps its hash). Log in to the dashboard with it:",
                "",
                f"    {token}",
                "",
                "More senders: ketenpoort senders add NAME --identity ID [--role sender|receiver|operator]",
                "=" * 72,
            )
        )
    )


def register(app: typer.Typer) -> None:
    """Add ``init`` to the main app."""
    app.command("init")(init)


__all__ = ["init", "register"]
