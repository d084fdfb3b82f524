"""The retention horizons: how far back payloads and metadata are kept (CORV: 24 h content, 6 months traffic data)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from gateway.config import Settings


@dataclass(frozen=True, slots=True)
class Cutoffs:
    """Purge payloads of messages delivered before ``payload_before``, of rejected and duplicate ones
    answered before ``refused_before``, metadata before ``metadata_before``."""

    payload_before: datetime
    metadata_before: datetime
    refused_before: datetime


def cutoffs(settings: Settings, now: datetime) -> Cutoffs:
    """The purge horizons for ``now`` under the configured retention."""
    return Cutoffs(
        payload_before=now - timedelta(hours=settings.payload_retention_h),
        metadata_before=now - timedelta(days=settings.metadata_retention_d),
        refused_before=now - timedelta(days=settings.rejected_payload_retention_d),
    )


__all__ = ["Cutoffs", "cutoffs"]
