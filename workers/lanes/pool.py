"""The :class:`Lanes`: relay threads taking jobs round-robin over the lanes, the worker threads' handoffs, the
watchdog's and the committer's threads, and the lock they all share (see :mod:`workers.lanes`)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import structlog

from gateway.contracts import Job, JobQueue
from gateway.model import Stage

from .commits import Commit, Outcomes
from .modes import INLINE_S, WATCH_S, LaneModes
from .queues import Handoff, LaneQueues
from .watchdog import Watch, Watchdog, free_rest

log = structlog.get_logger("workers.lanes")


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
        inline_s: float = INLINE_S,
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
        self._set_aside_s = set_aside_s
        self._inline_s = inline_s
        self._clock = clock
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        """Relay threads wait on it for a job; notified once per job or freed slot, never all at once."""
        self._changes = threading.Condition(self._lock)
        """The committer and :meth:`wait_idle` wait on it for outcomes and for the held jobs to fall."""
        self._local = threading.local()  # .waiter: this worker thread's condition for its handoffs
        self._queues = LaneQueues(per_lane)
        self._modes = LaneModes(inline_s)
        self._watchdog = Watchdog()
        self._outcomes = Outcomes(
            self._changes,
            queue,
            guarded,
            group_s=group_s,
            group_max=group_max,
            after_commit=after_commit,
            on_committed=on_committed,
            clock=clock,
        )
        self._closing = False
        self._started = False
        self._workers: list[threading.Thread] = []

    @property
    def capacity(self) -> int:
        """How many jobs the lanes should hold at most: enough to keep every thread busy for a while."""
        return self._threads_n * 4

    def held(self) -> int:
        """Jobs left with the lanes and not yet committed or given back."""
        with self._cond:
            return self._outcomes.held

    def ready(self) -> int:
        """Jobs running, or waiting in a lane with room: what the threads have to do.

        Jobs waiting behind a destination that is busy (all its slots taken) do not count, so a
        receiver that hangs never stops the worker from claiming jobs for the others; outcomes
        waiting for their commit do, so claims slow down when commits do.
        """
        with self._cond:
            return self._queues.ready() + len(self._outcomes)

    def submit(self, jobs: list[Job]) -> None:
        """Queue ``jobs`` in their lanes; they are committed (or given back) by the lanes from now on."""
        if not jobs:
            return
        self._start()
        now = self._clock()
        placed = [(self._lane(job), job) for job in jobs]
        with self._cond:
            for lane, job in placed:
                self._queues.enqueue(lane, (now, job, None))
            self._outcomes.held += len(jobs)
            self._cond.notify(len(jobs))

    def run_here(
        self, job: Job, rest: list[Job], left: list[Job], stages: frozenset[Stage]
    ) -> tuple[bool, Commit | None]:
        """Run ``job`` for the calling worker thread's batch: itself, or on a lane thread while it waits.

        ``rest``: the batch's jobs still to run, from which the watchdog may move the jobs of ``stages``
        to their lanes (appending them to ``left``) while this one hangs. ``(True, commit)``: it ran;
        the caller makes ``commit`` (None: the stage committed itself or gave the job back).
        ``(False, None)``: the job is the lanes' now, which commit it.
        """
        lane = self._lane(job)
        self._start()
        now = self._clock()
        with self._cond:
            if self._modes.is_slow(lane) or self._queues.waiting(lane) or self._queues.full(lane):
                self._queues.enqueue(lane, (now, job, None))
                self._outcomes.held += 1
                self._cond.notify()
                return False, None
            proven = self._modes.is_proven(lane)
            if proven:  # run it here, the watchdog watching
                watch = self._watchdog.watch(lane, now, rest, left, stages)
                self._queues.started(lane)
        if proven:
            return True, self._run_watched(job, watch)
        return self._hand_over(job, lane, now)

    def _run_watched(self, job: Job, watch: Watch) -> Commit | None:
        result: list[Commit | None] = [None]

        def stage() -> None:
            result[0] = self._run(job)

        try:
            self._guarded(job, stage)
        finally:
            with self._cond:
                self._watchdog.done(watch)
                self._queues.ended(watch.lane)
                now = self._clock()
                self._modes.ran_inline(watch.lane, now - watch.began, now=now)  # between two looks of the watchdog
                if self._queues.waiting(watch.lane):
                    self._cond.notify()  # a slot of this lane is free, for a job waiting in it
        return result[0]

    def _hand_over(self, job: Job, lane: str, now: float) -> tuple[bool, Commit | None]:
        """On probation: a lane thread runs the job while this thread waits, at most ``inline_s``."""
        with self._cond:
            waiter = self._local.__dict__.get("waiter")
            if waiter is None:
                waiter = self._local.waiter = threading.Condition(self._lock)
            handoff = Handoff(waiter)
            self._queues.enqueue(lane, (now, job, handoff))
            self._cond.notify()
            deadline = now + self._inline_s
            while handoff.state == Handoff.WAITING:
                left = deadline - self._clock()
                if left <= 0:
                    handoff.state = Handoff.DETACHED  # its lane thread (or a later one) commits it
                    self._outcomes.held += 1
                    self._modes.mark_slow(lane, now=self._clock(), hung=False)
                    return False, None
                waiter.wait(left)
            return True, handoff.commit

    def _watch_main(self) -> None:
        """The watchdog: a job a worker thread runs itself for too long makes its lane slow and frees its batch."""
        with self._cond:
            while not self._closing:
                now = self._clock()
                for watch in self._watchdog.look(self._modes, now):
                    self._set_free(watch, now)
                self._changes.wait(WATCH_S / 4)

    def _set_free(self, watch: Watch, now: float) -> None:
        """Move the lane jobs still waiting in a hung job's batch to their lanes (under the lock)."""
        moved = free_rest(watch)
        if not moved:
            return
        for job in moved:
            self._queues.enqueue(self._lane(job), (now, job, None))
        self._outcomes.held += len(moved)
        self._cond.notify(len(moved))
        log.info("lanes.batch_set_free", lane=watch.lane, jobs=len(moved))

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
        committer = threading.Thread(
            target=self._outcomes.committer_main, args=(lambda: self._closing,), name="relay-commits", daemon=True
        )
        self._workers.append(committer)
        self._workers.append(threading.Thread(target=self._watch_main, name="relay-watch", daemon=True))
        for thread in self._workers:
            thread.start()

    # ------------------------------------------------------------------ the relay threads
    def _next(self, stale: list[Job]) -> tuple[str, Job, Handoff | None] | None:
        """The next job to run, round-robin over lanes with room (under the lock); None when closing and empty.

        Jobs that waited for ``set_aside_s`` are moved to ``stale``, for the caller to give back once the
        lock is released: giving back writes to the store, and a worker thread may be holding the store's
        write lock while it asks :meth:`ready` for this one.
        """
        while True:
            self._queues.stale(self._clock() - self._set_aside_s, stale)
            if stale:
                return None
            taken = self._queues.pick()
            if taken is not None:
                return taken
            if self._closing:
                return None
            self._cond.wait(timeout=max(0.05, self._set_aside_s / 4))

    def _give_back(self, jobs: list[Job]) -> None:
        """Jobs set aside behind a slow destination: due again for any worker (never under the lock)."""
        log.info("lanes.set_aside", jobs=len(jobs))
        try:
            self._queue.release(jobs)
        except Exception:  # their leases then simply expire
            log.exception("lanes.release_failed", jobs=len(jobs))
        finally:
            with self._cond:
                self._outcomes.released(len(jobs))

    def _thread_main(self) -> None:
        result: list[Commit | None] = [None]

        def stage(job: Job) -> Callable[[], None]:
            def run() -> None:
                result[0] = self._run(job)

            return run

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
            lane, job, handoff = taken
            began = self._clock()
            result[0] = None
            try:
                self._guarded(job, stage(job))
            finally:
                self._finished(lane, job, handoff, result[0], self._clock() - began)

    def _finished(self, lane: str, job: Job, handoff: Handoff | None, commit: Commit | None, took: float) -> None:
        """Hand the commit to the waiting worker thread, or queue it for the committer."""
        with self._cond:
            self._queues.ended(lane)
            self._modes.judge(lane, took, now=self._clock(), waiting=self._queues.waiting(lane))
            if handoff is not None and handoff.state == Handoff.WAITING:
                handoff.state = Handoff.DONE
                handoff.commit = commit
                handoff.waiter.notify_all()
            elif commit is not None:
                self._outcomes.add(job, commit)
            else:
                self._outcomes.released(1)  # the stage committed (or gave the job back) itself
            if self._queues.waiting(lane):
                self._cond.notify()  # a slot of this lane is free, for a job waiting in it

    # ------------------------------------------------------------------ the commits
    def take_outcomes(self) -> list[tuple[Job, Commit]]:
        """The outcomes waiting, for a worker thread to commit in its batch's transaction.

        The caller then calls :meth:`settled` with them, whether its commit held or rolled back.
        """
        return self._outcomes.take()

    def settled(self, group: list[tuple[Job, Commit]], *, committed: bool) -> None:
        """``group`` (from :meth:`take_outcomes`) committed, or rolled back (then its jobs are due again)."""
        self._outcomes.settled(group, committed=committed)

    def forget(self, jobs: list[Job]) -> None:
        """Jobs run here whose commits the worker made in its batch (the attempt log forgets them)."""
        self._outcomes.forget(jobs)

    # ------------------------------------------------------------------ lifecycle
    def wait_idle(self) -> None:
        """Until every job left with the lanes is committed or given back."""
        with self._cond:
            while self._outcomes.held:
                self._changes.wait(0.05)

    def close(self) -> None:
        """Finish the jobs running and their commits; give back the jobs still waiting; stop the threads."""
        with self._cond:
            self._closing = True
            waiting = self._queues.drain()
            self._cond.notify_all()
            self._changes.notify_all()
        if waiting:
            self._give_back(waiting)
        for thread in self._workers:
            thread.join()
