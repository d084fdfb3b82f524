"""The worker loop: every job runs once, SIGTERM finishes the job in hand, a failing stage gives its job back."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext

from gateway.model import Stage
from workers.loop import Job, Worker


class NoBatch:
    """Writes commit one by one: nothing to flush."""

    def flush(self) -> None:
        pass


class ListQueue:
    """An in-memory queue with the loop's contract (leases are not modelled here)."""

    def __init__(self, n: int) -> None:
        self.jobs = [Job(i, Stage.VALIDATE, f"m{i}") for i in range(n)]
        self.lock = threading.Lock()
        self.failed: list[tuple[int, str, float]] = []
        self.released: list[int] = []
        self.buried: list[tuple[int, str]] = []
        self.waiting: set[int] = set()

    def claim_many(self, stages: Sequence[Stage], worker_id: str, lease_s: float, limit: int) -> list[Job]:
        with self.lock:
            claimed, self.jobs = self.jobs[:limit], self.jobs[limit:]
            return claimed

    def batch(self) -> AbstractContextManager[NoBatch]:
        return nullcontext(NoBatch())

    def release(self, jobs: Sequence[Job]) -> None:
        with self.lock:
            self.jobs[:0] = jobs
            self.released.extend(job.id for job in jobs)

    def hold_back(self, jobs: Sequence[Job]) -> list[Job]:
        return [job for job in jobs if job.id in self.waiting]

    def fail(self, job: Job, error: str, delay_s: float) -> None:
        self.failed.append((job.id, error, delay_s))

    def bury(self, job: Job, error: str) -> None:
        self.buried.append((job.id, error))


def test_concurrent_threads_run_every_job_exactly_once() -> None:
    queue = ListQueue(300)
    done: list[int] = []
    lock = threading.Lock()

    def handler(job: Job) -> None:
        with lock:
            done.append(job.id)

    worker = Worker(queue, {Stage.VALIDATE: handler}, concurrency=4)
    assert worker.run(until_idle=True) == 300
    assert sorted(done) == list(range(300))


def test_sigterm_finishes_the_current_job_and_claims_no_more() -> None:
    queue = ListQueue(10)
    started = threading.Event()
    finished: list[int] = []

    def handler(job: Job) -> None:
        started.set()
        assert worker.stopping.wait(30)  # still busy when SIGTERM arrives (30 s is only a hang guard)
        finished.append(job.id)

    worker = Worker(queue, {Stage.VALIDATE: handler}, concurrency=1, poll_interval_s=0.01)
    previous = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    worker.install_signal_handlers()
    try:

        def terminate() -> None:
            started.wait(30)
            os.kill(os.getpid(), signal.SIGTERM)

        threading.Thread(target=terminate).start()
        worker.run()
    finally:
        signal.signal(signal.SIGTERM, previous[0])
        signal.signal(signal.SIGINT, previous[1])
    assert finished == [0]
    assert len(queue.jobs) == 9
    assert queue.released == list(range(1, 10))  # the rest of the batch went back at once


def test_a_failing_stage_gives_the_job_back_without_its_text() -> None:
    queue = ListQueue(1)

    def handler(job: Job) -> None:
        raise ValueError("BSN 123456782 in here")

    Worker(queue, {Stage.VALIDATE: handler}).run(until_idle=True)
    assert queue.failed == [(0, "ValueError", 1.0)]


def test_a_job_that_keeps_failing_is_buried_instead_of_retried_forever() -> None:
    queue = ListQueue(0)
    queue.jobs = [Job(0, Stage.VALIDATE, "m0", attempts=2), Job(1, Stage.RETENTION, None, attempts=2)]

    def handler(job: Job) -> None:
        raise ValueError("always")

    Worker(queue, {Stage.VALIDATE: handler, Stage.RETENTION: handler}, max_attempts=3).run(until_idle=True)
    assert queue.buried == [(0, "ValueError")]  # its third failure: to the dead-letter queue
    assert [job_id for job_id, _, _ in queue.failed] == [1]  # the recurring retention job has no message to bury


def test_network_handlers_commit_together_after_all_their_deliveries() -> None:
    queue = ListQueue(0)
    queue.jobs = [Job(i, Stage.RELAY, f"m{i}") for i in range(3)]
    order: list[str] = []

    def relay(job: Job) -> Callable[[], None]:
        order.append(f"post {job.id}")
        return lambda: order.append(f"commit {job.id}")

    Worker(queue, {Stage.RELAY: relay}).run(until_idle=True)
    assert order == ["post 0", "post 1", "post 2", "commit 0", "commit 1", "commit 2"]


def test_a_slow_network_batch_gives_back_what_it_cannot_start_within_half_the_lease() -> None:
    queue = ListQueue(0)
    queue.jobs = [Job(i, Stage.RELAY, f"m{i}") for i in range(5)]
    now = [0.0]
    posted: list[int] = []

    def relay(job: Job) -> Callable[[], None]:
        posted.append(job.id)
        now[0] += 4.0  # a receiver that hangs until the read timeout
        return lambda: None

    worker = Worker(queue, {Stage.RELAY: relay}, lease_s=10.0, batch_size=5, clock=lambda: now[0])
    assert worker.run_batch()
    assert posted == [0, 1]  # at 8 s the lease is past half: no third delivery in this batch
    assert queue.released == [2, 3, 4] and [job.id for job in queue.jobs] == [2, 3, 4]
    assert worker.jobs_run == 2


def test_a_store_error_while_claiming_does_not_end_the_thread() -> None:
    class FlakyQueue(ListQueue):
        def __init__(self) -> None:
            super().__init__(3)
            self.errors = 2

        def claim_many(self, stages: Sequence[Stage], worker_id: str, lease_s: float, limit: int) -> list[Job]:
            if self.errors:
                self.errors -= 1
                raise OSError("database is locked")
            return super().claim_many(stages, worker_id, lease_s, limit)

    queue = FlakyQueue()
    done: list[int] = []
    worker = Worker(queue, {Stage.VALIDATE: lambda job: done.append(job.id)}, poll_interval_s=0.001)
    worker.run(until_idle=True)
    assert done == [0, 1, 2]


def test_on_claimed_sees_each_batch_before_its_jobs_run() -> None:
    queue = ListQueue(5)
    seen: list[str] = []
    worker = Worker(
        queue,
        {Stage.VALIDATE: lambda job: seen.append(f"run {job.id}")},
        batch_size=3,
        on_claimed=lambda jobs: seen.append("claimed " + ",".join(str(job.id) for job in jobs)),
    )
    worker.run(until_idle=True)
    assert seen == ["claimed 0,1,2", "run 0", "run 1", "run 2", "claimed 3,4", "run 3", "run 4"]


def test_on_claimed_may_run_part_of_a_batch_and_give_the_rest_back_at_once() -> None:
    queue = ListQueue(5)
    seen: list[str] = []

    def first_two(jobs: Sequence[Job]) -> list[Job]:
        seen.append("claimed " + ",".join(str(job.id) for job in jobs))
        return list(jobs[:2])

    worker = Worker(
        queue, {Stage.VALIDATE: lambda job: seen.append(f"run {job.id}")}, batch_size=4, on_claimed=first_two
    )
    assert worker.run_batch()
    assert seen == ["claimed 0,1,2,3", "run 0", "run 1"]
    assert queue.released == [2, 3] and worker.jobs_run == 2
    assert worker.run_batch()
    assert seen[3:] == ["claimed 2,3,4", "run 2", "run 3"]  # given back before the commit: due again, in order


def test_a_failing_on_claimed_gives_the_whole_batch_back() -> None:
    queue = ListQueue(3)

    def broken(jobs: Sequence[Job]) -> list[Job]:
        raise OSError("disk gone")

    worker = Worker(queue, {Stage.VALIDATE: lambda job: None}, batch_size=3, on_claimed=broken)
    try:
        worker.run_batch()
    except OSError:
        pass
    else:
        raise AssertionError("the error must reach the thread's own handler")
    assert queue.released == [0, 1, 2] and worker.jobs_run == 0


def test_held_back_jobs_are_not_committed_or_counted() -> None:
    queue = ListQueue(0)
    queue.jobs = [Job(i, Stage.VALIDATE, f"m{i}") for i in range(3)]
    queue.waiting = {1}
    committed: list[int] = []

    def validate(job: Job) -> Callable[[], None]:
        return lambda: committed.append(job.id)

    worker = Worker(queue, {Stage.VALIDATE: validate}, batch_size=3)
    assert worker.run_batch()
    assert committed == [0, 2] and worker.jobs_run == 2


class TrackingQueue(ListQueue):
    """Records where each claim happened: inside the committing batch or on its own."""

    def __init__(self, n: int, *, fail_flush: bool = False, fail_inner_claim: bool = False) -> None:
        super().__init__(n)
        self.in_batch = False
        self.claims: list[str] = []
        self.fail_flush = fail_flush
        self.fail_inner_claim = fail_inner_claim

    def claim_many(self, stages: Sequence[Stage], worker_id: str, lease_s: float, limit: int) -> list[Job]:
        self.claims.append("in batch" if self.in_batch else "alone")
        if self.in_batch and self.fail_inner_claim:
            raise OSError("disk I/O error")
        return super().claim_many(stages, worker_id, lease_s, limit)

    @contextmanager
    def batch(self) -> Iterator[NoBatch]:
        self.in_batch = True
        try:
            yield NoBatch()
            if self.fail_flush:
                raise OSError("commit failed")
        finally:
            self.in_batch = False


def test_the_next_batch_is_claimed_in_the_commit_of_this_one() -> None:
    queue = TrackingQueue(5)
    worker = Worker(queue, {Stage.VALIDATE: lambda job: None}, batch_size=2)
    worker.run(until_idle=True)
    assert worker.jobs_run == 5
    # 0,1 alone; 2,3 and 4 in the commits before them; the last commit's claim and one more find nothing
    assert queue.claims == ["alone", "in batch", "in batch", "in batch", "alone"]


def test_jobs_claimed_with_the_last_commit_are_released_when_the_worker_stops() -> None:
    queue = TrackingQueue(4)
    worker = Worker(queue, {Stage.VALIDATE: lambda job: None}, batch_size=2)

    def stop_after_first_batch() -> None:
        assert worker.run_batch()
        worker.request_stop()

    stop_after_first_batch()
    worker._thread_main(until_idle=True)  # stopping already: claims nothing, gives back what it holds
    assert worker.jobs_run == 2
    assert queue.released == [2, 3] and [job.id for job in queue.jobs] == [2, 3]


def test_a_failed_claim_inside_the_commit_does_not_undo_the_commit() -> None:
    queue = TrackingQueue(3, fail_inner_claim=True)
    committed: list[int] = []

    def validate(job: Job) -> Callable[[], None]:
        return lambda: committed.append(job.id)

    worker = Worker(queue, {Stage.VALIDATE: validate}, batch_size=2)
    assert worker.run_batch()
    assert committed == [0, 1] and worker.jobs_run == 2 and not queue.released
    assert worker.run_batch()  # claims on its own again
    assert committed == [0, 1, 2] and queue.claims[-1] == "in batch"


def test_jobs_claimed_in_a_commit_that_failed_are_not_run() -> None:
    queue = TrackingQueue(4, fail_flush=True)
    ran: list[int] = []
    worker = Worker(queue, {Stage.VALIDATE: lambda job: ran.append(job.id)}, batch_size=2)
    try:
        worker.run_batch()
    except OSError:
        pass
    else:
        raise AssertionError("the failed commit should surface")
    queue.fail_flush = False
    assert worker.run_batch()
    assert queue.claims[-2:] == ["alone", "in batch"]  # not the rolled-back claim of jobs 2 and 3
