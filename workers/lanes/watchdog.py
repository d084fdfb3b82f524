"""The jobs worker threads run themselves right now, and what the watchdog does when one runs too long.

A proven lane's job runs on the worker thread, in its batch. Should it hang (past ``WATCH_S``), its
lane is slow, and the batch's other lane jobs still waiting behind it are set free: moved to their
lanes, so only the worker thread itself waits for that one POST. The caller holds the lanes' lock
and passes in the time; the thread that looks every ``WATCH_S / 4`` is :class:`workers.lanes.Lanes`'.
"""

from __future__ import annotations

from gateway.contracts import Job
from gateway.model import Stage

from .modes import LaneModes


class Watch:
    """A job a worker thread runs itself since ``began``, and the rest of its batch, which may move to the lanes."""

    __slots__ = ("began", "lane", "left", "rest", "stages")

    def __init__(self, lane: str, began: float, rest: list[Job], left: list[Job], stages: frozenset[Stage]) -> None:
        """``rest``: the batch's jobs still to run; the jobs of ``stages`` among them may be moved to ``left``."""
        self.lane, self.began, self.rest, self.left, self.stages = lane, began, rest, left, stages


class Watchdog:
    """The watches of the jobs the worker threads run themselves."""

    __slots__ = ("_watches",)

    def __init__(self) -> None:
        """Nothing watched."""
        self._watches: list[Watch] = []

    def watch(self, lane: str, began: float, rest: list[Job], left: list[Job], stages: frozenset[Stage]) -> Watch:
        """Watch a job a worker thread is about to run itself."""
        watch = Watch(lane, began, rest, left, stages)
        self._watches.append(watch)
        return watch

    def done(self, watch: Watch) -> None:
        """The job of ``watch`` ended."""
        self._watches.remove(watch)

    def look(self, modes: LaneModes, now: float) -> list[Watch]:
        """One look at ``now``: each job run past ``WATCH_S`` makes its lane slow (and remembered as hung).

        Returns the watches of those with jobs left in their batch, to :func:`free_rest`.
        """
        return [watch for watch in self._watches if modes.overran(watch.lane, watch.began, now=now) and watch.rest]


def free_rest(watch: Watch) -> list[Job]:
    """Move the lane jobs (of ``watch.stages``) still waiting in a hung job's batch to ``watch.left``; returns them."""
    moved = [job for job in watch.rest if job.stage in watch.stages]
    if not moved:
        return moved
    watch.rest[:] = [job for job in watch.rest if job.stage not in watch.stages]
    watch.left.extend(moved)
    return moved
