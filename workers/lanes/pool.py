"""Relay jobs on threads of their own, one lane per destination, each outcome made durable within milliseconds.

Two faults of a worker thread that walks its batch in order and commits at the end:

- head-of-line blocking: with one receiver hanging for the read timeout per POST, every message
  of the batch behind a hung one waited, for other receivers too;
- redeliveries: a worker killed before its batch commit lost the outcomes of every POST of the
  batch that had been answered 2xx already (up to 128), and they were all posted again.

Jobs wait in a queue per destination (its *lane*); ``threads`` threads take them round-robin over
the lanes, never more than ``per_lane`` of one lane at once, so a destination that hangs ties up at
most ``per_lane`` threads and the others go on serving every other destination.

**Inline while healthy.** Running every job apart from the worker thread cost half the pipeline's
throughput on one receiver (874 against 1,670 msg/s): sixteen threads doing Python work beside a
worker thread that holds SQLite's write lock stretch every hold (the GIL), every job waited for the
scheduler to wake a thread, and the outcomes took transactions of their own. So a worker thread
runs the jobs of a proven destination itself, in its batch, and commits them with it
(:meth:`Lanes.run_here`). A lane is in one of three modes:

- *proven* (``PROVEN_AFTER`` answers in under ``inline_s`` in a row, and no job that hung, past
  ``WATCH_S``, for ``SLOW_MEMORY_S``): the worker thread runs its jobs itself. A watchdog thread looks
  every ``WATCH_S / 4``: when such a job has run past ``WATCH_S``, the lane is slow, and the batch's
  other lane jobs, still waiting behind it, are moved to their lanes at once; only the worker thread
  itself waits for that one POST. (A destination whose breaker is open answers at once, refused
  locally; the memory keeps its probes, which may hang again, off the worker thread);
- *on probation* (new, or fast again after being slow): the worker thread hands the job to a lane
  thread and waits for it at most ``inline_s``; longer, and the job stays with its lane thread;
- *slow*: its jobs go straight to the lane (:meth:`Lanes.submit`), without waiting, until one of them
  finishes in under half ``inline_s`` with none waiting behind it (then: probation).

A job that waited in a lane for half its lease (its destination slow, the breaker not yet open) is
set aside: given back to the queue for later rather than held until its lease runs out. The
outcomes of jobs left with the lanes are committed by the worker thread's next batch when it
comes within ``group_s`` (:meth:`Lanes.take_outcomes`), else by the committer thread, in groups.
What makes an answered POST durable at once is the relay handler's attempt log
(:mod:`gateway.store.attempts`): a lane thread logs each 2xx before it takes its next job, so at
any moment at most ``threads`` attempts are posted and not yet durable, and a kill costs at most
that many redeliveries.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import structlog

from gateway.contracts import Job, JobQueue
from gateway.model import Stage

log = structlog.get_logger("workers.lanes")

Commit = Callable[[], None]

INLINE_S = 0.05
"""How long a job may take before its destination counts as slow (see the module's docstring)."""
PROVEN_AFTER = 8
"""Fast answers in a row on probation after which the worker thread runs a lane's jobs itself."""
WATCH_S = 0.5
"""How long a job a worker thread runs itself may take before its batch's other lane jobs move to the lanes."""
SLOW_MEMORY_S = 120.0
"""A lane with a job that hung (past ``WATCH_S``) this recently stays on probation: longer than a breaker's
reset, so its probes, which may hang again, never run on a worker thread."""


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
    """How long the worker thread waits for a job to a healthy destination (see the module's docstring)."""


class _Handoff:
    """A job a worker thread waits for: the lane thread hands its commit back unless the wait ran out."""

    __slots__ = ("commit", "state", "waiter")

    WAITING, DONE, DETACHED = 0, 1, 2

    def __init__(self, waiter: threading.Condition) -> None:
        self.waiter = waiter
        self.state = _Handoff.WAITING
        self.commit: Commit | None = None


class _Watch:
    """A job a worker thread runs itself, and the rest of its batch, which the watchdog may move to the lanes."""

    __slots__ = ("began", "lane", "left", "rest", "stages")

    def __init__(self, lane: str, began: float, rest: list[Job], left: list[Job], stages: frozenset[Stage]) -> None:
        self.lane, self.began, self.rest, self.left, self.stages = lane, began, rest, left, stages


_Entry = tuple[float, Job, _Handoff | None]
"""A job waiting in its lane: since when, the job, and its waiting worker thread if any."""


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
        self._per_lane = max(1, per_lane)
        self._group_s = group_s
        self._group_max = max(1, group_max)
        self._after_commit = after_commit
        self._set_aside_s = set_aside_s
        self._inline_s = inline_s
        self._on_committed = on_committed
        self._clock = clock
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        """Relay threads wait on it for a job; notified once per job or freed slot, never all at once."""
        self._changes = threading.Condition(self._lock)
        """The committer and :meth:`wait_idle` wait on it for outcomes and for ``_held`` to fall."""
        self._local = threading.local()  # .waiter: this worker thread's condition for its handoffs
        self._lanes: dict[str, deque[_Entry]] = {}
        self._running: dict[str, int] = {}
        self._turn: deque[str] = deque()
        """Lanes with waiting jobs, in round-robin order."""
        self._slow: set[str] = set()
        """Lanes whose last job outlasted ``inline_s``: their jobs are not waited for."""
        self._slow_at: dict[str, float] = {}
        """When each lane was last found slow."""
        self._proven: set[str] = set()
        """Lanes whose jobs the worker threads run themselves."""
        self._fast: dict[str, int] = {}
        """Lanes on probation (neither slow nor proven): fast answers in a row so far."""
        self._watches: list[_Watch] = []
        """Jobs the worker threads run themselves right now, for the watchdog."""
        self._held = 0
        """Jobs left with the lanes and not yet committed or given back: waiting, running, or awaiting their commit."""
        self._outcomes: list[tuple[Job, Commit]] = []
        self._oldest = 0.0
        """When the oldest of ``_outcomes`` arrived."""
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
                self._enqueue(lane, (now, job, None))
            self._held += len(jobs)
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
            if lane in self._slow or self._lanes.get(lane) or self._running.get(lane, 0) >= self._per_lane:
                self._enqueue(lane, (now, job, None))
                self._held += 1
                self._cond.notify()
                return False, None
            proven = lane in self._proven
            if proven:  # run it here, the watchdog watching
                watch = _Watch(lane, now, rest, left, stages)
                self._watches.append(watch)
                self._running[lane] = self._running.get(lane, 0) + 1
        if proven:
            return True, self._run_watched(job, watch)
        return self._hand_over(job, lane, now)

    def _run_watched(self, job: Job, watch: _Watch) -> Commit | None:
        result: list[Commit | None] = [None]

        def stage() -> None:
            result[0] = self._run(job)

        try:
            self._guarded(job, stage)
        finally:
            with self._cond:
                self._watches.remove(watch)
                self._running[watch.lane] -= 1
                took = self._clock() - watch.began
                if took >= self._inline_s:
                    self._mark_slow(watch.lane, hung=took >= WATCH_S)  # ended between two looks of the watchdog
                if self._lanes.get(watch.lane):
                    self._cond.notify()  # a slot of this lane is free, for a job waiting in it
        return result[0]

    def _hand_over(self, job: Job, lane: str, now: float) -> tuple[bool, Commit | None]:
        """On probation: a lane thread runs the job while this thread waits, at most ``inline_s``."""
        with self._cond:
            waiter = self._local.__dict__.get("waiter")
            if waiter is None:
                waiter = self._local.waiter = threading.Condition(self._lock)
            handoff = _Handoff(waiter)
            self._enqueue(lane, (now, job, handoff))
            self._cond.notify()
            deadline = now + self._inline_s
            while handoff.state == _Handoff.WAITING:
                left = deadline - self._clock()
                if left <= 0:
                    handoff.state = _Handoff.DETACHED  # its lane thread (or a later one) commits it
                    self._held += 1
                    self._mark_slow(lane, hung=False)
                    return False, None
                waiter.wait(left)
            return True, handoff.commit

    def _mark_slow(self, lane: str, *, hung: bool) -> None:
        """A job of ``lane`` outlasted ``inline_s``; ``hung``: past ``WATCH_S`` (under the lock)."""
        if hung:
            self._slow_at[lane] = self._clock()
        self._proven.discard(lane)
        self._fast.pop(lane, None)
        if lane not in self._slow:
            self._slow.add(lane)
            log.info("lanes.slow_destination", lane=lane, after_s=self._inline_s)

    def _watch_main(self) -> None:
        """The watchdog: a job a worker thread runs itself for too long makes its lane slow and frees its batch."""
        with self._cond:
            while not self._closing:
                limit = self._clock() - WATCH_S
                for watch in self._watches:
                    if watch.began <= limit:
                        self._mark_slow(watch.lane, hung=True)
                        if watch.rest:
                            self._set_free(watch)
                self._changes.wait(WATCH_S / 4)

    def _set_free(self, watch: _Watch) -> None:
        """Move the lane jobs still waiting in a hung job's batch to their lanes (under the lock)."""
        moved = [job for job in watch.rest if job.stage in watch.stages]
        if not moved:
            return
        kept = [job for job in watch.rest if job.stage not in watch.stages]
        watch.rest[:] = kept
        watch.left.extend(moved)
        now = self._clock()
        for job in moved:
            self._enqueue(self._lane(job), (now, job, None))
        self._held += len(moved)
        self._cond.notify(len(moved))
        log.info("lanes.batch_set_free", lane=watch.lane, jobs=len(moved))

    def _enqueue(self, lane: str, entry: _Entry) -> None:
        """Put ``entry`` at the back of its lane (under the lock)."""
        waiting = self._lanes.get(lane)
        if waiting is None:
            waiting = self._lanes[lane] = deque()
        if not waiting:
            self._turn.append(lane)
        waiting.append(entry)

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
        self._workers.append(threading.Thread(target=self._watch_main, name="relay-watch", daemon=True))
        for thread in self._workers:
            thread.start()

    # ------------------------------------------------------------------ the relay threads
    def _next(self, stale: list[Job]) -> tuple[str, Job, _Handoff | None] | None:
        """The next job to run, round-robin over lanes with room (under the lock); None when closing and empty.

        Jobs that waited too long are moved to ``stale``, for the caller to give back once the lock is
        released: giving back writes to the store, and a worker thread may be holding the store's
        write lock while it asks :meth:`ready` for this one.
        """
        while True:
            self._stale(stale)
            if stale:
                return None
            for _ in range(len(self._turn)):
                lane = self._turn[0]
                self._turn.rotate(-1)
                if self._running.get(lane, 0) < self._per_lane:
                    waiting = self._lanes[lane]
                    _, job, handoff = waiting.popleft()
                    if not waiting:
                        self._turn.remove(lane)
                    self._running[lane] = self._running.get(lane, 0) + 1
                    return lane, job, handoff
            if self._closing:
                return None
            self._cond.wait(timeout=max(0.05, self._set_aside_s / 4))

    def _stale(self, out: list[Job]) -> None:
        """Jobs that waited in their lane for ``set_aside_s``, moved to ``out`` (under the lock).

        A lane's jobs wait in the order they came, so only its first needs looking at. A handed-over
        job whose worker thread still waits for it is never stale (it waits ``inline_s`` at most).
        """
        if not self._turn:
            return
        limit = self._clock() - self._set_aside_s
        for lane in [lane for lane in self._turn if self._lanes[lane][0][0] <= limit]:
            waiting = self._lanes[lane]
            kept: deque[_Entry] = deque()
            while waiting and waiting[0][0] <= limit:
                entry = waiting.popleft()
                if entry[2] is not None and entry[2].state == _Handoff.WAITING:
                    kept.append(entry)
                else:
                    out.append(entry[1])
            waiting.extendleft(reversed(kept))
            if not waiting:
                self._turn.remove(lane)

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

    def _finished(self, lane: str, job: Job, handoff: _Handoff | None, commit: Commit | None, took: float) -> None:
        """Hand the commit to the waiting worker thread, or queue it for the committer."""
        with self._cond:
            self._running[lane] -= 1
            self._judge(lane, took)
            if handoff is not None and handoff.state == _Handoff.WAITING:
                handoff.state = _Handoff.DONE
                handoff.commit = commit
                handoff.waiter.notify_all()
            elif commit is not None:
                if not self._outcomes:
                    self._oldest = self._clock()
                self._outcomes.append((job, commit))
                if len(self._outcomes) in (1, self._group_max):  # the committer waits for these two
                    self._changes.notify_all()
            else:
                self._held -= 1  # the stage committed (or gave the job back) itself
                self._changes.notify_all()
            if self._lanes.get(lane):
                self._cond.notify()  # a slot of this lane is free, for a job waiting in it

    def _judge(self, lane: str, took: float) -> None:
        """A lane thread's job on ``lane`` took ``took`` s: slow → probation → proven (under the lock)."""
        if took >= WATCH_S:
            self._slow_at[lane] = self._clock()
        if lane in self._slow:
            if took < self._inline_s / 2 and not self._lanes.get(lane):
                self._slow.discard(lane)  # fast again, nothing waiting: on probation
                self._fast[lane] = 0
            return
        if took >= self._inline_s:
            self._mark_slow(lane, hung=took >= WATCH_S)
            return
        if lane in self._proven:
            return
        fast = self._fast.get(lane, 0) + 1
        slow_at = self._slow_at.get(lane)
        if fast >= PROVEN_AFTER and (slow_at is None or self._clock() - slow_at >= SLOW_MEMORY_S):
            self._fast.pop(lane, None)
            self._proven.add(lane)  # the worker threads run its jobs themselves now
        else:
            self._fast[lane] = fast

    # ------------------------------------------------------------------ the commits
    def take_outcomes(self) -> list[tuple[Job, Commit]]:
        """The outcomes waiting, for a worker thread to commit in its batch's transaction.

        The caller then calls :meth:`settled` with them, whether its commit held or rolled back.
        """
        with self._cond:
            group, self._outcomes = self._outcomes, []
            return group

    def settled(self, group: list[tuple[Job, Commit]], *, committed: bool) -> None:
        """``group`` (from :meth:`take_outcomes`) committed, or rolled back (then its jobs are due again)."""
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
        with self._cond:
            self._held -= len(group)
            self._changes.notify_all()
        if committed and self._on_committed is not None:
            self._on_committed(len(group))

    def forget(self, jobs: list[Job]) -> None:
        """Jobs run here whose commits the worker made in its batch (the attempt log forgets them)."""
        if jobs and self._after_commit is not None:
            self._after_commit(jobs)

    def _committer_main(self) -> None:
        while True:
            with self._cond:
                while not self._outcomes and not (self._closing and self._held == 0):
                    self._changes.wait()
                if not self._outcomes:
                    return
                # let the outcomes of the moment gather (a worker's batch may take them meanwhile)
                while self._outcomes and len(self._outcomes) < self._group_max and not self._closing:
                    left = self._oldest + self._group_s - self._clock()
                    if left <= 0:
                        break
                    self._changes.wait(left)
                group, self._outcomes = self._outcomes, []
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

    # ------------------------------------------------------------------ lifecycle
    def wait_idle(self) -> None:
        """Until every job left with the lanes is committed or given back."""
        with self._cond:
            while self._held:
                self._changes.wait(0.05)

    def close(self) -> None:
        """Finish the jobs running and their commits; give back the jobs still waiting; stop the threads."""
        with self._cond:
            self._closing = True
            waiting = [job for lane in self._turn for _, job, _ in self._lanes[lane]]
            for lane in self._turn:
                self._lanes[lane].clear()
            self._turn.clear()
            self._cond.notify_all()
            self._changes.notify_all()
        if waiting:
            self._give_back(waiting)
        for thread in self._workers:
            thread.join()


__all__ = ["INLINE_S", "PROVEN_AFTER", "SLOW_MEMORY_S", "WATCH_S", "LaneConfig", "Lanes"]
