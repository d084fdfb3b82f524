"""The worker loop: claim a batch of jobs under a lease, run their stages, commit their outcomes together.

Store-agnostic: the loop reaches the queue through :class:`JobQueue`. A stage handler does its
work with no transaction open (parse, XSD and the rules that need no history; a POST to a
receiver) and returns the commit that records the outcome and the next job. The loop then makes
the batch's commits in one transaction (group commit: a commit costs a disk flush, about a
millisecond, and one per job was the pipeline's ceiling). On SQLite only that last step holds the
one write lock, so worker processes validate side by side.

Conversation order: just before it commits, the loop asks the queue which jobs must wait for an
earlier job of their conversation that another worker holds; those are put back with their place
in the queue, so a message's history rules always see the earlier messages of its conversation.

The next batch is claimed inside the transaction that commits this one: one writer-lock turn and
one commit per batch instead of two (10,000 messages, 2 x 1: ~1,020 against ~900 msg/s, five
alternating runs). Those jobs are the thread's next batch; a rollback takes their leases with it.

Relay jobs, when the worker has :class:`workers.lanes.Lanes` (``lanes=``), run on their lane
threads: one lane per destination, each answered POST logged durably within milliseconds (see that
module). For a healthy destination the loop waits for the job, briefly, and commits it with the
batch; a slow one's jobs stay with the lanes, whose waiting outcomes the loop's next commit takes
along. The loop stops claiming relay jobs while the lanes hold as many as they can keep busy.

SIGTERM and SIGINT ask the loop to stop: the job in hand is finished, the rest of its batch is
released at once for another worker, no new job is claimed. A worker killed outright leaves its
jobs leased; when the lease expires another worker claims them, which is why every stage must be
idempotent.
"""

from __future__ import annotations

import signal
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from types import FrameType

import structlog

from gateway.contracts import Job
from gateway.memory import IDLE_TRIM
from gateway.model import Stage
from gateway.ports import JobQueue
from workers.lanes import LaneConfig, Lanes

log = structlog.get_logger("workers.loop")


Commit = Callable[[], None]
Handler = Callable[[Job], Commit | None]
"""Runs one job's stage with no transaction open; returns the commit to make (None: it committed itself)."""

DEFAULT_BATCH = 128
"""Jobs per batch: one durable commit for up to this many jobs.

20,000 messages on SQLite, alternating runs: 32 → 1,143-1,266 msg/s, 64 → 1,204-1,439, 128 → 1,363-1,512; the
latency at 100 msg/s did not change (batches are small when the queue is). A bigger batch takes the write
lock fewer times, for fewer commits, claims and audit-chain heads. The payload budget of
:class:`workers.pipeline.BatchReads` bounds what a batch of large messages holds in memory."""


class Worker:
    """Runs ``concurrency`` threads that claim and run jobs until asked to stop."""

    def __init__(
        self,
        queue: JobQueue,
        handlers: Mapping[Stage, Handler],
        *,
        concurrency: int = 1,
        lease_s: float = 30.0,
        poll_interval_s: float = 0.2,
        worker_id: str | None = None,
        batch_size: int = DEFAULT_BATCH,
        max_attempts: int = 8,
        clock: Callable[[], float] = time.monotonic,
        on_claimed: Callable[[Sequence[Job]], Sequence[Job] | None] | None = None,
        lanes: LaneConfig | None = None,
    ) -> None:
        """Bind the queue and the stage handlers; nothing runs until :meth:`run`.

        ``max_attempts``: a job failing this often puts its message in the dead-letter queue.
        ``clock``: monotonic seconds, for the batch's deadline (tests inject one).
        ``on_claimed``: called with each claimed batch before its jobs run (to read their messages at once);
        it may return the part of the batch to run now, a prefix, and the rest is given back at once.
        ``lanes``: jobs of its stages run on lanes per destination (see :mod:`workers.lanes`).
        """
        self.queue = queue
        self.handlers = dict(handlers)
        self.concurrency = max(1, concurrency)
        self.lease_s = lease_s
        self.poll_interval_s = poll_interval_s
        self.worker_id = worker_id or f"w-{uuid.uuid4().hex[:12]}"
        self.batch_size = max(1, batch_size)
        self.max_attempts = max(1, max_attempts)
        self._clock = clock
        self._on_claimed = on_claimed
        self.stopping = threading.Event()
        self._next = threading.local()  # .jobs: the batch this thread claimed while committing its last
        self._count_lock = threading.Lock()
        self.jobs_run = 0
        self._lane_stages = frozenset(lanes.stages) if lanes is not None else frozenset()
        self._lanes: Lanes | None = None
        self._lanes_closed = lanes.on_close if lanes is not None else None
        if lanes is not None:
            self._lanes = Lanes(
                self.queue, self._stage_commit, lanes.lane_of, self._guarded, threads=lanes.threads,
                per_lane=lanes.per_lane, group_s=lanes.group_s, group_max=lanes.group_max,
                set_aside_s=self.lease_s / 2, inline_s=lanes.inline_s, on_committed=self._count,
                after_commit=lanes.after_commit,
            )  # fmt: skip

    def request_stop(self) -> None:
        """Finish jobs in hand, claim no more."""
        self.stopping.set()

    def install_signal_handlers(self) -> None:
        """SIGTERM/SIGINT → stop after the current job (main thread only)."""

        def _on_signal(signum: int, frame: FrameType | None) -> None:
            del frame
            log.info("worker.stop_requested", signal=signum, worker=self.worker_id)
            self.request_stop()

        signal.signal(signal.SIGTERM, _on_signal)
        signal.signal(signal.SIGINT, _on_signal)

    def run_batch(self) -> bool:
        """Claim a batch, run its handlers with no transaction open, then commit their outcomes together.

        Receivers that hang make a batch slow (up to a read timeout per relay job), so no new job
        starts once half the lease has passed: the rest go back to the queue before their leases run
        out, instead of being claimed and run a second time by another worker. False when none was due.
        """
        jobs = self._next.__dict__.pop("jobs", None) or self._claim()
        if not jobs:
            return False
        jobs = self._now_or_later(jobs)
        deadline = self._clock() + self.lease_s / 2
        pending = list(jobs)
        commits: list[tuple[Job, Commit]] = []
        waiting: set[int] = set()
        left: list[Job] = []  # left with the lanes, which commit them
        ran_here: list[Job] = []  # run on a lane thread for this batch, committed with it
        taken: list[tuple[Job, Commit]] = []  # the lanes' waiting outcomes, committed with this batch
        try:
            while pending:
                job = pending.pop(0)
                commit = self._run_here(job, pending, left, ran_here)
                if commit is not None:
                    commits.append((job, commit))
                if self.stopping.is_set() or self._clock() >= deadline:
                    break
            following: list[Job] = []
            with self.queue.batch():
                waiting = {job.id for job in self.queue.hold_back([job for job, _ in commits])}
                for job, commit in commits:
                    if job.id not in waiting:
                        self._guarded(job, commit)
                taken = self._lanes.take_outcomes() if self._lanes is not None else []
                for job, commit in taken:
                    self._guarded(job, commit)
                if not pending and not self.stopping.is_set():
                    following = self._claim_within_batch()
            self._next.jobs = following  # only once committed: a rollback took their leases back
        except BaseException:
            if self._lanes is not None:
                self._lanes.settled(taken, committed=False)
            kept = {job.id for job in left}
            self._release([job for job in jobs if job.id not in kept])  # due again now, not when the leases run out
            raise
        if self._lanes is not None:
            self._lanes.forget([job for job in ran_here if job.id not in waiting])
            self._lanes.settled(taken, committed=True)
        if pending:
            self._release(pending)
        self._count(len(jobs) - len(pending) - len(waiting) - len(left))
        return True

    def _run_here(self, job: Job, pending: list[Job], left: list[Job], ran_here: list[Job]) -> Commit | None:
        """The job's stage up to its commit; a lane job through the lanes, which may move it and the lane jobs
        of ``pending`` into ``left`` (theirs to commit) while its destination hangs."""
        if self._lanes is None or job.stage not in self._lane_stages:
            return self._run(job)
        ran, commit = self._lanes.run_here(job, pending, left, self._lane_stages)
        if not ran:
            left.append(job)
        elif commit is not None:
            ran_here.append(job)
        return commit

    def _now_or_later(self, jobs: list[Job]) -> list[Job]:
        """The part of a claimed batch that ``on_claimed`` runs now; the rest is due again at once, for any worker."""
        if self._on_claimed is None:
            return jobs
        try:
            now = self._on_claimed(jobs)
        except BaseException:
            self._release(jobs)
            raise
        if now is None or len(now) >= len(jobs):
            return jobs
        kept = {job.id for job in now}
        self._release([job for job in jobs if job.id not in kept])
        return [job for job in jobs if job.id in kept]

    def _claim(self) -> list[Job]:
        stages = tuple(self.handlers)
        if self._lanes is not None and self._lanes.ready() >= self._lanes.capacity:  # they have enough to do
            stages = tuple(stage for stage in stages if stage not in self._lane_stages)
            if not stages:
                return []
        return self.queue.claim_many(stages, self.worker_id, self.lease_s, self.batch_size)

    def _claim_within_batch(self) -> list[Job]:
        """The next batch, claimed in the committing transaction; a failed claim must not undo the commit."""
        try:
            return self._claim()
        except Exception:  # its savepoint rolled back; the thread claims on its own next time
            log.exception("worker.claim_failed", worker=self.worker_id)
            return []

    def _count(self, jobs: int) -> None:
        with self._count_lock:
            self.jobs_run += jobs

    def _release(self, jobs: list[Job]) -> None:
        try:
            self.queue.release(jobs)
        except Exception:  # the leases then simply expire
            log.exception("worker.release_failed", worker=self.worker_id, jobs=len(jobs))

    def _run(self, job: Job) -> Commit | None:
        """The job's stage up to its commit; a failure gives the job back instead of ending the batch."""
        result: list[Commit | None] = [None]

        def stage() -> None:
            result[0] = self.handlers[job.stage](job)

        self._guarded(job, stage)
        return result[0]

    def _stage_commit(self, job: Job) -> Commit | None:
        """For the lanes: the job's handler (which guard their own calls)."""
        return self.handlers[job.stage](job)

    def _guarded(self, job: Job, step: Commit) -> None:
        try:
            step()
        except Exception as exc:  # a stage bug must not kill the worker; the job goes back
            log.exception("worker.job_failed", job=job.id, stage=str(job.stage), attempts=job.attempts + 1)
            if job.message_id is not None and job.attempts + 1 >= self.max_attempts:
                self.queue.bury(job, type(exc).__name__)  # no endless retries: the DLQ, where replay finds it
            else:
                self.queue.fail(job, type(exc).__name__, min(60.0, 2.0 ** min(job.attempts, 6)))

    def _thread_main(self, until_idle: bool) -> None:
        while not self.stopping.is_set():
            try:
                if self.run_batch():
                    IDLE_TRIM.worked()  # an idle thread later hands the freed memory back (paced)
                    continue
            except Exception:  # the store itself failed (locked, connection lost): back off, keep the thread
                log.exception("worker.store_error", worker=self.worker_id)
                self.stopping.wait(min(5.0, max(self.poll_interval_s * 10, 0.05)))
                continue
            if until_idle:
                if self._lanes is not None and self._lanes.held():  # their outcomes may make jobs due
                    self._lanes.wait_idle()
                    continue
                break
            IDLE_TRIM.idle()
            self.stopping.wait(self.poll_interval_s)
        unrun = self._next.__dict__.pop("jobs", None)
        if unrun:  # claimed with the last commit, then asked to stop: due again at once
            self._release(unrun)

    def run(self, *, until_idle: bool = False) -> int:
        """Run until stopped (or, with ``until_idle``, until no job is due); return jobs run."""
        threads = [
            threading.Thread(target=self._thread_main, args=(until_idle,), name=f"{self.worker_id}-{i}", daemon=True)
            for i in range(self.concurrency)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            while thread.is_alive():
                thread.join(0.2)  # short joins keep the main thread responsive to signals
        if self._lanes is not None:
            self._lanes.close()  # the POSTs in hand finish and commit; the jobs still waiting go back
            if self._lanes_closed is not None:
                self._lanes_closed()
        return self.jobs_run


__all__ = ["Commit", "Handler", "Job", "JobQueue", "Worker"]
