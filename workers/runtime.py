"""Assemble a running worker from settings: the store, the deliverer, the pseudonymiser, the stage handlers.

``ketenpoort worker``, ``run`` and ``demo`` all build their worker here, so the three commands
run exactly the same pipeline; tests build theirs the same way with their own store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

import sqlalchemy as sa

from gateway.bounds import Bounds
from gateway.config import Settings
from gateway.model import Stage
from gateway.ports import PipelineStore
from gateway.pseudonym import Pseudonymiser, pseudonymiser_for
from gateway.relay import Deliverer, Routes, destination_of
from gateway.store import Store
from gateway.store import open_store as open_settings_store
from workers.instrument import timed_all
from workers.lanes import LaneConfig
from workers.loop import Handler, Job, Worker
from workers.pipeline import BatchReads, handlers
from workers.stages.retention import RetentionStore, retention_handler
from workers.stages.retour import retour_handler

if TYPE_CHECKING:
    from gateway.store.attempts import AttemptLog

ALL_STAGES: tuple[Stage, ...] = (Stage.VALIDATE, Stage.MAP, Stage.RELAY, Stage.RETENTION, Stage.RETOUR)


def open_store(settings: Settings) -> Store:
    """The store for ``settings.database_url``, migrated to the current schema (a failure: StoreError)."""
    return open_settings_store(settings, migrate=True)


def parse_stages(text: str | Iterable[str]) -> tuple[Stage, ...]:
    """``"validate,map"`` → (Stage.VALIDATE, Stage.MAP); unknown names raise ValueError."""
    names = text.split(",") if isinstance(text, str) else list(text)
    out: list[Stage] = []
    for raw in names:
        name = raw.strip().lower()
        if name and Stage(name) not in out:
            out.append(Stage(name))
    if not out:
        raise ValueError("no stages given")
    return tuple(out)


def stage_handlers(
    store: PipelineStore,
    deliverer: Deliverer,
    pseudonymiser: Pseudonymiser,
    settings: Settings,
    stages: Sequence[Stage] = ALL_STAGES,
    *,
    reads: BatchReads | None = None,
    attempts: AttemptLog | None = None,
) -> dict[Stage, Handler]:
    """The handlers of ``stages`` only, so a worker claims no job it was not asked to run."""
    every = handlers(
        store,
        deliverer,
        pseudonymiser,
        max_bytes=settings.max_message_bytes,
        bounds=Bounds.from_settings(settings),
        map_on_accept=Stage.MAP in stages,
        reads=reads,
        attempts=attempts,
    )
    if isinstance(store, RetentionStore):
        every[Stage.RETENTION] = retention_handler(store, settings)
    if callable(getattr(store, "prepare_retour", None)):
        every[Stage.RETOUR] = retour_handler(store, deliverer)  # type: ignore[arg-type]
    return timed_all({stage: every[stage] for stage in stages if stage in every})


def destination_lane(reads: BatchReads, routes: Routes) -> Callable[[Job], str]:
    """A relay job's lane: the destination (host:port) its message's receiver is routed to."""
    cache: dict[str, str] = {}

    def lane_of(job: Job) -> str:
        msg = reads.peek(job.message_id or "")
        receiver = (msg.receiver or "") if msg is not None else ""
        lane = cache.get(receiver)
        if lane is None:
            url = routes.resolve(receiver)
            lane = cache[receiver] = destination_of(url) if url else ""
        return lane

    return lane_of


def _forgetting(attempts: AttemptLog) -> Callable[[list[Job]], None]:
    def forget(jobs: list[Job]) -> None:
        attempts.forget([job.message_id for job in jobs if job.message_id])

    return forget


def build_worker(
    store: PipelineStore,
    settings: Settings,
    *,
    stages: Sequence[Stage] = ALL_STAGES,
    concurrency: int = 1,
    deliverer: Deliverer | None = None,
    pseudonymiser: Pseudonymiser | None = None,
) -> tuple[Worker, Deliverer]:
    """A Worker over ``store`` and the Deliverer it uses (the caller closes it)."""
    if deliverer is None:
        relays = (
            Stage.RELAY in stages
            or Stage.RETOUR in stages
            or settings.routes_file is not None
            or settings.default_route is not None
        )
        deliverer = Deliverer.from_settings(settings) if relays else Deliverer(Routes())
    pseudonymiser = pseudonymiser if pseudonymiser is not None else pseudonymiser_for(settings)
    ensure = getattr(store, "ensure_retention_job", None)
    if Stage.RETENTION in stages and callable(ensure):
        ensure()  # one recurring retention job; finishing it schedules the next run
    lanes = attempts = None
    engine = getattr(getattr(store, "db", store), "engine", None)  # a Store keeps it on its Database
    relay_lanes = Stage.RELAY in stages and settings.relay_threads > 0
    if relay_lanes and isinstance(engine, sa.Engine):  # a SQL store (not a fake): its attempt log
        from gateway.store.attempts import AttemptLog  # only where gateway.store exists

        attempts = AttemptLog.for_store(engine, threads=settings.relay_threads)
    reads = BatchReads(store, max_bytes=settings.batch_bytes, attempts=attempts)
    if relay_lanes:
        lanes = LaneConfig(
            frozenset({Stage.RELAY}),
            destination_lane(reads, deliverer.routes),
            threads=settings.relay_threads,
            per_lane=settings.relay_per_destination,
            group_s=settings.relay_group_ms / 1000.0,
            group_max=settings.batch_size,
            after_commit=_forgetting(attempts) if attempts is not None else None,
            on_close=attempts.close if attempts is not None else None,
        )
    worker = Worker(
        store,
        stage_handlers(store, deliverer, pseudonymiser, settings, stages, reads=reads, attempts=attempts),
        concurrency=concurrency,
        lease_s=settings.lease_s,
        poll_interval_s=settings.poll_interval_s,
        batch_size=settings.batch_size,
        max_attempts=settings.max_job_attempts,
        on_claimed=reads.load,
        lanes=lanes,
    )
    return worker, deliverer


__all__ = ["ALL_STAGES", "build_worker", "open_store", "parse_stages", "stage_handlers"]
