"""Builders for StUF-Jeugdzorg 1.0.9 (CORV) messages: a thin re-export of ``gateway.generate.stuf``.

Every document is checked against the official schemas in ``tests/schemas_stuf``.
"""

from __future__ import annotations

from gateway.generate.stuf import (
    BG_NS,
    JZ_NS,
    STUF_DI01_ROOTS,
    STUF_NS,
    ZKN_NS,
    build_bv03,
    build_di01,
    build_fo03,
    stuf_tijdstip,
)

__all__ = [
    "BG_NS",
    "JZ_NS",
    "STUF_DI01_ROOTS",
    "STUF_NS",
    "ZKN_NS",
    "build_bv03",
    "build_di01",
    "build_fo03",
    "stuf_tijdstip",
]
