"""The outcomes of jobs left with the lanes, until a worker's batch or the committer thread commits them.

A worker thread's next batch takes the outcomes waiting when it comes within ``group_s``
(:meth:`Outcomes.take`), else the committer thread commits them, in groups: one transaction for
up to ``group_max``, not one each.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import structlog

from gateway.contracts import Job, JobQueue

log = structlog.get_logger("workers.lanes")

Commit = Callable[[], None]


class Outcomes:
    """Outcomes waiting for their commit, and ``held``: the jobs left with the lanes, not yet committed or given back.

    Shares the lanes' lock through ``changes``, on which the committer and :meth:`Lanes.wait_idle` wait
    for outcomes and for ``held`` to fall. Methods named "under the lock" expect the caller to hold it.
    """

    def __init__(
        self,
        changes: threading.Condition,
        queue: JobQueue,
        guarded: Callable[[Job, Commit], None],
        *,
        group_s: float,
        group_max: int,
        after_commit: Callable[[list[Job]], None] | None,
        on_committed: Callable[[int], None] | None,
        clock: Callable[[], float],
    ) -> None:
        """``guarded``: runs a commit, turning a failure into a retry."""
        self._changes = changes
        self._queue = queue
        self._guarded = guarded
        self._group_s = group_s
        self._group_max = max(1, group_max)
        self._after_commit = after_commit
        self._on_committed = on_committed
        self._clock = clock
        self.held = 0
        """Jobs left with the lanes and not yet committed or given back: waiting, running, or awaiting their commit."""
        self._waiting: list[tuple[Job, Commit]] = []
        self._oldest = 0.0
        """When the oldest of ``_waiting`` arrived."""

    def __len__(self) -> int:
        """Outcomes waiting for their commit (under the lock)."""
        return len(self._waiting)

    def add(self, job: Job, commit: Commit) -> None:
        """A lane thread's outcome, for the next commit (under the lock)."""
        if not self._waiting:
            self._oldest = self._clock()
        self._waiting.append((job, commit))
        if len(self._waiting) in (1, self._group_max):  # the committer waits for these two
            self._changes.notify_all()

    def released(self, count: int) -> None:
        """``count`` held jobs were committed or given back (under the lock)."""
        self.held -= count
        self._changes.notify_all()

    def take(self) -> list[tuple[Job, Commit]]:
        """The outcomes waiting, for a worker thread to commit in its batch's transaction.

        The caller then calls :meth:`settled` with them, whether its commit held or rolled back.
        """
        with self._changes:
            group, self._waiting = self._waiting, []
            return group

    def settled(self, group: list[tuple[Job, Commit]], *, committed: bool) -> None:
        """``group`` (from :meth:`take`) committed, or rolled back (then its jobs are due again)."""
        if not group:
            return
        jobs = [job for job, _ in group]
        if committed:
            if self._after_commit is not None:
                self._after_commit(jobs)
        else:
            try:
                self._queue.release(jobs)
            except Exception:
                log.exception("lanes.release_failed", jobs=len(jobs))
        with self._changes:
            self.released(len(group))
        if committed and self._on_committed is not None:
            self._on_committed(len(group))

    def forget(self, jobs: list[Job]) -> None:
        """Jobs run here whose commits the worker made in its batch (the attempt log forgets them)."""
        if jobs and self._after_commit is not None:
            self._after_commit(jobs)

    def committer_main(self, closing: Callable[[], bool]) -> None:
        """The committer thread: commits the outcomes in groups until ``closing()`` and nothing is held."""
        while True:
            with self._changes:
                while not self._waiting and not (closing() and self.held == 0):
                    self._changes.wait()
                if not self._waiting:
                    return
                # let the outcomes of the moment gather (a worker's batch may take them meanwhile)
                while self._waiting and len(self._waiting) < self._group_max and not closing():
                    left = self._oldest + self._group_s - self._clock()
                    if left <= 0:
                        break
                    self._changes.wait(left)
                group, self._waiting = self._waiting, []
            if group:
                self._commit(group)

    def _commit(self, group: list[tuple[Job, Commit]]) -> None:
        committed = False
        try:
            with self._queue.batch():
                for job, commit in group:
                    self._guarded(job, commit)
            committed = True
        except Exception:  # rolled back: the jobs are due again at once (and posted again: the key dedupes)
            log.exception("lanes.commit_failed", jobs=len(group))
        finally:
            self.settled(group, committed=committed)
