"""The official GGk 0310 schemas (../shared/reference/ggk-0310), compiled once, as a check for test receivers."""

from __future__ import annotations

import functools
from pathlib import Path

from lxml import etree

from tests.support.reference import REFERENCE_DIR

GGK_DIR = REFERENCE_DIR / "ggk-0310"
WSDL = GGK_DIR / "ggk0310_21" / "ggkberichten" / "ggk0310_OntvangAsynchroon.wsdl"
_GGK_XSD = GGK_DIR / "ggk0310_21" / "ggkberichten" / "ggk0310_msg.xsd"
_STUF_XSD = GGK_DIR / "0301" / "stuf0301.xsd"


def _compile(path: Path) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(path)))


@functools.cache
def ggk_schema() -> etree.XMLSchema:
    """ggk0310_msg.xsd: envelopHeenbericht-ggk_Di01 and envelopRetourbericht-ggk_Du01."""
    return _compile(_GGK_XSD)


@functools.cache
def stuf_schema() -> etree.XMLSchema:
    """stuf0301.xsd: Bv03Bericht, Fo01Bericht, Fo03Bericht."""
    return _compile(_STUF_XSD)


def official_errors(element: etree._Element) -> list[str]:
    """The official schemas' errors for a GGk envelope or a StUF answer (empty: valid)."""
    namespace = etree.QName(element).namespace
    schema = stuf_schema() if namespace == "http://www.egem.nl/StUF/StUF0301" else ggk_schema()
    document = etree.fromstring(etree.tostring(element))
    if schema.validate(document):
        return []
    return [f"{e.line}: {e.message}" for e in schema.error_log]  # type: ignore[attr-defined]


__all__ = ["GGK_DIR", "WSDL", "ggk_schema", "official_errors", "stuf_schema"]
