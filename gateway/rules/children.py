"""Elements by local name, as the rules ask for them: a child, a child path's text, every element of a name.

Two paths give the same answers. The plain path asks lxml per question (a tag-filtered
``iterchildren``, any namespace); it serves large messages and every call outside
:func:`gateway.rules.registry.run`. While ``run`` checks a small message, :func:`walk` has gone over
the tree once (``root.iter``, C-filtered to elements) and filed every element twice: under its local
name (what :meth:`Doc.iter <gateway.rules.registry.Doc.iter>` serves) and under its parent, by local
name (``_KIDS``, what :func:`child` and :func:`text` serve).

Why a hand-made index and not lxml's own look-ups or a shared XPath: a small JW301 (47 elements)
meets 34 rules asking ~60 child questions and ~20 name questions. One ``iterchildren`` per question
costs ~0.4 µs; a compiled ``//*[local-name()='Bsn']`` 8 µs, and one compiled XPath holding ten of the
rules' conditions (namespace prefixes, not local-name()) 15 µs, while it can only say that some rule
may fire, not which element breaks it. Measured in-process on the small JW301 (2-core machine): the
lazy per-element memo of the previous version (children listed on first ask, a second walk for the name
index) 70-73 µs of rules CPU, this one walk (with the registry's once-per-kind rule list) 64-66 µs. The
walk is ~20 µs of what is left: ~8 µs lxml making the 47 element proxies and their tag strings, the
rest the dict filing, which a Python pass cannot do for much less. Elements are keys by identity: lxml hands
out one proxy per node while it lives, and the index holds them. A ContextVar keeps concurrent
validations (threads, tasks) apart. tests/rules/test_children_memo.py holds all paths (plain, lazy
memo, walked) to the same findings on generated messages and mutants.
"""

from __future__ import annotations

from contextvars import ContextVar
from datetime import date
from functools import lru_cache

from lxml import etree

Kids = dict[str, list[etree._Element]]
Index = dict[str, list[etree._Element]]
_KIDS: ContextVar[dict[etree._Element, Kids] | None] = ContextVar("ketenpoort_rule_kids", default=None)
"""While ``run`` checks a small message: each element's children by local name (unset: the plain path).

An element missing from it (a leaf, or a memo that starts empty) gets its entry on first ask.
"""
_LOCAL_NAMES: dict[str, str] = {}
"""``{namespace}local`` → ``local`` for every tag seen (a few hundred at most: the schemas' element names)."""


def local_name(tag: str) -> str:
    """The local name of a Clark-notation tag, sliced once per tag in the process."""
    local = _LOCAL_NAMES.get(tag)
    if local is None:
        local = _LOCAL_NAMES[tag] = tag[tag.rfind("}") + 1 :]
    return local


def walk(root: etree._Element) -> tuple[Index, dict[etree._Element, Kids]]:
    """One walk of ``root``'s tree: every element by local name, and each parent's children by local name.

    Both in document order, as ``root.iter("{*}name")`` and ``parent.iterchildren("{*}name")`` give them.
    """
    names = _LOCAL_NAMES
    index: Index = {local_name(root.tag): [root]}
    kids: dict[etree._Element, Kids] = {}
    elements = root.iter("{*}*")
    next(elements)  # root itself: filed above, and under no parent (it may have one outside this tree)
    for el in elements:
        tag = el.tag
        local = names.get(tag)
        if local is None:
            local = local_name(tag)
        same = index.get(local)
        if same is None:
            index[local] = [el]
        else:
            same.append(el)
        parent = el.getparent()
        found = kids.get(parent)  # type: ignore[arg-type]  # never None below root
        if found is None:
            kids[parent] = {local: [el]}  # type: ignore[index]
        else:
            same = found.get(local)
            if same is None:
                found[local] = [el]
            else:
                same.append(el)
    return index, kids


def _kids(element: etree._Element, memo: dict[etree._Element, Kids]) -> Kids:
    """``element``'s entry in ``memo``, listed now when it has none yet."""
    found = memo.get(element)
    if found is None:
        found = memo[element] = {}
        for el in element.iterchildren("{*}*"):
            local = local_name(el.tag)
            same = found.get(local)
            if same is None:
                found[local] = [el]
            else:
                same.append(el)
    return found


def child(element: etree._Element, name: str) -> etree._Element | None:
    """The first child of ``element`` with local name ``name`` (any namespace)."""
    memo = _KIDS.get()
    if memo is None:
        return next(element.iterchildren("{*}" + name), None)  # iterchildren: ~2x faster than find()
    found = memo.get(element)
    same = (found if found is not None else _kids(element, memo)).get(name)
    return None if same is None else same[0]


def child_or(element: etree._Element, name: str) -> etree._Element:
    """The child ``name`` when present, else ``element`` itself (never rely on an element's truth value)."""
    found = child(element, name)
    return found if found is not None else element


@lru_cache(maxsize=512)
def _any_namespace(name: str) -> tuple[str, ...]:
    """``a/b`` as the child tags ``{*}a``, ``{*}b`` (split once per name: rules ask for the same few paths)."""
    return tuple("{*}" + part for part in name.split("/"))


@lru_cache(maxsize=512)
def _steps(name: str) -> tuple[str, ...]:
    return tuple(name.split("/"))


def _first(element: etree._Element, steps: tuple[str, ...]) -> etree._Element | None:
    """The first element at ``steps`` in document order, as ElementPath's find() gives it (only faster)."""
    if len(steps) == 1:
        return next(element.iterchildren(steps[0]), None)
    for step in element.iterchildren(steps[0]):
        found = _first(step, steps[1:])
        if found is not None:
            return found
    return None


def _first_kids(
    element: etree._Element, steps: tuple[str, ...], memo: dict[etree._Element, Kids]
) -> etree._Element | None:
    """:func:`_first` through the children memo (same document-order semantics)."""
    kids = memo.get(element)
    same = (kids if kids is not None else _kids(element, memo)).get(steps[0])
    if same is None:
        return None
    if len(steps) == 1:
        return same[0]
    for step in same:
        found = _first_kids(step, steps[1:], memo)
        if found is not None:
            return found
    return None


def find(element: etree._Element, name: str) -> etree._Element | None:
    """The first child or descendant at path ``name`` (``a/b`` allowed), in document order."""
    memo = _KIDS.get()
    if memo is None:
        return _first(element, _any_namespace(name))
    if "/" in name:
        return _first_kids(element, _steps(name), memo)
    kids = memo.get(element)
    same = (kids if kids is not None else _kids(element, memo)).get(name)
    return None if same is None else same[0]


def text(element: etree._Element, name: str) -> str | None:
    """The stripped text of the first child or descendant path ``name`` (``a/b`` allowed).

    :func:`find`, written out: rules ask ~30 texts of a small message, and the extra call was 5% of them.
    """
    memo = _KIDS.get()
    if memo is None:
        found = _first(element, _any_namespace(name))
    elif "/" in name:
        found = _first_kids(element, _steps(name), memo)
    else:
        kids = memo.get(element)
        same = (kids if kids is not None else _kids(element, memo)).get(name)
        found = None if same is None else same[0]
    return None if found is None else (found.text or "").strip()


def parse_date(text: str | None) -> date | None:
    """An xs:date text as a date (a timezone suffix is ignored), or None."""
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


def child_date(element: etree._Element, name: str) -> date | None:
    """The date in child (path) ``name``, or None."""
    return parse_date(text(element, name))


__all__ = ["Index", "Kids", "child", "child_date", "child_or", "find", "local_name", "parse_date", "text", "walk"]
