"""What one message may cost: its size, its elements, depth and attributes, and the findings kept.

It also carries the one thing a message may be let through *unchecked*: a StUF-Jeugdzorg message
whose content cannot be validated (no normative package installed) passes on its envelope only
when the operator chose so (``KETENPOORT_STUF_JZ_ENVELOPE_ONLY``); it travels here because this is
the value every validating stage is already handed, so nothing below the composition root has to
read the settings for it.

One value object, built from the settings once (:meth:`Bounds.from_settings`) and handed to every
stage that parses or validates, so no legal message ever meets a limit and no hostile one gets
past it. The defaults are chosen against the largest legal declaratie: 25 MB of JW323 (OP179)
holds about 580,000 elements, no attributes, and nests ten levels deep.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gateway.findings import MAX_FINDINGS, MAX_FINDINGS_PER_KIND

MAX_MESSAGE_BYTES = 25_000_000
"""iJw OP179: a message file may be at most 25 MB, which is 25,000,000 bytes (a 25 MiB body is larger)."""

MAX_ELEMENTS = 1_000_000
"""Elements per message (``KETENPOORT_MAX_ELEMENTS``): ~210 MB of tree at most, 1.7x a full 25 MB JW323."""
MAX_ATTRIBUTES = 100_000
"""Attributes per message (``KETENPOORT_MAX_ATTRIBUTES``); iJw messages carry none, StUF a few per entity."""
MAX_DEPTH = 256
"""Element nesting (``KETENPOORT_MAX_DEPTH``); 256 is also libxml2's own limit without XML_PARSE_HUGE,
which stays off, so a higher setting cannot take effect and a lower one costs a check per message."""


@dataclass(frozen=True, slots=True)
class Bounds:
    """The limits of one message; see the module constants for what each default allows."""

    max_bytes: int = MAX_MESSAGE_BYTES
    max_elements: int = MAX_ELEMENTS
    max_attributes: int = MAX_ATTRIBUTES
    max_depth: int = MAX_DEPTH
    max_findings: int = MAX_FINDINGS
    max_findings_per_kind: int = MAX_FINDINGS_PER_KIND
    stuf_jz_envelope_only: bool = False
    """Accept StUF-JZ on its envelope only while its content cannot be checked (default: refuse it)."""

    @classmethod
    def from_settings(cls, settings: Any) -> Bounds:
        """The bounds an operator set (any object with the ``Settings`` field names; missing ones: defaults)."""
        default = cls()
        return cls(
            max_bytes=getattr(settings, "max_message_bytes", default.max_bytes),
            max_elements=getattr(settings, "max_elements", default.max_elements),
            max_attributes=getattr(settings, "max_attributes", default.max_attributes),
            max_depth=min(getattr(settings, "max_depth", default.max_depth), MAX_DEPTH),
            max_findings=getattr(settings, "max_findings", default.max_findings),
            max_findings_per_kind=getattr(settings, "max_findings_per_kind", default.max_findings_per_kind),
            stuf_jz_envelope_only=bool(getattr(settings, "stuf_jz_envelope_only", default.stuf_jz_envelope_only)),
        )


DEFAULT_BOUNDS = Bounds()

__all__ = ["DEFAULT_BOUNDS", "MAX_ATTRIBUTES", "MAX_DEPTH", "MAX_ELEMENTS", "MAX_MESSAGE_BYTES", "Bounds"]
