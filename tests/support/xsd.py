"""Compiling XSDs and asking them for a verdict, the same way in every schema and generator test."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from lxml import etree

SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)

SchemaPairs = dict[str, tuple[etree.XMLSchema, etree.XMLSchema]]


def compile_xsd(path: Path) -> etree.XMLSchema:
    """One XSD file compiled with lxml (includes resolved relative to it)."""
    return etree.XMLSchema(etree.parse(str(path), SAFE_PARSER))


def schema_pairs(ours: Path, official: Path, message_types: Iterable[str]) -> SchemaPairs:
    """Per message type: (ours, official), each compiled once."""
    return {mt: (compile_xsd(ours / f"{mt}.xsd"), compile_xsd(official / f"{mt}.xsd")) for mt in message_types}


def xsd_verdict(schema: etree.XMLSchema, data: bytes) -> bool:
    """Valid against ``schema``; a document that is not well-formed is invalid."""
    try:
        doc = etree.fromstring(data, SAFE_PARSER)
    except etree.XMLSyntaxError:
        return False
    return bool(schema.validate(doc))
