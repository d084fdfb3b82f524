"""Parsing untrusted bytes into an lxml tree, safely.

Entity resolution is off, no DTD is loaded, nothing is fetched from the network, and any
document that carries a DTD at all is refused: iJw and StUF messages never have one, and
refusing it ends billion-laughs and external-entity (XXE) attacks before they start.
Encoding rules follow iJw OP192 (UTF-8, no byte order mark) and OP179 (at most 25 MB); only XML 1.0
is accepted.

Memory is bounded before the tree is built (:class:`gateway.bounds.Bounds`): the bytes give an upper
bound of the elements (``<`` less ``</``) and attributes (``=``) at C speed, and only a document
whose bound passes a limit is counted exactly, by a parse that builds no tree and stops at the
limit. Nesting is bounded by libxml2 itself (256 levels), and lower when the bounds say so. Every
error text passes :func:`gateway.bsn.scrub_error`: a parse error quotes names and prefixes, and
``<q999969079:Bsn>`` must not echo a BSN.
"""

from __future__ import annotations

import re
import threading
from typing import Any

from lxml import etree

from gateway.bounds import MAX_DEPTH, Bounds
from gateway.bsn import scrub_error
from gateway.config import MAX_MESSAGE_BYTES
from gateway.errors import InputError
from gateway.model import Finding

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_DECLARED_ENCODING = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_CANONICAL_PROLOGS = (b'<?xml version="1.0" encoding="UTF-8"?>', b"<?xml version='1.0' encoding='UTF-8'?>")
_NAME_START = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
_DECLARED_VERSION = re.compile(rb"""^<\?xml\s+version\s*=\s*["']([^"']{0,16})["']""")
_LIBXML2_TEXT_LIMIT = 10_000_000
"""libxml2's longest text node, comment or attribute value without XML_PARSE_HUGE (which stays off)."""
_local = threading.local()


class DocumentRefusedError(InputError):
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
    return DocumentRefusedError(Finding(kind="xml", message=scrub_error(message), line=line))


def _syntax_message(msg: str) -> str:
    """libxml2's text, with its own limits said plainly (its "Comment too big" means a 10 MB text limit)."""
    lower = msg.lower()
    if "excessive depth" in lower:
        return f"elements are nested deeper than {MAX_DEPTH} levels, the maximum ({msg})"
    if "too big" in lower or "huge" in lower or "too long" in lower:
        return (
            f"a text, comment or attribute value is longer than {_LIBXML2_TEXT_LIMIT:,} bytes, the maximum "
            f"for one value ({msg})"
        )
    return f"not well-formed XML: {msg}"


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
    version = _DECLARED_VERSION.match(data[:100])
    if version and version.group(1) != b"1.0":
        declared = version.group(1).decode("ascii", "replace")
        raise _xml_error(f"document declares XML version {declared!r}; messages must be XML 1.0")
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


class _LimitExceededError(InputError):
    pass


class _Counter:
    """A parser target that builds nothing: counts elements, attributes and depth, and stops at a limit."""

    def __init__(self, bounds: Bounds) -> None:
        self.bounds = bounds
        self.elements = self.attributes = self.depth = 0
        self.exceeded: str | None = None

    def start(self, _tag: Any, attrib: Any) -> None:
        self.elements += 1
        self.attributes += len(attrib)
        self.depth += 1
        b = self.bounds
        if self.elements > b.max_elements:
            self.exceeded = f"document has more than {b.max_elements:,} elements, the maximum per message"
        elif self.attributes > b.max_attributes:
            self.exceeded = f"document has more than {b.max_attributes:,} attributes, the maximum per message"
        elif self.depth > b.max_depth:
            self.exceeded = f"elements are nested deeper than {b.max_depth} levels, the maximum"
        if self.exceeded is not None:
            raise _LimitExceededError

    def end(self, _tag: Any) -> None:
        self.depth -= 1

    def data(self, _data: Any) -> None:
        pass

    def comment(self, _text: Any) -> None:
        pass

    def close(self) -> None:
        pass


def _at_most(data: bytes, byte: bytes, limit: int) -> bool:
    """Whether ``byte`` occurs at most ``limit`` times in ``data``.

    By ``find`` (memchr) rather than ``count``: ``=`` is rare in a message (iJw has only its namespace
    declarations), and count's byte loop took 8 ms on a 13.5 MB JW323 where the finds take ~1 ms.
    A document with many stops at ``limit`` + 1 finds (100,000 by default: ~10 ms, a StUF message a few).
    """
    at, seen = data.find(byte), 0
    while at >= 0:
        seen += 1
        if seen > limit:
            return False
        at = data.find(byte, at + 1)
    return True


def _upper_bounds_pass(data: bytes, bounds: Bounds) -> bool:
    """True when the bytes alone prove the elements and attributes within bounds (no exact count needed).

    Every element starts with ``<`` that is not ``</``, and every attribute has a ``=``; bytes.count is
    a few milliseconds on a 25 MB message. The first count is cheap and usually decides.
    """
    if len(data) // 4 <= min(bounds.max_elements, bounds.max_attributes):  # an element or attribute is >= 4 bytes
        return True
    if not _at_most(data, b"=", bounds.max_attributes):
        return False
    starts = data.count(b"<")
    return starts <= bounds.max_elements or starts - data.count(b"</") <= bounds.max_elements


def check_bounds(data: bytes, bounds: Bounds) -> None:
    """Refuse a document with too many elements or attributes, or nested too deep, before building its tree."""
    if _upper_bounds_pass(data, bounds) and bounds.max_depth >= MAX_DEPTH:
        return
    counter = _Counter(bounds)
    try:
        etree.fromstring(data, etree.XMLParser(target=counter, resolve_entities=False, no_network=True))
    except _LimitExceededError:
        pass
    except etree.XMLSyntaxError:  # the real parse reports it, with its line
        pass
    if counter.exceeded is not None:
        raise _xml_error(counter.exceeded)


def parse(data: bytes, max_bytes: int = MAX_MESSAGE_BYTES, bounds: Bounds | None = None) -> etree._Element:
    """Parse untrusted bytes into a root element, or raise :class:`DocumentRefusedError`.

    ``bounds``: the limits of one message (its ``max_bytes`` wins over the argument of that name).
    """
    if bounds is not None:
        max_bytes = bounds.max_bytes
    canonical = _canonical_start(data)
    if canonical:
        if len(data) > max_bytes:
            check_envelope(data, max_bytes)  # raises the size error
    else:
        check_envelope(data, max_bytes)
        if _has_doctype(data):
            raise _xml_error("document contains a DTD (DOCTYPE), which is not allowed")
    check_bounds(data, bounds if bounds is not None else Bounds(max_bytes=max_bytes))
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if exc.lineno else None
        raise _xml_error(_syntax_message(exc.msg), line) from None
    if root is None:  # pragma: no cover - lxml raises for empty input
        raise _xml_error("document has no root element")
    if not canonical:  # after a canonical start the root element comes first: no DOCTYPE can follow it
        docinfo: Any = root.getroottree().docinfo
        if docinfo.doctype or docinfo.internalDTD is not None:
            raise _xml_error("document contains a DTD (DOCTYPE), which is not allowed")
    return root


__all__ = ["DocumentRefusedError", "check_bounds", "check_envelope", "parse"]
