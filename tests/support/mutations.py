"""Schema-agnostic mutation of XML messages, for differential tests of XSD packages.

``mutants(doc_bytes, seed, count)`` parses a (normally valid) message and yields up to
``count`` distinct mutated copies, each with a label such as
``"drop_element:/Bericht/Client/Bsn"``. The generator knows nothing about the schema: it
applies structural edits (drop, duplicate, swap, re-namespace) and value edits (enumeration
codes, patterns, lengths, impossible dates and times, empty text, out-of-range numbers) to
randomly chosen elements. Many mutants are invalid, some stay valid; a differential test
only needs two schemas to agree on each verdict. The output is deterministic per seed.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Callable, Iterator
from copy import deepcopy

from lxml import etree

__all__ = ["MUTATION_KINDS", "mutants"]

WRONG_NAMESPACE = "urn:ketenpoort:test:wrong-namespace"

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME = re.compile(r"^\d{2}:\d{2}(:\d{2})?$")
_DIGITS = re.compile(r"^-?\d+$")
_IMPOSSIBLE_DATES = (
    "2026-02-30",
    "2026-02-29",
    "2026-04-31",
    "2026-13-01",
    "2026-00-10",
    "0000-01-01",
)
_IMPOSSIBLE_TIMES = ("25:00:00", "12:60:00", "12:34:61", "24:30:00", "1:02:03")

Element = etree._Element
Mutation = Callable[[etree._ElementTree, random.Random], "str | None"]


def _qname_local(el: Element) -> str:
    return etree.QName(el).localname


def _path(el: Element) -> str:
    """A compact, readable location: local names with a 1-based index where ambiguous."""
    parts: list[str] = []
    node: Element | None = el
    while node is not None:
        parent = node.getparent()
        name = _qname_local(node)
        if parent is not None:
            same = [c for c in parent if isinstance(c.tag, str) and c.tag == node.tag]
            if len(same) > 1:
                name += f"[{same.index(node) + 1}]"
        parts.append(name)
        node = parent
    return "/" + "/".join(reversed(parts))


def _elements(tree: etree._ElementTree) -> list[Element]:
    """All elements below the root, in document order (comments and PIs excluded)."""
    return [el for el in tree.getroot().iter() if isinstance(el.tag, str)][1:]


def _leaves(tree: etree._ElementTree) -> list[Element]:
    """Elements with text content and no element children."""
    return [el for el in _elements(tree) if not any(isinstance(c.tag, str) for c in el) and (el.text or "").strip()]


def _drop_element(tree: etree._ElementTree, rng: random.Random) -> str | None:
    candidates = _elements(tree)
    if not candidates:
        return None
    el = rng.choice(candidates)
    label = _path(el)
    parent = el.getparent()
    assert parent is not None
    previous = el.getprevious()
    if el.tail is not None and previous is not None:
        previous.tail = el.tail
    parent.remove(el)
    return label


def _duplicate_element(tree: etree._ElementTree, rng: random.Random) -> str | None:
    candidates = _elements(tree)
    if not candidates:
        return None
    el = rng.choice(candidates)
    el.addnext(deepcopy(el))
    return _path(el)


def _swap_siblings(tree: etree._ElementTree, rng: random.Random) -> str | None:
    pairs: list[tuple[Element, Element]] = []
    for node in tree.getroot().iter():
        kids = [c for c in node if isinstance(c.tag, str)]
        pairs.extend((a, b) for a, b in itertools.pairwise(kids) if a.tag != b.tag)
    if not pairs:
        return None
    first, second = rng.choice(pairs)
    label = f"{_path(first)}<->{_qname_local(second)}"
    parent = first.getparent()
    assert parent is not None
    first_tail, second_tail = first.tail, second.tail
    # insert() moves ``second`` (tail included) before ``first``; then give the tails back
    # so only the order changes, not the layout
    parent.insert(parent.index(first), second)
    second.tail, first.tail = first_tail, second_tail
    return label


def _set_text(
    tree: etree._ElementTree,
    rng: random.Random,
    pick: Callable[[str], bool],
    value: Callable[[str, random.Random], str],
) -> str | None:
    candidates = [el for el in _leaves(tree) if pick((el.text or "").strip())]
    if not candidates:
        return None
    el = rng.choice(candidates)
    old = (el.text or "").strip()
    new = value(old, rng)
    if new == old:
        return None
    el.text = new
    return f"{_path(el)}={new[:24]!r}"


def _bad_enumeration(tree: etree._ElementTree, rng: random.Random) -> str | None:
    def value(old: str, r: random.Random) -> str:
        if old.isdigit():
            return "".join(r.choice("0123456789") for _ in old) if r.random() < 0.5 else "9" * len(old)
        return "".join(r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in old)

    return _set_text(tree, rng, lambda t: len(t) <= 3, value)


def _pattern_letters(tree: etree._ElementTree, rng: random.Random) -> str | None:
    def value(old: str, r: random.Random) -> str:
        pos = r.randrange(len(old))
        return old[:pos] + r.choice("AbXz") + old[pos + 1 :]

    return _set_text(tree, rng, lambda t: bool(_DIGITS.match(t)), value)


def _too_long(tree: etree._ElementTree, rng: random.Random) -> str | None:
    def value(old: str, r: random.Random) -> str:
        if old.isdigit():
            return old + "".join(r.choice("0123456789") for _ in range(r.choice((1, 2, 10))))
        return (old * (1 + 400 // max(len(old), 1)))[: r.choice((len(old) + 1, 36, 201, 401))]

    return _set_text(tree, rng, lambda t: not _DATE.match(t) and not _TIME.match(t), value)


def _impossible_date(tree: etree._ElementTree, rng: random.Random) -> str | None:
    return _set_text(
        tree,
        rng,
        lambda t: bool(_DATE.match(t)),
        lambda _o, r: r.choice(_IMPOSSIBLE_DATES),
    )


def _impossible_time(tree: etree._ElementTree, rng: random.Random) -> str | None:
    return _set_text(
        tree,
        rng,
        lambda t: bool(_TIME.match(t)),
        lambda _o, r: r.choice(_IMPOSSIBLE_TIMES),
    )


def _wrong_namespace(tree: etree._ElementTree, rng: random.Random) -> str | None:
    candidates = _elements(tree)
    if not candidates:
        return None
    el = rng.choice(candidates)
    namespaces = sorted({etree.QName(e).namespace or "" for e in tree.getroot().iter() if isinstance(e.tag, str)})
    current = etree.QName(el).namespace or ""
    others = [ns for ns in namespaces if ns != current] + [WRONG_NAMESPACE, ""]
    target = rng.choice(others)
    el.tag = f"{{{target}}}{_qname_local(el)}" if target else _qname_local(el)
    return f"{_path(el)}->{target or 'no-namespace'}"


def _empty_text(tree: etree._ElementTree, rng: random.Random) -> str | None:
    return _set_text(tree, rng, lambda _t: True, lambda _o, r: r.choice(("", " ")))


def _out_of_range(tree: etree._ElementTree, rng: random.Random) -> str | None:
    def value(old: str, r: random.Random) -> str:
        return r.choice(
            (
                "-1",
                "0",
                "-" + old.lstrip("-"),
                "9" * (len(old) + 1),
                "99999999999999999999",
            )
        )

    return _set_text(tree, rng, lambda t: bool(_DIGITS.match(t)), value)


MUTATION_KINDS: dict[str, Mutation] = {
    "drop_element": _drop_element,
    "duplicate_element": _duplicate_element,
    "swap_siblings": _swap_siblings,
    "bad_enumeration": _bad_enumeration,
    "pattern_letters": _pattern_letters,
    "too_long": _too_long,
    "impossible_date": _impossible_date,
    "impossible_time": _impossible_time,
    "wrong_namespace": _wrong_namespace,
    "empty_text": _empty_text,
    "out_of_range": _out_of_range,
}


def mutants(doc_bytes: bytes, seed: int, count: int) -> Iterator[tuple[str, bytes]]:
    """Yield up to ``count`` distinct ``(label, mutated_bytes)`` pairs, deterministic per seed.

    Kinds are used in turn so every kind that applies to the document is represented;
    duplicates and no-op mutations are skipped. Fewer than ``count`` mutants come out only
    when the document is too small to give that many distinct ones.
    """
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    original = etree.ElementTree(etree.fromstring(doc_bytes, parser))
    baseline = etree.tostring(original, xml_declaration=True, encoding="UTF-8")
    rng = random.Random(seed)
    kinds = list(MUTATION_KINDS.items())
    seen: set[bytes] = {baseline}
    produced = attempts = 0
    while produced < count and attempts < count * 20:
        name, mutate = kinds[attempts % len(kinds)]
        attempts += 1
        tree = deepcopy(original)
        where = mutate(tree, rng)
        if where is None:
            continue
        data = etree.tostring(tree, xml_declaration=True, encoding="UTF-8")
        if data in seen:
            continue
        seen.add(data)
        produced += 1
        yield f"{name}:{where}", data
