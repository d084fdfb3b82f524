"""Parsing untrusted bytes into an lxml tree, safely.

Entity resolution is off, no DTD is loaded, nothing is fetched from the network, and any
document that carries a DTD at all is refused: iJw and StUF messages never have one, and
refusing it ends billion-laughs and external-entity (XXE) attacks before they start.
Encoding rules follow iJw OP192 (UTF-8, no byte order mark) and OP179 (at most 25 MB).
"""

from __future__ import annotations

import re
import threading
from typing import Any

from lxml import etree

from gateway.config import MAX_MESSAGE_BYTES
from gateway.model import Finding

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_DECLARED_ENCODING = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_CANONICAL_PROLOGS = (b'<?xml version="1.0" encoding="UTF-8"?>', b"<?xml version='1.0' encoding='UTF-8'?>")
_NAME_START = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
_local = threading.local()


class DocumentRefusedError(Exception):
    """The bytes are not a well-formed, acceptable XML document; ``finding`` says why."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.message)
        self.finding = finding


def _parser() -> etree.XMLParser:
    """One parser per thread: lxml parsers must not be shared between threads."""
    parser: etree.XMLParser | None = getattr(_local, "parser", None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=False,
            remove_blank_text=False,
        )
        _local.parser = parser
    return parser


def _xml_error(message: str, line: int | None = None) -> DocumentRefusedError:
    return DocumentRefusedError(Finding(kind="xml", message=message, line=line))


def check_envelope(data: bytes, max_bytes: int = MAX_MESSAGE_BYTES) -> None:
    """Refuse, before parsing, what is empty, too large, or not UTF-8 without BOM."""
    if not data or data.isspace():  # not data.strip(): that copies a 25 MB document just to test it
        raise _xml_error("empty document: no XML content")
    if len(data) > max_bytes:
        raise _xml_error(f"document is {len(data)} bytes, more than the maximum of {max_bytes} bytes (OP179)")
    if data.startswith(_UTF8_BOM):
        raise _xml_error("document starts with a byte order mark, which is not allowed (OP192)")
    if data.startswith(_UTF16_BOMS) or data[:4] in (b"<\x00?\x00", b"\x00<\x00?"):
        raise _xml_error("document is UTF-16 encoded; messages must be UTF-8 (OP192)")
    match = _DECLARED_ENCODING.match(data[:200])
    if match and match.group(1).decode("ascii").upper().replace("_", "-") not in ("UTF-8", "UTF8"):
        declared = match.group(1).decode("ascii")
        raise _xml_error(f"document declares encoding {declared!r}; messages must be UTF-8 (OP192)")


def _has_doctype(data: bytes) -> bool:
    """True when the prolog (before the root element) holds a DOCTYPE declaration."""
    pos, size = 0, len(data)
    while pos < size:
        while pos < size and data[pos] in b" \t\r\n":
            pos += 1
        if data.startswith(b"<?", pos):
            end = data.find(b"?>", pos)
        elif data.startswith(b"<!--", pos):
            end = data.find(b"-->", pos)
        else:
            return data.startswith(b"<!DOCTYPE", pos)
        if end < 0:
            return False
        pos = end + 2
    return False


def _canonical_start(data: bytes) -> bool:
    """True for the usual message start: a UTF-8 XML declaration, whitespace, then the root element's tag.

    Such a document has no BOM, no other encoding and no DOCTYPE (a DOCTYPE can only come before the
    root element), so :func:`check_envelope` and :func:`_has_doctype` have nothing left to find but
    the size; anything else takes the full checks.
    """
    for prolog in _CANONICAL_PROLOGS:
        if data.startswith(prolog):
            pos = len(prolog)
            head = data[pos : pos + 64].lstrip(b" \t\r\n")
            return len(head) > 1 and head[0] == 0x3C and head[1] in _NAME_START  # "<" + name start
    return False


def parse(data: bytes, max_bytes: int = MAX_MESSAGE_BYTES) -> etree._Element:
    """Parse untrusted bytes into a root element, or raise :class:`DocumentRefusedError`."""
    canonical = _canonical_start(data)
    if canonical:
        if len(data) > max_bytes:
            check_envelope(data, max_bytes)  # raises the size error
    else:
        check_envelope(data, max_bytes)
        if _has_doctype(data):
            raise _xml_error("document contains a DTD (DOCTYPE), which is not allowed")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if exc.lineno else None
        raise _xml_error(f"not well-formed XML: {exc.msg}", line) from None
    if root is None:  # pragma: no cover - lxml raises for empty input
        raise _xml_error("document has no root element")
    if not canonical:  # after a canonical start the root element comes first: no DOCTYPE can follow it
        docinfo: Any = root.getroottree().docinfo
        if docinfo.doctype or docinfo.internalDTD is not None:
            raise _xml_error("document contains a DTD (DOCTYPE), which is not allowed")
    return root


__all__ = ["DocumentRefusedError", "check_envelope", "parse"]
