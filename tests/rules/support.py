"""Build rule test messages by editing the official example messages with lxml."""

from __future__ import annotations

import copy
from datetime import date
from functools import cache

from lxml import etree

from gateway.model import Finding, MessageKind
from gateway.ports import MessageHistory
from gateway.rules import RuleContext, run_rules
from gateway.schemas import classify_root
from tests.support.reference import reference_path

TODAY = date(2026, 11, 25)
"""A fixed 'today' after every example's Dagtekening, so TR135 is deterministic."""


@cache
def _example_bytes(message_type: str, version: str) -> bytes:
    return reference_path(f"ijw-{version}", "berichten", f"{message_type}.xml").read_bytes()


def example(message_type: str, version: str = "3.2") -> etree._Element:
    """A fresh, editable copy of the official example message."""
    return etree.fromstring(_example_bytes(message_type, version))


def kind_of(root: etree._Element) -> MessageKind:
    """The detected kind of ``root``."""
    qname = etree.QName(root)
    kind = classify_root(qname.namespace or "", qname.localname, None)
    assert kind is not None
    return kind


def check(
    root: etree._Element, *, today: date = TODAY, history: MessageHistory | None = None, message_id: str | None = None
) -> list[Finding]:
    """Run the rules on ``root`` as received: serialised and parsed again, so every element has a line."""
    root = etree.fromstring(etree.tostring(root))
    return run_rules(root, kind_of(root), RuleContext(today=today, history=history, message_id=message_id))


def fired(root: etree._Element, **kwargs: object) -> set[tuple[str, str]]:
    """The (rule, retourcode) pairs that fire on ``root``."""
    return {(f.rule or "", f.retourcode or "") for f in check(root, **kwargs)}  # type: ignore[arg-type]


def _path(path: str) -> str:
    return "/".join(part if part in (".", "..") else "{*}" + part for part in path.split("/"))


def find(root: etree._Element, path: str, index: int = 0) -> etree._Element:
    """The ``index``-th element at ``path`` (local names, relative to the root; ``//`` allowed)."""
    if path.startswith("//"):
        found = list(root.iter("{*}" + path[2:].split("/", maxsplit=1)[0]))
        rest = path[2:].split("/")[1:]
        if rest:
            found = [el.find(_path("/".join(rest))) for el in found]
        result = [el for el in found if el is not None][index]
    else:
        result = root.findall(_path(path))[index]
    return result


def set_text(root: etree._Element, path: str, value: str, index: int = 0) -> etree._Element:
    """Set the text of one element and return the root."""
    find(root, path, index).text = value
    return root


def remove(root: etree._Element, path: str, index: int = 0) -> etree._Element:
    """Remove one element and return the root."""
    el = find(root, path, index)
    parent = el.getparent()
    assert parent is not None
    parent.remove(el)
    return root


def insert_after(
    root: etree._Element, path: str, name: str, value: str | None = None, index: int = 0
) -> etree._Element:
    """Insert ``name`` after ``path``: in the anchor's namespace, or the basisschema's with a ``b:`` prefix."""
    anchor = find(root, path, index)
    ns = etree.QName(anchor).namespace
    if name.startswith("b:"):  # the basisschema of the anchor's iJw version
        name, ns = name[2:], (ns or "").rsplit("/", 2)[0] + "/basisschema/schema"
    el = etree.Element(f"{{{ns}}}{name}")
    el.text = value
    anchor.addnext(el)
    return el


def duplicate(root: etree._Element, path: str, index: int = 0) -> etree._Element:
    """Append a deep copy of one element right after it and return the copy."""
    el = find(root, path, index)
    clone = copy.deepcopy(el)
    el.addnext(clone)
    return clone
