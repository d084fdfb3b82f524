"""Deterministic generators of realistic test messages (iJw, StUF-Jeugdzorg)."""

from gateway.generate.ijw import large_jw323, small_jw301
from gateway.generate.traffic import Expected, TrafficMessage, ijw_message, ijw_traffic

__all__ = ["Expected", "TrafficMessage", "ijw_message", "ijw_traffic", "large_jw323", "small_jw301"]
