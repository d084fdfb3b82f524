"""The jobs waiting per lane, how many of each lane run, and the round-robin turn over the lanes.

A plain data structure: the caller holds the lanes' lock around every call, and passes in the times.
"""

from __future__ import annotations

import threading
from collections import deque

from gateway.contracts import Job

from .commits import Commit


class Handoff:
    """A job a worker thread waits for: the lane thread hands its commit back unless the wait ran out."""

    __slots__ = ("commit", "state", "waiter")

    WAITING, DONE, DETACHED = 0, 1, 2

    def __init__(self, waiter: threading.Condition) -> None:
        """Waited for by the worker thread that owns ``waiter``."""
        self.waiter = waiter
        self.state = Handoff.WAITING
        self.commit: Commit | None = None


Entry = tuple[float, Job, Handoff | None]
"""A job waiting in its lane: since when, the job, and its waiting worker thread if any."""


class LaneQueues:
    """One queue per lane, taken round-robin over the lanes with room, at most ``per_lane`` of a lane at once."""

    __slots__ = ("_lanes", "_running", "_turn", "per_lane")

    def __init__(self, per_lane: int) -> None:
        """No lanes yet."""
        self.per_lane = max(1, per_lane)
        self._lanes: dict[str, deque[Entry]] = {}
        self._running: dict[str, int] = {}
        self._turn: deque[str] = deque()
        """Lanes with waiting jobs, in round-robin order."""

    def enqueue(self, lane: str, entry: Entry) -> None:
        """Put ``entry`` at the back of its lane."""
        waiting = self._lanes.get(lane)
        if waiting is None:
            waiting = self._lanes[lane] = deque()
        if not waiting:
            self._turn.append(lane)
        waiting.append(entry)

    def waiting(self, lane: str) -> bool:
        """Whether jobs wait in ``lane``."""
        return bool(self._lanes.get(lane))

    def full(self, lane: str) -> bool:
        """Whether ``lane`` runs as many jobs as it may at once."""
        return self._running.get(lane, 0) >= self.per_lane

    def started(self, lane: str) -> None:
        """A job of ``lane`` runs (on a lane thread, or a worker thread's own)."""
        self._running[lane] = self._running.get(lane, 0) + 1

    def ended(self, lane: str) -> None:
        """A job of ``lane`` that :meth:`started` is done."""
        self._running[lane] -= 1

    def ready(self) -> int:
        """Jobs running, or waiting in a lane with room (not those behind a destination whose slots are all taken)."""
        running = sum(self._running.values())
        waiting = sum(len(self._lanes[lane]) for lane in self._turn if self._running.get(lane, 0) < self.per_lane)
        return running + waiting

    def pick(self) -> tuple[str, Job, Handoff | None] | None:
        """The next job of the next lane with room, counted as running; None when every lane with jobs is full."""
        for _ in range(len(self._turn)):
            lane = self._turn[0]
            self._turn.rotate(-1)
            if self._running.get(lane, 0) < self.per_lane:
                waiting = self._lanes[lane]
                _, job, handoff = waiting.popleft()
                if not waiting:
                    self._turn.remove(lane)
                self.started(lane)
                return lane, job, handoff
        return None

    def stale(self, limit: float, out: list[Job]) -> None:
        """Jobs waiting in their lane since ``limit`` or before, moved to ``out``.

        A lane's jobs wait in the order they came, so only its first needs looking at. A handed-over
        job whose worker thread still waits for it is never stale (it waits ``inline_s`` at most).
        """
        if not self._turn:
            return
        for lane in [lane for lane in self._turn if self._lanes[lane][0][0] <= limit]:
            waiting = self._lanes[lane]
            kept: deque[Entry] = deque()
            while waiting and waiting[0][0] <= limit:
                entry = waiting.popleft()
                if entry[2] is not None and entry[2].state == Handoff.WAITING:
                    kept.append(entry)
                else:
                    out.append(entry[1])
            waiting.extendleft(reversed(kept))
            if not waiting:
                self._turn.remove(lane)

    def drain(self) -> list[Job]:
        """Every job still waiting, taken out of its lane."""
        waiting = [job for lane in self._turn for _, job, _ in self._lanes[lane]]
        for lane in self._turn:
            self._lanes[lane].clear()
        self._turn.clear()
        return waiting
