"""How a worker runs relay jobs on lanes: what :func:`workers.runtime.build_worker` reads from the settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from gateway.contracts import Job
from gateway.model import Stage

from .modes import INLINE_S


@dataclass(frozen=True, slots=True)
class LaneConfig:
    """How a worker runs the jobs of ``stages`` on lanes: ``lane_of`` names a job's lane (its destination)."""

    stages: frozenset[Stage]
    lane_of: Callable[[Job], str]
    threads: int = 16
    """Relay threads per worker process: also the most attempts posted and not yet durable at a kill."""
    per_lane: int = 4
    """The most POSTs to one destination at once."""
    group_s: float = 0.05
    """How long the committer lets outcomes gather before it commits them together."""
    group_max: int = 128
    """Commit at once when this many outcomes wait."""
    after_commit: Callable[[list[Job]], None] | None = None
    """Called with the jobs whose outcomes were just committed (the attempt log forgets them)."""
    on_close: Callable[[], None] | None = None
    """Called once the lanes have stopped (closes the attempt log)."""
    inline_s: float = INLINE_S
    """How long the worker thread waits for a job to a healthy destination (see :mod:`workers.lanes`)."""
