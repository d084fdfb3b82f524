"""Commands that run the pipeline's workers, plugged into ``ketenpoort`` by entry point.

``worker`` runs stage workers against the configured store; ``run`` is the single-machine
default (the API and a worker in one process); ``demo`` is the main job end to end on a fresh
embedded store with a loopback receiver.
"""

from __future__ import annotations

import contextlib
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from gateway.app import current
from gateway.config import Settings
from gateway.errors import StoreError
from gateway.model import Stage
from gateway.relay import RouteConfigError

if TYPE_CHECKING:
    from gateway.store import Store
    from workers.checkpointer import Checkpointer


def register(app: typer.Typer) -> None:
    """Add ``worker``, ``run`` and ``demo`` to the ``ketenpoort`` command line."""
    app.command()(worker)
    app.command()(run)
    app.command()(demo)
    app.command()(receiver)


def worker(
    stages: Annotated[
        str, typer.Option(help="Comma-separated stages to run: validate, map, relay, retention, retour, vsp-pull.")
    ] = "validate,map,relay,retention,retour",
    concurrency: Annotated[int, typer.Option(min=1, help="Worker threads in this process.")] = 1,
) -> None:
    """Claim and run pipeline jobs until SIGTERM (which finishes the job in hand first)."""
    from gateway.logs import configure_logging, requested_format
    from workers.runtime import build_worker, parse_stages

    settings = current().settings
    configure_logging(requested_format(settings.log_format), settings.log_level, auto_json=None)
    names = [name.strip() for name in stages.split(",") if name.strip()]
    pulls = "vsp-pull" in names
    names = [name for name in names if name != "vsp-pull"]
    try:
        chosen = parse_stages(names) if names or not pulls else ()
    except ValueError as exc:
        typer.echo(f"--stages: {exc}", err=True)
        raise typer.Exit(2) from None
    if pulls:
        _pull(settings, chosen, concurrency)
        return
    try:
        store = current().store(migrate=True)
        loop, deliverer = build_worker(store, settings, stages=chosen, concurrency=concurrency)
    except (StoreError, RouteConfigError) as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    loop.install_signal_handlers()
    typer.echo(f"worker {loop.worker_id}: stages {', '.join(map(str, chosen))}; SIGTERM or Ctrl-C stops it", err=True)
    checkpointer = _checkpointer(store, settings)
    try:
        loop.run()
    finally:
        if checkpointer is not None:
            checkpointer.stop()
        deliverer.close()
        _close(store)
        typer.echo(f"worker {loop.worker_id} stopped after {loop.jobs_run} jobs", err=True)


def _pull(settings: Settings, stages: tuple[Stage, ...], concurrency: int) -> None:
    """``--stages vsp-pull[,...]``: the VSP puller, beside a worker for the other stages if any were named."""
    from workers.runtime import build_worker
    from workers.vsp_pull import build_puller, stop_on_signals

    try:
        store = current().store(migrate=True)
        puller = build_puller(store, settings)
        loop, deliverer = (
            build_worker(store, settings, stages=stages, concurrency=concurrency) if stages else (None, None)
        )
    except (StoreError, RouteConfigError, ValueError) as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    thread = None
    if loop is not None:
        loop.install_signal_handlers()
        thread = threading.Thread(target=loop.run, name="worker", daemon=True)
        thread.start()
    stop_on_signals(puller, then=loop.request_stop if loop is not None else None)
    try:
        puller.run()
    finally:
        if loop is not None and thread is not None:
            loop.request_stop()
            thread.join()
        if deliverer is not None:
            deliverer.close()
        puller.client.close()
        _close(store)


def run(
    host: Annotated[str | None, typer.Option(help="API bind address (default KETENPOORT_API_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="API port (default KETENPOORT_API_PORT).")] = None,
    concurrency: Annotated[int, typer.Option(min=1, help="Worker threads beside the API.")] = 2,
) -> None:
    """The single-machine default: the HTTP API and a worker for every stage in one process."""
    from gateway.api.server import serve
    from gateway.logs import configure_logging, requested_format
    from workers.runtime import build_worker

    settings = current().settings
    configure_logging(requested_format(settings.log_format), settings.log_level, auto_json=True)
    try:
        store = current().store(migrate=True)
        loop, deliverer = build_worker(store, settings, concurrency=concurrency)
    except (StoreError, RouteConfigError) as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    # uvicorn handles SIGTERM/SIGINT while it serves and re-raises the signal after shutdown; with our
    # handler in place that re-raise asks the worker to finish its jobs in hand instead of killing the process
    loop.install_signal_handlers()
    thread = threading.Thread(target=loop.run, name="worker", daemon=True)
    thread.start()
    checkpointer = _checkpointer(store, settings)
    try:
        serve(settings, host, port, store=store)
    finally:
        loop.request_stop()  # the jobs in hand are finished before the process exits
        thread.join()
        if checkpointer is not None:
            checkpointer.stop()
        deliverer.close()
        _close(store)


def demo(
    data_dir: Annotated[
        Path | None, typer.Option(help="Keep the store here (default: a temporary directory, removed after).")
    ] = None,
    concurrency: Annotated[int, typer.Option(min=1, help="Worker threads.")] = 3,
    verbose: Annotated[bool, typer.Option(help="Show the pipeline's log lines too.")] = False,
    channels: Annotated[
        bool, typer.Option(help="Also send one message over each partner channel (VSP, CORV, GGk) on loopback.")
    ] = True,
) -> None:
    """Run the main job on the embedded SQLite store with a loopback receiver, and print what happened."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from gateway.logs import configure_logging, requested_format
    from workers.demo import run_demo

    settings = current().settings
    if not verbose:
        configure_logging(requested_format(settings.log_format), "WARNING")
    columns = (TextColumn("pipeline"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with tempfile.TemporaryDirectory(prefix="ketenpoort-demo-") as tmp, Progress(*columns, transient=True) as bar:
        task = bar.add_task("pipeline", total=None)
        where = data_dir if data_dir is not None else Path(tmp)
        where.mkdir(parents=True, exist_ok=True)
        try:
            report = run_demo(
                where,
                concurrency=concurrency,
                vsp=channels,
                channels=channels,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
        except StoreError as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(2) from None
    for line in report.lines():
        typer.echo(line)
    ggk_ok = True
    if channels:
        from workers.demo_ggk import run_ggk_demo

        with tempfile.TemporaryDirectory(prefix="ketenpoort-demo-ggk-") as tmp:
            ggk_ok, ggk_lines = run_ggk_demo(data_dir if data_dir is not None else Path(tmp))
        for line in ggk_lines:
            typer.echo(line)
    if data_dir is not None:
        typer.echo(f"store kept in {data_dir / 'ketenpoort.db'}")
    if not report.ok or not ggk_ok:
        typer.echo("demo did not finish cleanly", err=True)
        raise typer.Exit(1)


def receiver(
    host: Annotated[str, typer.Option(help="Bind address.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 9000,
) -> None:
    """A stand-in partner endpoint: answers every POST 200 and logs its arrival (compose's demo receiver)."""
    from gateway.logs import configure_logging, requested_format
    from workers.receiver import DemoReceiver

    settings = current().settings
    configure_logging(requested_format(settings.log_format), settings.log_level, auto_json=None)
    with DemoReceiver(host, port, announce=True) as rx:
        typer.echo(f"demo receiver listening on {rx.url}", err=True)
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C ends it; in a container SIGTERM does
            threading.Event().wait()


def _checkpointer(store: Store, settings: Settings) -> Checkpointer | None:
    """The running audit checkpointer when a key is configured."""
    from workers.checkpointer import Checkpointer

    made = Checkpointer.from_settings(store, settings)
    return made.start() if made is not None else None


def _close(store: Store) -> None:
    store.close()


__all__ = ["demo", "receiver", "register", "run", "worker"]
