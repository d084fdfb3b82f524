"""The worker loop: claim a job under a lease, run its stage, let the stage commit the outcome.

Store-agnostic: the loop reaches the queue through :class:`JobQueue` (claim and fail), and each
stage handler commits its outcome and the next job in one transaction of its own. SIGTERM and
SIGINT ask the loop to stop: a job already claimed is finished, no new job is claimed. A worker
killed outright leaves its jobs leased; when the lease expires another worker claims them, which
is why every stage must be idempotent.
"""

from __future__ import annotations

import signal
import threading
import uuid
from collections.abc import Callable, Mapping
from types import FrameType

import structlog

from gateway.contracts import Job, JobQueue
from gateway.model import Stage

log = structlog.get_logger("workers.loop")


Handler = Callable[[Job], None]


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
    ) -> None:
        """Bind the queue and the stage handlers; nothing runs until :meth:`run`."""
        self.queue = queue
        self.handlers = dict(handlers)
        self.concurrency = max(1, concurrency)
        self.lease_s = lease_s
        self.poll_interval_s = poll_interval_s
        self.worker_id = worker_id or f"w-{uuid.uuid4().hex[:12]}"
        self.stopping = threading.Event()
        self._count_lock = threading.Lock()
        self.jobs_run = 0

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

    def run_one(self) -> bool:
        """Claim and run at most one job; False when none was due."""
        job = self.queue.claim(tuple(self.handlers), self.worker_id, self.lease_s)
        if job is None:
            return False
        try:
            self.handlers[job.stage](job)
        except Exception as exc:  # a stage bug must not kill the worker; the job goes back
            log.exception("worker.job_failed", job=job.id, stage=str(job.stage))
            self.queue.fail(job, type(exc).__name__, min(60.0, 2.0 ** min(job.attempts, 6)))
        with self._count_lock:
            self.jobs_run += 1
        return True

    def _thread_main(self, until_idle: bool) -> None:
        while not self.stopping.is_set():
            try:
                if self.run_one():
                    continue
            except Exception:  # the store itself failed (locked, connection lost): back off, keep the thread
                log.exception("worker.store_error", worker=self.worker_id)
                self.stopping.wait(min(5.0, max(self.poll_interval_s * 10, 0.05)))
                continue
            if until_idle:
                return
            self.stopping.wait(self.poll_interval_s)

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
        return self.jobs_run


__all__ = ["Handler", "Job", "JobQueue", "Worker"]
