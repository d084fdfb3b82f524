"""Copy large heen-namespace subtrees into a retour as serialised text instead of node by node.

Rebuilding 20,000 rejected Prestaties element by element (300,000 SubElement calls) dominated the
JW325 build. libxml2 serialises a subtree in microseconds, so each subtree is written out once,
its heen prefix is renamed to the retour prefix in the tags, and the text is spliced into the
serialised retour where a placeholder comment stands. Only when the fragment is plainly safe to
rename (prefixed tags, namespace declarations that the retour root already makes, no inner
re-declarations) is this used; otherwise :meth:`Splicer.copy` says no and the caller copies the
subtree node by node.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

from lxml import etree

_MARK = "kp-splice-"
_PLACEHOLDER = re.compile(rb"<!--kp-splice-(\d+)-->")
_DECLARATION = re.compile(rb'\s+xmlns(?::([A-Za-z_][\w.-]*))?="([^"]*)"')


class Splicer:
    """Fragments for one retour document: placeholders in the tree, text at serialisation."""

    def __init__(self, out_root: etree._Element, heen_ns: str) -> None:
        self._heen = heen_ns.encode()
        prefix = out_root.prefix
        self._prefix = (prefix or "").encode()
        self._declared = {(k.encode() if k else None): v.encode() for k, v in out_root.nsmap.items()}
        self._fragments: list[bytes] = []
        self._heads: dict[tuple[bytes, bytes], bytes | None] = {}
        self._code_boxes: dict[tuple[str, ...], bytes] = {}

    def copy(
        self, parent: etree._Element, src: etree._Element, codes: list[str], *, after: tuple[str, bytes] | None = None
    ) -> bool:
        """Append ``src`` in the retour namespace under ``parent``, with RetourCodes ``codes`` as last child.

        ``after`` = (child local name, serialised element) inserts that element right after the child.
        Returns False (and appends nothing) when the subtree cannot be renamed textually.
        """
        fragment = self._fragment(src, codes)
        if fragment is not None and after is not None:
            end_tag = b"</" + self._prefix + b":" + after[0].encode() + b">"
            at = fragment.find(end_tag)
            fragment = None if at < 0 else fragment[: at + len(end_tag)] + after[1] + fragment[at + len(end_tag) :]
        if fragment is None:
            return False
        parent.append(etree.Comment(f"{_MARK}{len(self._fragments)}"))
        self._fragments.append(fragment)
        return True

    def copy_children(
        self, parent: etree._Element, container: etree._Element, child: str, codes: list[list[str]]
    ) -> bool:
        """Append ``container`` with RetourCodes ``codes[i]`` as last child of its i-th ``child`` element.

        One serialisation for a whole list (all Prestaties of a rejected Client) instead of one per element.
        """
        renamed = self._renamed(container)
        if renamed is None:
            return False
        close = b"</" + self._prefix + b":" + child.encode() + b">"
        parts = renamed.split(close)
        if len(parts) != len(codes) + 1:
            return False
        pieces = [parts[0]]
        for box, rest in zip(codes, parts[1:], strict=True):
            pieces += (self._codes(box), close, rest)
        parent.append(etree.Comment(f"{_MARK}{len(self._fragments)}"))
        self._fragments.append(b"".join(pieces))
        return True

    def _fragment(self, src: etree._Element, codes: list[str]) -> bytes | None:
        renamed = self._renamed(src)
        if renamed is None:
            return None
        close = b"</" + self._prefix + b":" + src.tag.rpartition("}")[2].encode() + b">"
        return renamed[: -len(close)] + self._codes(codes) + close

    def _renamed(self, src: etree._Element) -> bytes | None:
        """``src`` serialised with its heen prefix renamed to the retour prefix, or None when unsafe."""
        heen_prefix = src.prefix
        if heen_prefix is None or not self._prefix:
            return None
        text = etree.tostring(src, with_tail=False)
        end = text.find(b">")
        if end < 0 or text.find(b"xmlns", end) >= 0:
            return None
        old = heen_prefix.encode()
        key = (text[:end], old)
        if key in self._heads:
            head = self._heads[key]
        else:  # every Prestatie starts the same way: its declarations are checked once
            head = self._heads[key] = self._strip(*key)
        if head is None:
            return None
        new = self._prefix
        renamed = (head + text[end:]).replace(b"<" + old + b":", b"<" + new + b":")
        renamed = renamed.replace(b"</" + old + b":", b"</" + new + b":")
        close = b"</" + new + b":" + src.tag.rpartition("}")[2].encode() + b">"
        return renamed if renamed.endswith(close) else None

    def _strip(self, head: bytes, old: bytes) -> bytes | None:
        """The start tag without its namespace declarations, or None if one is not the retour root's."""
        for match in _DECLARATION.finditer(head):
            prefix, uri = match.group(1), match.group(2)
            if uri == self._heen:
                if prefix != old:
                    return None
            elif self._declared.get(prefix) != uri:
                return None
        return _DECLARATION.sub(b"", head).replace(b"<" + old + b":", b"<" + self._prefix + b":")

    def _codes(self, codes: list[str]) -> bytes:
        key = tuple(codes)
        found = self._code_boxes.get(key)
        if found is None:
            new = self._prefix
            box = b"".join(b"<%s:RetourCode>%s</%s:RetourCode>" % (new, escape(c).encode(), new) for c in codes)
            found = self._code_boxes[key] = b"<%s:RetourCodes>%s</%s:RetourCodes>" % (new, box, new)
        return found

    def serialise(self, out: etree._Element) -> bytes:
        """The retour document with every placeholder replaced by its fragment."""
        data = etree.tostring(out, xml_declaration=True, encoding="UTF-8")
        if not self._fragments:
            return data
        parts = _PLACEHOLDER.split(data)
        pieces = [parts[0]]
        for i in range(1, len(parts), 2):
            pieces.append(self._fragments[int(parts[i])])
            pieces.append(parts[i + 1])
        return b"".join(pieces)


__all__ = ["Splicer"]
