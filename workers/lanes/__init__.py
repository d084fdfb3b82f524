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

The package, one job a module: :mod:`.modes` judges each lane's mode from the times its jobs took (pure:
every time is an argument, so the modes are tested on made-up times); :mod:`.queues` holds the jobs
waiting per lane and the round-robin turn; :mod:`.watchdog` the jobs worker threads run themselves;
:mod:`.commits` the outcomes until they are committed; :mod:`.pool` the :class:`Lanes` with its threads
and the lock they share.
"""

from __future__ import annotations

from .config import LaneConfig
from .modes import INLINE_S, PROVEN_AFTER, SLOW_MEMORY_S, WATCH_S
from .pool import Lanes

__all__ = ["INLINE_S", "PROVEN_AFTER", "SLOW_MEMORY_S", "WATCH_S", "LaneConfig", "Lanes"]
