"""Deterministic generators of realistic test messages (iJw, StUF-Jeugdzorg)."""
