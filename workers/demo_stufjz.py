"""The demo on a machine without the StUF-JZ package: envelope-only, deliberately and loudly, for the run only.

The demo must work on a fresh machine, where the official package is not installed and StUF-Jeugdzorg
messages would be refused. It therefore sets ``KETENPOORT_STUF_JZ_ENVELOPE_ONLY=true`` for the duration
of the run (and restores it afterwards), and prints the same warning the gateway would log, so the run
shows what a real deployment without the package would need to decide.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

from gateway.stufjz_policy import WARNINGS, StufJzMode, stuf_jz_mode

_VARIABLE = "KETENPOORT_STUF_JZ_ENVELOPE_ONLY"


@contextlib.contextmanager
def stuf_jz_for_demo(lines: list[str]) -> Iterator[None]:
    """Within the block, StUF-JZ is validated (package installed) or accepted on its envelope, with a warning."""
    if stuf_jz_mode(envelope_only=False) is StufJzMode.VALIDATED:
        lines.append("StUF-Jeugdzorg content validated against the installed normative package")
        yield
        return
    lines.append(f"WARNING (demo only): {WARNINGS[StufJzMode.ENVELOPE_ONLY]}")
    before = os.environ.get(_VARIABLE)
    os.environ[_VARIABLE] = "true"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(_VARIABLE, None)
        else:
            os.environ[_VARIABLE] = before


__all__ = ["stuf_jz_for_demo"]
