"""What the store holds right now, for the metrics scrape: one grouped query per figure, none per message."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from gateway.model import MessageStatus, Stage
from gateway.store.front import Store
from gateway.store.schema import jobs

JOB_STATES = ("due", "leased", "scheduled", "done")


@dataclass(frozen=True)
class StoreGauges:
    """Messages per status, jobs per (stage, state), and the depth of the dead-letter queue."""

    messages: dict[str, int]
    jobs: dict[tuple[str, str], int]

    @property
    def dead_letters(self) -> int:
        """Messages in the dead-letter queue (status dead)."""
        return self.messages.get(str(MessageStatus.DEAD), 0)


def job_counts_by_stage(store: Store) -> dict[tuple[str, str], int]:
    """Jobs per stage and state (every pair present, zero included); the states of ``job_counts``."""
    now = store.db.clock.time()
    state = sa.case(
        (jobs.c.done, "done"),
        (jobs.c.lease_until > now, "leased"),
        (jobs.c.run_after > now, "scheduled"),
        else_="due",
    ).label("state")
    out = {(str(s), st): 0 for s in Stage for st in JOB_STATES}
    with store.db.read() as conn:
        for stage, name, count in conn.execute(
            sa.select(jobs.c.stage, state, sa.func.count()).group_by(jobs.c.stage, state)
        ):
            out[(str(stage), str(name))] = int(count)
    return out


def store_gauges(store: Store) -> StoreGauges:
    """Read the gauges from ``store`` (two grouped queries)."""
    return StoreGauges(messages=dict(store.status_counts()), jobs=job_counts_by_stage(store))


__all__ = ["JOB_STATES", "StoreGauges", "job_counts_by_stage", "store_gauges"]
