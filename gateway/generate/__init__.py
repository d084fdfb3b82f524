"""Deterministic generators of realistic test messages (iJw, StUF-Jeugdzorg)."""

from gateway.generate.ijw import large_jw323, small_jw301

__all__ = ["large_jw323", "small_jw301"]
