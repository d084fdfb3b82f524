"""The retourcodes a retour schema accepts, read from the bundled basisschema of that iJw version."""

from __future__ import annotations

from functools import cache

from lxml import etree

from gateway.paths import schemas_dir

_XS = "{http://www.w3.org/2001/XMLSchema}"
TECHNISCH = "0001"


@cache
def allowed_retourcodes(version: str) -> frozenset[str]:
    """The LDT_RetourCode enumeration of iJw ``version`` (empty when the package is not bundled)."""
    path = schemas_dir() / "ijw" / version / "basisschema.xsd"
    if not path.exists():
        return frozenset()
    for simple in etree.parse(str(path)).iter(f"{_XS}simpleType"):
        if simple.get("name") == "LDT_RetourCode":
            return frozenset(str(e.get("value")) for e in simple.iter(f"{_XS}enumeration"))
    return frozenset()


def sendable(code: str, version: str) -> str:
    """``code`` when the version's retour schema knows it, else the general 0001 (a retour must stay valid)."""
    allowed = allowed_retourcodes(version)
    return code if not allowed or code in allowed else TECHNISCH


__all__ = ["allowed_retourcodes", "sendable"]
