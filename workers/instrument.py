"""Stage timing for ``ketenpoort_stage_seconds``: each handler wrapped once, at assembly.

A job's time is its handler's work (no transaction open) plus its commit, which the loop makes
later inside the batch's transaction; a job whose commit is held back for its conversation is
observed when it runs again. One ``observe`` per job.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from gateway.metrics import STAGE_SECONDS
from gateway.model import Stage
from workers.loop import Commit, Handler, Job


def timed(stage: Stage, handler: Handler) -> Handler:
    """``handler`` observing its job's seconds (work and commit) under ``stage``."""
    histogram = STAGE_SECONDS.labels(str(stage))
    clock = time.perf_counter

    def run(job: Job) -> Commit | None:
        started = clock()
        commit = handler(job)
        worked = clock() - started
        if commit is None:
            histogram.observe(worked)
            return None
        inner = commit

        def committed() -> None:
            begun = clock()
            inner()
            histogram.observe(worked + clock() - begun)

        return committed

    return run


def timed_all(handlers: Mapping[Stage, Handler]) -> dict[Stage, Handler]:
    """Every handler of ``handlers``, timed."""
    return {stage: timed(stage, handler) for stage, handler in handlers.items()}


__all__ = ["timed", "timed_all"]
