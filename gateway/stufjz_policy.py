"""What happens to StUF-Jeugdzorg messages: content validated, envelope only (deliberately), or refused.

Without the installed normative package (``ketenpoort schemas install stuf-jz``) the gateway can check
only the StUF envelope. The safe default is to refuse StUF-JZ messages (Fo03 StUF058, a server fault
the sender may retry once the package is installed); ``KETENPOORT_STUF_JZ_ENVELOPE_ONLY=true`` accepts
them on the envelope only. Either way ``/readyz``, ``ketenpoort status`` and the dashboard say so.
"""

from __future__ import annotations

from enum import StrEnum

import structlog

from gateway.model import Standard
from gateway.schemas import JZ_NS, SchemaEntry, registry_for, stuf_jz_content_checked
from gateway.stufjz_install import installed_package_at

log = structlog.get_logger(__name__)


class StufJzMode(StrEnum):
    """How StUF-Jeugdzorg message content is treated."""

    VALIDATED = "validated"
    ENVELOPE_ONLY = "envelope-only"
    REFUSED = "refused"


REFUSAL = (
    "StUF-Jeugdzorg-inhoud kan niet worden gecontroleerd: het schemapakket is niet geinstalleerd "
    "(ketenpoort schemas install stuf-jz)"
)
"""The Fo03 text for a refused StUF-JZ message."""

WARNINGS = {
    StufJzMode.ENVELOPE_ONLY: "StUF-Jeugdzorg messages are ACCEPTED ON THE ENVELOPE ONLY: their content is NOT "
    "validated (KETENPOORT_STUF_JZ_ENVELOPE_ONLY=true); install it: ketenpoort schemas install stuf-jz",
    StufJzMode.REFUSED: "StUF-Jeugdzorg messages are REFUSED (Fo03 StUF058): the StUF-JZ schema package is not "
    "installed; install it: ketenpoort schemas install stuf-jz --from ZIP",
}
"""The loud line for every mode but VALIDATED."""


def stuf_jz_mode(envelope_only: bool) -> StufJzMode:
    """The current mode, from the installed package and the envelope-only setting."""
    if stuf_jz_content_checked(registry_for()):
        return StufJzMode.VALIDATED
    return StufJzMode.ENVELOPE_ONLY if envelope_only else StufJzMode.REFUSED


def content_refused(entry: SchemaEntry, *, envelope_only: bool) -> bool:
    """True (and logged) when ``entry`` is a StUF-JZ message checked on its envelope only and that is not allowed.

    ``envelope_only``: the operator's choice (:attr:`gateway.bounds.Bounds.stuf_jz_envelope_only`).
    Cheap for every other entry; for a StUF-JZ one, one ``stat`` of the package's manifest.
    """
    if entry.kind.standard is not Standard.STUF_JZ or entry.kind.namespace != JZ_NS:
        return False
    if installed_package_at(entry.package) is not None:
        return False
    if envelope_only:
        log.warning("stuf_jz.envelope_only", root=entry.kind.root, reason=WARNINGS[StufJzMode.ENVELOPE_ONLY])
        return False
    log.error("stuf_jz.refused", root=entry.kind.root, reason=WARNINGS[StufJzMode.REFUSED])
    return True


__all__ = ["REFUSAL", "WARNINGS", "StufJzMode", "content_refused", "stuf_jz_mode"]
