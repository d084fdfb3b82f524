"""Retention stage: when payloads and metadata become due for purging (CORV: 24 h content, 6 months traffic data)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from gateway.config import Settings
from gateway.contracts import Job
from gateway.ports import RetentionStore
from gateway.retention import Cutoffs, cutoffs


def retention_handler(store: RetentionStore, settings: Settings) -> Callable[[Job], None]:
    """The handler for retention jobs: purge up to the horizons of now, then finish the job."""

    def retention(job: Job) -> None:
        horizon = cutoffs(settings, datetime.now(UTC))
        store.purge(horizon.payload_before, horizon.metadata_before, refused_before=horizon.refused_before)
        store.finish_retention(job)

    return retention


__all__ = ["Cutoffs", "RetentionStore", "cutoffs", "retention_handler"]
