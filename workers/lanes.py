"""Relay jobs on their own threads, one lane per destination, each outcome made durable within milliseconds.

Two faults of a worker thread that walks its batch in order and commits at the end:

- head-of-line blocking: with one receiver hanging for the read timeout per POST, every message
  of the batch behind a hung one waited, for other receivers too;
- redeliveries: a worker killed before its batch commit lost the outcomes of every POST of the
  batch that had been answered 2xx already (up to 128), and they were all posted again.

So the worker loop hands its relay jobs to :class:`Lanes`. Jobs wait in a queue per destination
(its *lane*); ``threads`` threads take them round-robin over the lanes, never more than
``per_lane`` of one lane at once, so a destination that hangs ties up at most ``per_lane``
threads and the others go on serving every other destination. A job that waited in a lane for
half its lease (its destination slow, the breaker not yet open) is set aside: given back to the
queue for later rather than held until its lease runs out.

A committer thread commits the outcomes waiting in one transaction every ``group_s``, or as soon
as ``group_max`` are waiting (group commit: one durable commit for many outcomes, as before).
What makes an answered POST durable at once is the relay handler's attempt log
(:mod:`gateway.store.attempts`): a thread logs each 2xx before it takes its next job, so at any
moment at most ``threads`` attempts are posted and not yet durable, and a kill costs at most that
many redeliveries.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import structlog

from gateway.contracts import Job
from gateway.model import Stage
from gateway.ports import JobQueue

log = structlog.get_logger("workers.lanes")

Commit = Callable[[], None]


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


@dataclass(slots=True)
class _Outcome:
    job: Job
    commit: Commit


class Lanes:
    """Runs jobs on ``threads`` threads, at most ``per_lane`` per lane at once; commits outcomes in groups."""

    def __init__(
        self,
        queue: JobQueue,
        run: Callable[[Job], Commit | None],
        lane_of: Callable[[Job], str],
        guarded: Callable[[Job, Commit], None],
        *,
        threads: int = 16,
        per_lane: int = 4,
        group_s: float = 0.05,
        group_max: int = 128,
        set_aside_s: float = 15.0,
        on_committed: Callable[[int], None] | None = None,
        after_commit: Callable[[list[Job]], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``run``: a job's stage up to its commit; ``guarded``: runs a commit, turning a failure into a retry."""
        self._queue = queue
        self._run = run
        self._lane_of = lane_of
        self._guarded = guarded
        self._threads_n = max(1, threads)
        self._per_lane = max(1, per_lane)
        self._group_s = group_s
        self._group_max = max(1, group_max)
        self._after_commit = after_commit
        self._set_aside_s = set_aside_s
        self._on_committed = on_committed
        self._clock = clock
        lock = threading.Lock()
        self._cond = threading.Condition(lock)
        """Relay threads wait on it for a job; notified once per job or freed slot, never all at once."""
        self._changes = threading.Condition(lock)
        """The committer and :meth:`wait_idle` wait on it for outcomes and for ``_held`` to fall."""
        self._lanes: dict[str, deque[tuple[float, Job]]] = {}
        self._running: dict[str, int] = {}
        self._turn: deque[str] = deque()
        """Lanes with waiting jobs, in round-robin order."""
        self._held = 0
        """Jobs taken and not yet committed or given back: waiting, running, or awaiting their commit."""
        self._outcomes: list[_Outcome] = []
        self._closing = False
        self._started = False
        self._workers: list[threading.Thread] = []

    @property
    def capacity(self) -> int:
        """How many jobs the lanes should hold at most: enough to keep every thread busy for a while."""
        return self._threads_n * 4

    def held(self) -> int:
        """Jobs taken and not yet committed or given back."""
        with self._cond:
            return self._held

    def ready(self) -> int:
        """Jobs running, or waiting in a lane with room: what the threads have to do.

        Jobs waiting behind a destination that is busy (all its slots taken) do not count, so a
        receiver that hangs never stops the worker from claiming jobs for the others; outcomes
        waiting for their commit do, so claims slow down when commits do.
        """
        with self._cond:
            running = sum(self._running.values())
            waiting = sum(len(self._lanes[lane]) for lane in self._turn if self._running.get(lane, 0) < self._per_lane)
            return running + waiting + len(self._outcomes)

    def submit(self, jobs: list[Job]) -> None:
        """Queue ``jobs`` in their lanes; they are committed (or given back) by the lanes from now on."""
        if not jobs:
            return
        self._start()
        now = self._clock()
        placed = [(self._lane(job), job) for job in jobs]
        with self._cond:
            for lane, job in placed:
                waiting = self._lanes.get(lane)
                if waiting is None:
                    waiting = self._lanes[lane] = deque()
                if not waiting:
                    self._turn.append(lane)
                waiting.append((now, job))
            self._held += len(jobs)
            self._cond.notify(len(jobs))

    def _lane(self, job: Job) -> str:
        try:
            return self._lane_of(job)
        except Exception:  # an unreadable message still runs (its handler reports it); it just has no lane
            log.exception("lanes.lane_failed", job=job.id)
            return ""

    def _start(self) -> None:
        with self._cond:
            if self._started:
                return
            self._started = True
        self._workers = [
            threading.Thread(target=self._thread_main, name=f"relay-{i}", daemon=True) for i in range(self._threads_n)
        ]
        self._workers.append(threading.Thread(target=self._committer_main, name="relay-commits", daemon=True))
        for thread in self._workers:
            thread.start()

    # ------------------------------------------------------------------ the relay threads
    def _next(self, stale: list[Job]) -> tuple[str, Job] | None:
        """The next job to run, round-robin over lanes with room (under the lock); None when closing and empty.

        Jobs that waited too long are moved to ``stale``, for the caller to give back once the lock is
        released: giving back writes to the store, and a worker thread may be holding the store's
        write lock while it asks :meth:`ready` for this one.
        """
        while True:
            stale += self._stale()
            if stale:
                return None
            for _ in range(len(self._turn)):
                lane = self._turn[0]
                self._turn.rotate(-1)
                if self._running.get(lane, 0) < self._per_lane:
                    waiting = self._lanes[lane]
                    _, job = waiting.popleft()
                    if not waiting:
                        self._turn.remove(lane)
                    self._running[lane] = self._running.get(lane, 0) + 1
                    return lane, job
            if self._closing:
                return None
            self._cond.wait(timeout=max(0.05, self._set_aside_s / 4))

    def _stale(self) -> list[Job]:
        """Jobs that waited in their lane for ``set_aside_s``: taken out now (under the lock)."""
        limit = self._clock() - self._set_aside_s
        out: list[Job] = []
        for lane in list(self._turn):
            waiting = self._lanes[lane]
            while waiting and waiting[0][0] <= limit:
                out.append(waiting.popleft()[1])
            if not waiting:
                self._turn.remove(lane)
        return out

    def _give_back(self, jobs: list[Job]) -> None:
        """Jobs set aside behind a slow destination: due again for any worker (never under the lock)."""
        log.info("lanes.set_aside", jobs=len(jobs))
        try:
            self._queue.release(jobs)
        except Exception:  # their leases then simply expire
            log.exception("lanes.release_failed", jobs=len(jobs))
        finally:
            with self._cond:
                self._held -= len(jobs)
                self._changes.notify_all()

    def _thread_main(self) -> None:
        while True:
            stale: list[Job] = []
            with self._cond:
                taken = self._next(stale)
            if stale:
                self._give_back(stale)
            if taken is None:
                if stale:
                    continue
                return
            lane, job = taken
            commit: Commit | None = None
            try:
                result: list[Commit | None] = [None]

                def stage(job: Job = job, result: list[Commit | None] = result) -> None:
                    result[0] = self._run(job)

                self._guarded(job, stage)
                commit = result[0]
            finally:
                with self._cond:
                    self._running[lane] -= 1
                    outcome = _Outcome(job, commit) if commit is not None else None
                    if outcome is not None:
                        self._outcomes.append(outcome)
                        if len(self._outcomes) in (1, self._group_max):  # the committer waits for these two
                            self._changes.notify_all()
                    else:
                        self._held -= 1  # the stage committed (or gave the job back) itself
                        self._changes.notify_all()
                    self._cond.notify()  # a slot of this lane is free

    # ------------------------------------------------------------------ the committer
    def _committer_main(self) -> None:
        while True:
            with self._cond:
                while not self._outcomes and not (self._closing and self._held == 0):
                    self._changes.wait()
                if not self._outcomes:
                    return
            deadline = self._clock() + self._group_s  # let the outcomes of the moment join this commit
            with self._cond:
                while len(self._outcomes) < self._group_max and not self._closing:
                    left = deadline - self._clock()
                    if left <= 0:
                        break
                    self._changes.wait(left)
                group, self._outcomes = self._outcomes, []
            self._commit(group)

    def _commit(self, group: list[_Outcome]) -> None:
        try:
            with self._queue.batch():
                for outcome in group:
                    self._guarded(outcome.job, outcome.commit)
        except Exception:  # rolled back: the jobs are due again at once (and posted again: the key dedupes)
            log.exception("lanes.commit_failed", jobs=len(group))
            try:
                self._queue.release([outcome.job for outcome in group])
            except Exception:
                log.exception("lanes.release_failed", jobs=len(group))
        else:
            if self._after_commit is not None:
                self._after_commit([outcome.job for outcome in group])
        finally:
            with self._cond:
                self._held -= len(group)
                self._changes.notify_all()
        if self._on_committed is not None:
            self._on_committed(len(group))

    # ------------------------------------------------------------------ lifecycle
    def wait_idle(self) -> None:
        """Until every job taken so far is committed or given back."""
        with self._cond:
            while self._held:
                self._changes.wait(0.05)

    def close(self) -> None:
        """Finish the jobs running and their commits; give back the jobs still waiting; stop the threads."""
        with self._cond:
            self._closing = True
            waiting = [job for lane in self._turn for _, job in self._lanes[lane]]
            for lane in self._turn:
                self._lanes[lane].clear()
            self._turn.clear()
            self._cond.notify_all()
            self._changes.notify_all()
        if waiting:
            self._give_back(waiting)
        for thread in self._workers:
            thread.join()


__all__ = ["LaneConfig", "Lanes"]
