"""A monotonic clock for breakers and leases that only moves when a test says so."""

from __future__ import annotations


class FakeClock:
    """Starts at ``start`` seconds; :meth:`advance` (or assigning ``now``) moves it."""

    def __init__(self, start: float = 0.0) -> None:
        """Start at ``start``."""
        self.now = start

    def __call__(self) -> float:
        """The current fake time."""
        return self.now

    def advance(self, seconds: float) -> None:
        """Move time forward."""
        self.now += seconds

    def time(self) -> float:
        """The current fake time, as :class:`gateway.ports.Clock` asks it (a store's queue times)."""
        return self.now
