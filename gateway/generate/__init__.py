"""Deterministic generators of realistic test messages (iJw, StUF-Jeugdzorg)."""

from gateway.generate.ijw import large_jw323

__all__ = ["large_jw323"]
