"""Store commands: ``migrate``, ``submit``, ``status``, ``dlq list|replay``, ``audit verify``, ``retention run``.

Each opens the store of ``KETENPOORT_DATABASE_URL`` (settings), does one thing and closes it.
Output for people by default; ``--json`` where a script wants to read it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from gateway.app import current
from gateway.stufjz_policy import WARNINGS, StufJzMode, stuf_jz_mode

if TYPE_CHECKING:
    from gateway.store import Store

dlq_app = typer.Typer(help="The dead-letter queue: messages the relay gave up on.", no_args_is_help=True)
audit_app = typer.Typer(help="The tamper-evident audit trail.", no_args_is_help=True)
retention_app = typer.Typer(help="Payload and metadata retention.", no_args_is_help=True)


def _open(*, migrate: bool = False) -> Store:

    return current().store(migrate=migrate)


def _operator() -> str:
    """The actor recorded for operator actions from the command line."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no user name in a bare container
        return "cli"


def migrate() -> None:
    """Upgrade the database schema to the current version."""
    store = _open()
    try:
        store.migrate()
        store.ensure_retention_job()
        typer.echo(f"schema current: {store.migrations_current()}")
    finally:
        store.close()


def _xml_files(paths: list[Path]) -> list[Path]:
    """Files as given; a directory stands for every ``*.xml`` below it (as ``validate`` reads them)."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out += sorted(p for p in path.rglob("*.xml") if p.is_file())
        else:
            out.append(path)
    return out


def submit(
    paths: Annotated[
        list[Path], typer.Argument(exists=True, readable=True, help="XML files, or directories searched for *.xml.")
    ],
    sender: Annotated[str | None, typer.Option(help="Sender id (default: the Afzender in the message).")] = None,
) -> None:
    """Store each file and its first job (files committed in batches); prints id and status per file, then a summary."""
    from collections import Counter

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from gateway.intake import submit_many

    files = _xml_files(paths)
    if not files:
        typer.echo("error: no *.xml files found in " + ", ".join(map(str, paths)), err=True)
        raise typer.Exit(2)
    settings = current().settings
    store = _open(migrate=True)
    counts: Counter[str] = Counter()
    columns = (TextColumn("submit"), BarColumn(), MofNCompleteColumn())
    try:
        with Progress(*columns, console=Console(stderr=True), transient=True, disable=len(files) < 50) as bar:
            task = bar.add_task("submit", total=len(files))
            payloads = (path.read_bytes() for path in files)
            results = submit_many(store, payloads, sender=sender, max_bytes=settings.max_message_bytes)
            for path, result in zip(files, results, strict=True):
                if result.duplicate_of is not None:
                    note = f" (same bytes as {result.duplicate_of}: nothing new stored)"
                elif result.resend_of is not None:
                    note = f" (same identification as {result.resend_of} with other bytes)"
                else:
                    note = ""
                counts["resend" if result.resend_of else str(result.status)] += 1
                typer.echo(f"{path}\t{result.message_id}\t{result.status}{note}")
                bar.advance(task)
    finally:
        store.close()
    summary = ", ".join(f"{count} {name}" for name, count in sorted(counts.items()))
    typer.echo(f"submitted {len(files)} files: {summary}", err=True)


def status(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Messages per status and jobs per state."""
    store = _open()
    try:
        messages, jobs = store.status_counts(), store.job_counts()
    finally:
        store.close()
    mode = stuf_jz_mode(current().settings.stuf_jz_envelope_only)
    if as_json:
        typer.echo(json.dumps({"messages": messages, "jobs": jobs, "stuf_jz": str(mode)}, sort_keys=True))
        return
    if mode is not StufJzMode.VALIDATED:
        typer.echo(f"WARNING: {WARNINGS[mode]}")
    typer.echo("messages:")
    for name, count in messages.items():
        typer.echo(f"  {name:<10} {count}")
    typer.echo("jobs:")
    for name, count in jobs.items():
        typer.echo(f"  {name:<10} {count}")


@dlq_app.command("list")
def dlq_list(as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False) -> None:
    """The dead messages, oldest first."""
    store = _open()
    try:
        dead = store.dead_letters()
        attempts = {m.id: store.deliveries(m.id) for m in dead}
    finally:
        store.close()
    for m in dead:
        last = attempts[m.id][-1] if attempts[m.id] else None
        row = {
            "id": m.id,
            "sender": m.sender,
            "receiver": m.receiver,
            "type": m.message_type,
            "attempts": m.relay_attempts,
            "last_status_code": last.status_code if last else None,
            "last_error": last.error if last else None,
            "received_at": m.received_at.isoformat(),
        }
        if as_json:
            typer.echo(json.dumps(row, sort_keys=True))
        else:
            typer.echo("\t".join("" if v is None else str(v) for v in row.values()))
    if not as_json:
        typer.echo(f"{len(dead)} dead", err=True)


@dlq_app.command("replay")
def dlq_replay(
    message_id: Annotated[str | None, typer.Argument(help="The dead message to relay again.")] = None,
    replay_all: Annotated[bool, typer.Option("--all", help="Replay every dead message.")] = False,
) -> None:
    """Put dead messages back on the relay queue with a fresh retry budget (audited)."""
    from gateway.store import NotDeadError

    if (message_id is None) == (not replay_all):
        typer.echo("give one message id or --all", err=True)
        raise typer.Exit(2)
    store = _open()
    try:
        if replay_all:
            done = store.replay_all(actor=_operator())
            typer.echo(f"replayed {len(done)}")
            return
        assert message_id is not None
        try:
            store.replay(message_id, actor=_operator())
        except KeyError:
            typer.echo(f"no message {message_id}", err=True)
            raise typer.Exit(1) from None
        except NotDeadError as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(1) from None
        typer.echo(f"replayed {message_id}")
    finally:
        store.close()


@audit_app.command("verify")
def audit_verify(
    checkpoints: Annotated[
        Path | None,
        typer.Option(help="Also hold the chain against the signed checkpoints in this file (or a JSON log)."),
    ] = None,
) -> None:
    """Exit 0 when the audit chain is intact (and agrees with every checkpoint), 1 with the first broken seq."""
    from gateway import checkpoints as cps

    key = _checkpoint_key() if checkpoints is not None else None
    records = cps.read(_lines(checkpoints)) if checkpoints is not None else []
    store = _open()
    try:
        result = store.verify_audit()
        if key is not None:
            with store.db.read() as conn:
                held = cps.check(conn, records, key)
    finally:
        store.close()
    if not result.ok:
        typer.echo(f"audit chain BROKEN at sequence {result.first_broken}", err=True)
        typer.echo(str(result.first_broken))
        raise typer.Exit(1)
    if key is None:
        typer.echo(f"audit chain intact: {result.events} events")
        return
    if not held.checkpoints:  # an emptied file must not pass for one that agrees
        typer.echo(f"no checkpoints in {checkpoints}", err=True)
        raise typer.Exit(1)
    if not held.ok:
        for finding in held.findings:
            typer.echo(
                f"audit chain REWRITTEN ({finding.problem}) at sequence {finding.seq}: {finding.detail} "
                f"(checkpoint of {finding.checkpoint_at})",
                err=True,
            )
        typer.echo(str(held.findings[0].seq))
        raise typer.Exit(1)
    typer.echo(f"audit chain intact: {result.events} events, agrees with {held.checkpoints} checkpoints")


@audit_app.command("checkpoint")
def audit_checkpoint() -> None:
    """Sign the chain's head now and publish it (log, KETENPOORT_AUDIT_CHECKPOINT_FILE, _URL)."""
    from gateway import checkpoints as cps

    settings = current().settings
    key = _checkpoint_key()
    store = _open()
    try:
        with store.db.read() as conn:
            checkpoint = cps.take(conn, key)
    finally:
        store.close()
    cps.publish(checkpoint, file=settings.audit_checkpoint_file, url=settings.audit_checkpoint_url)
    typer.echo(checkpoint.to_json())


def _checkpoint_key() -> bytes:
    secret = current().settings.audit_checkpoint_key
    if secret is None:
        typer.echo("set KETENPOORT_AUDIT_CHECKPOINT_KEY (the key that signs checkpoints)", err=True)
        raise typer.Exit(2)
    return secret.get_secret_value().encode()


def _lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        typer.echo(f"cannot read {path}: {exc.strerror}", err=True)
        raise typer.Exit(2) from None


@retention_app.command("run")
def retention_run() -> None:
    """Purge payloads of delivered (and, later, rejected) messages and old metadata, per the configured retention."""
    from gateway.retention import cutoffs

    settings = current().settings
    horizon = cutoffs(settings, datetime.now(UTC))
    store = _open()
    try:
        result = store.purge(horizon.payload_before, horizon.metadata_before, refused_before=horizon.refused_before)
    finally:
        store.close()
    typer.echo(
        f"payloads purged: {result.payloads_purged}, messages deleted: {result.messages_deleted}, "
        f"audit events pruned behind an anchor: {result.audit_events_pruned}"
    )


def register(app: typer.Typer) -> None:
    """Add the store commands to ``ketenpoort``."""
    app.command()(migrate)
    app.command()(submit)
    app.command()(status)
    app.add_typer(dlq_app, name="dlq")
    app.add_typer(audit_app, name="audit")
    app.add_typer(retention_app, name="retention")


__all__ = ["register"]
