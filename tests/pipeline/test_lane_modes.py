"""The relay lanes' three modes (proven, on probation, slow) and their transitions, on a fake clock.

:class:`workers.lanes.modes.LaneModes` takes every time as an argument, so these tests say exactly how
long each job took and when; nothing sleeps and no wall-clock time is measured. One test goes through
:class:`workers.lanes.Lanes` itself, for what only it can show: a proven lane's job runs on the caller.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import AbstractContextManager

from gateway.contracts import Job
from gateway.model import Stage
from tests.support.clock import FakeClock
from workers.lanes import INLINE_S, PROVEN_AFTER, SLOW_MEMORY_S, WATCH_S, Lanes
from workers.lanes.modes import LaneModes, Mode
from workers.lanes.watchdog import Watchdog, free_rest

LANE = "X"
FAST = INLINE_S / 10
"""Under half ``INLINE_S``: fast enough for probation and for a slow lane's recovery."""


def _answers(modes: LaneModes, clock: FakeClock, count: int, took: float = FAST, *, waiting: bool = False) -> None:
    """``count`` lane-thread jobs on ``LANE`` that took ``took`` s each, one after another on ``clock``."""
    for _ in range(count):
        clock.advance(took)
        modes.judge(LANE, took, now=clock(), waiting=waiting)


def _proven(clock: FakeClock) -> LaneModes:
    modes = LaneModes()
    _answers(modes, clock, PROVEN_AFTER)
    assert modes.mode(LANE) is Mode.PROVEN
    return modes


def test_a_new_lane_starts_on_probation() -> None:
    modes = LaneModes()
    assert modes.mode(LANE) is Mode.PROBATION
    assert not modes.is_slow(LANE)
    assert not modes.is_proven(LANE)


def test_proven_after_that_many_fast_answers_in_a_row() -> None:
    clock, modes = FakeClock(), LaneModes()
    _answers(modes, clock, PROVEN_AFTER - 1)
    assert modes.mode(LANE) is Mode.PROBATION
    _answers(modes, clock, 1)
    assert modes.mode(LANE) is Mode.PROVEN
    assert modes.mode("Y") is Mode.PROBATION  # per lane


def test_an_answer_just_under_inline_s_still_counts_as_fast() -> None:
    clock, modes = FakeClock(), LaneModes()
    _answers(modes, clock, PROVEN_AFTER, took=INLINE_S * 0.99)
    assert modes.mode(LANE) is Mode.PROVEN


def test_one_slow_answer_breaks_the_run() -> None:
    clock, modes = FakeClock(), LaneModes()
    _answers(modes, clock, PROVEN_AFTER - 1)
    _answers(modes, clock, 1, took=INLINE_S)  # not under inline_s
    assert modes.mode(LANE) is Mode.SLOW
    _answers(modes, clock, 1)  # recovers: on probation, counting from nought
    assert modes.mode(LANE) is Mode.PROBATION
    _answers(modes, clock, PROVEN_AFTER - 1)
    assert modes.mode(LANE) is Mode.PROBATION
    _answers(modes, clock, 1)
    assert modes.mode(LANE) is Mode.PROVEN


def test_a_slow_answer_makes_a_proven_lane_slow() -> None:
    clock = FakeClock()
    modes = _proven(clock)
    _answers(modes, clock, 1, took=INLINE_S)
    assert modes.mode(LANE) is Mode.SLOW


def test_the_watchdog_makes_a_proven_lane_slow_past_watch_s() -> None:
    clock = FakeClock(100.0)
    modes = _proven(clock)
    began = clock()
    rest = [Job(1, Stage.RELAY, "m1"), Job(2, Stage.VALIDATE, "m2"), Job(3, Stage.RELAY, "m3")]
    left: list[Job] = []
    watchdog = Watchdog()
    watch = watchdog.watch(LANE, began, rest, left, frozenset({Stage.RELAY}))
    clock.advance(WATCH_S * 0.99)
    assert watchdog.look(modes, clock()) == []
    assert modes.mode(LANE) is Mode.PROVEN
    clock.advance(WATCH_S * 0.01)
    assert watchdog.look(modes, clock()) == [watch]
    assert modes.mode(LANE) is Mode.SLOW
    moved = free_rest(watch)
    assert [job.id for job in moved] == [1, 3] == [job.id for job in left]
    assert [job.id for job in rest] == [2]  # not a lane job: stays with the worker thread's batch
    watchdog.done(watch)
    assert watchdog.look(modes, clock() + WATCH_S) == []


def test_a_job_run_inline_past_inline_s_makes_its_lane_slow() -> None:
    clock = FakeClock()
    modes = _proven(clock)
    modes.ran_inline(LANE, INLINE_S * 0.99, now=clock())
    assert modes.mode(LANE) is Mode.PROVEN
    modes.ran_inline(LANE, INLINE_S, now=clock())
    assert modes.mode(LANE) is Mode.SLOW


def test_a_slow_lane_recovers_only_on_a_job_under_half_inline_s_with_none_waiting() -> None:
    clock, modes = FakeClock(), LaneModes()
    _answers(modes, clock, 1, took=INLINE_S)
    assert modes.mode(LANE) is Mode.SLOW
    _answers(modes, clock, 1, took=INLINE_S / 2)  # fast enough for probation, not for a recovery
    assert modes.mode(LANE) is Mode.SLOW
    _answers(modes, clock, 1, waiting=True)  # fast, but jobs wait behind it
    assert modes.mode(LANE) is Mode.SLOW
    _answers(modes, clock, 1)
    assert modes.mode(LANE) is Mode.PROBATION


def test_a_lane_that_hung_is_not_proven_again_within_slow_memory_s() -> None:
    clock = FakeClock(1000.0)
    modes = _proven(clock)
    watchdog = Watchdog()
    watchdog.watch(LANE, clock(), [], [], frozenset({Stage.RELAY}))
    clock.advance(WATCH_S)
    hung_at = clock()
    assert watchdog.look(modes, hung_at) == []  # nothing left in its batch to set free
    assert modes.mode(LANE) is Mode.SLOW
    _answers(modes, clock, 1)
    assert modes.mode(LANE) is Mode.PROBATION
    _answers(modes, clock, 3 * PROVEN_AFTER)
    clock.now = hung_at + SLOW_MEMORY_S * 0.99
    _answers(modes, clock, 1, took=0.0)
    assert modes.mode(LANE) is Mode.PROBATION  # however many fast answers: it hung too recently
    clock.now = hung_at + SLOW_MEMORY_S
    _answers(modes, clock, 1, took=0.0)
    assert modes.mode(LANE) is Mode.PROVEN


def test_a_lane_thread_job_that_hung_is_remembered_too() -> None:
    clock, modes = FakeClock(), LaneModes()
    _answers(modes, clock, 1, took=WATCH_S)
    hung_at = clock()
    _answers(modes, clock, 1 + PROVEN_AFTER)
    assert modes.mode(LANE) is Mode.PROBATION
    clock.now = hung_at + SLOW_MEMORY_S
    _answers(modes, clock, 1, took=0.0)
    assert modes.mode(LANE) is Mode.PROVEN


def test_a_probation_wait_that_ran_out_is_slow_but_not_remembered_as_hung() -> None:
    clock, modes = FakeClock(), LaneModes()
    modes.mark_slow(LANE, now=clock(), hung=False)  # what a worker thread does when inline_s ran out
    assert modes.mode(LANE) is Mode.SLOW
    _answers(modes, clock, 1 + PROVEN_AFTER)
    assert modes.mode(LANE) is Mode.PROVEN


class _Queue:
    """The JobQueue the lanes give jobs back to and commit through: unused while every stage commits itself."""

    def release(self, jobs: list[Job]) -> None:
        raise AssertionError(f"nothing is given back here: {jobs}")

    def batch(self) -> AbstractContextManager[None]:
        raise AssertionError("nothing is committed by the lanes here")


def test_run_here_on_a_proven_lane_runs_on_the_calling_thread() -> None:
    ran_on: list[threading.Thread] = []

    def run(job: Job) -> None:
        ran_on.append(threading.current_thread())

    def guarded(job: Job, stage: Callable[[], None]) -> None:
        stage()

    clock = FakeClock()  # stands still: every job takes no time at all
    lanes = Lanes(_Queue(), run, lambda job: LANE, guarded, threads=2, clock=clock)  # type: ignore[arg-type]
    here = threading.current_thread()
    try:
        for i in range(PROVEN_AFTER + 1):
            assert lanes.run_here(Job(i, Stage.RELAY, f"m{i}"), [], [], frozenset({Stage.RELAY})) == (True, None)
        assert len(ran_on) == PROVEN_AFTER + 1
        assert here not in ran_on[:PROVEN_AFTER]  # on probation: handed to a lane thread, waited for
        assert ran_on[PROVEN_AFTER] is here  # proven: run by the worker thread itself
        assert lanes.held() == 0
    finally:
        lanes.close()
