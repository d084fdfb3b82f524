"""Retention stage: when payloads and metadata become due for purging (CORV: 24 h content, 6 months traffic data)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, runtime_checkable

from gateway.config import Settings
from gateway.contracts import Job


@dataclass(frozen=True, slots=True)
class Cutoffs:
    """Purge payloads of messages delivered before ``payload_before``, metadata before ``metadata_before``."""

    payload_before: datetime
    metadata_before: datetime


def cutoffs(settings: Settings, now: datetime) -> Cutoffs:
    """The two purge horizons for ``now`` under the configured retention."""
    return Cutoffs(
        payload_before=now - timedelta(hours=settings.payload_retention_h),
        metadata_before=now - timedelta(days=settings.metadata_retention_d),
    )


@runtime_checkable
class RetentionStore(Protocol):
    """What the retention stage needs of the store."""

    def purge(self, payload_before: datetime, metadata_before: datetime) -> Any:
        """Drop payloads of messages delivered before the first horizon, metadata before the second."""
        ...

    def skip(self, job: Job) -> None:
        """Finish the job."""
        ...


def retention_handler(store: RetentionStore, settings: Settings) -> Callable[[Job], None]:
    """The handler for retention jobs: purge up to the horizons of now, then finish the job."""

    def retention(job: Job) -> None:
        horizon = cutoffs(settings, datetime.now(UTC))
        store.purge(horizon.payload_before, horizon.metadata_before)
        store.skip(job)

    return retention


__all__ = ["Cutoffs", "RetentionStore", "cutoffs", "retention_handler"]
