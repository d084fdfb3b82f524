"""Which mode each lane is in, proven, on probation or slow, judged from how long its jobs took.

Pure bookkeeping: every time comes in as an argument (``took``, ``now``), it starts no thread and reads
no clock, so the modes can be driven through their transitions with made-up times. The caller holds
the lanes' lock around every call.
"""

from __future__ import annotations

import enum

import structlog

log = structlog.get_logger("workers.lanes")

INLINE_S = 0.05
"""How long a job may take before its destination counts as slow (see :mod:`workers.lanes`)."""
PROVEN_AFTER = 8
"""Fast answers in a row on probation after which the worker thread runs a lane's jobs itself."""
WATCH_S = 0.5
"""How long a job a worker thread runs itself may take before its batch's other lane jobs move to the lanes."""
SLOW_MEMORY_S = 120.0
"""A lane with a job that hung (past ``WATCH_S``) this recently stays on probation: longer than a breaker's
reset, so its probes, which may hang again, never run on a worker thread."""


class Mode(enum.Enum):
    """How a worker thread runs a lane's jobs."""

    PROVEN = "proven"
    """Itself, in its batch, the watchdog watching."""
    PROBATION = "probation"
    """On a lane thread, waiting for it at most ``inline_s``."""
    SLOW = "slow"
    """Straight to the lane, without waiting."""


class LaneModes:
    """The mode of every lane; a lane never seen is on probation."""

    __slots__ = ("_fast", "_proven", "_slow", "_slow_at", "inline_s")

    def __init__(self, inline_s: float = INLINE_S) -> None:
        """Every lane on probation."""
        self.inline_s = inline_s
        self._slow: set[str] = set()
        """Lanes whose last job outlasted ``inline_s``: their jobs are not waited for."""
        self._slow_at: dict[str, float] = {}
        """When each lane last had a job that hung (past ``WATCH_S``)."""
        self._proven: set[str] = set()
        """Lanes whose jobs the worker threads run themselves."""
        self._fast: dict[str, int] = {}
        """Lanes on probation (neither slow nor proven): fast answers in a row so far."""

    def mode(self, lane: str) -> Mode:
        """The mode ``lane`` is in."""
        if lane in self._slow:
            return Mode.SLOW
        if lane in self._proven:
            return Mode.PROVEN
        return Mode.PROBATION

    def is_slow(self, lane: str) -> bool:
        """Whether ``lane``'s jobs go straight to the lane."""
        return lane in self._slow

    def is_proven(self, lane: str) -> bool:
        """Whether the worker threads run ``lane``'s jobs themselves."""
        return lane in self._proven

    def mark_slow(self, lane: str, *, now: float, hung: bool) -> None:
        """A job of ``lane`` outlasted ``inline_s``; ``hung``: past ``WATCH_S``, remembered from ``now``."""
        if hung:
            self._slow_at[lane] = now
        self._proven.discard(lane)
        self._fast.pop(lane, None)
        if lane not in self._slow:
            self._slow.add(lane)
            log.info("lanes.slow_destination", lane=lane, after_s=self.inline_s)

    def ran_inline(self, lane: str, took: float, *, now: float) -> None:
        """A job a worker thread ran itself took ``took`` s (the watchdog may not have looked in time)."""
        if took >= self.inline_s:
            self.mark_slow(lane, now=now, hung=took >= WATCH_S)

    def overran(self, lane: str, began: float, *, now: float) -> bool:
        """The watchdog's decision on a job a worker thread runs itself since ``began``: past ``WATCH_S``,
        its lane is slow (and remembered as hung) and True."""
        if began > now - WATCH_S:
            return False
        self.mark_slow(lane, now=now, hung=True)
        return True

    def judge(self, lane: str, took: float, *, now: float, waiting: bool) -> None:
        """A lane thread's job on ``lane`` took ``took`` s, ``waiting``: other jobs wait behind it in the lane.

        Slow → probation when one finishes in under half ``inline_s`` with none waiting; probation →
        proven after ``PROVEN_AFTER`` in under ``inline_s`` in a row and no hang for ``SLOW_MEMORY_S``;
        any job past ``inline_s`` → slow.
        """
        if took >= WATCH_S:
            self._slow_at[lane] = now
        if lane in self._slow:
            if took < self.inline_s / 2 and not waiting:
                self._slow.discard(lane)  # fast again, nothing waiting: on probation
                self._fast[lane] = 0
            return
        if took >= self.inline_s:
            self.mark_slow(lane, now=now, hung=took >= WATCH_S)
            return
        if lane in self._proven:
            return
        fast = self._fast.get(lane, 0) + 1
        slow_at = self._slow_at.get(lane)
        if fast >= PROVEN_AFTER and (slow_at is None or now - slow_at >= SLOW_MEMORY_S):
            self._fast.pop(lane, None)
            self._proven.add(lane)  # the worker threads run its jobs themselves now
        else:
            self._fast[lane] = fast
