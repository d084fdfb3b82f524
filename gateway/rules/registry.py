"""The rule registry: one :class:`Rule` per official rule id, and the runner over a parsed message.

A rule's check gets a :class:`Doc` (the parsed tree plus context) and yields ``(element, message)``
pairs; the runner turns them into :class:`~gateway.model.Finding` objects carrying the rule id,
its retourcode, the element's line and its path.

Paths are written ``/Bericht/Client/Prestaties/Prestatie[3]/ProductPeriode/Begindatum``: local
names without namespace prefixes, and a 1-based ``[n]`` only on an element whose parent has more
than one child of that name. The first step after ``/Bericht`` tells the level of the finding
(``Header`` = bericht, ``Client`` or ``Declaratie/Clienten/Client[n]`` = client, a product or
Prestatie element below it = that line), which is how the retour builder maps findings to levels.
Messages never contain a BSN: rules say "BSN" and point at the element by path.

Speed: while :func:`run` checks a small message, :meth:`Doc.iter`, :func:`child` and :func:`text` answer
from one walk of the tree (see :mod:`gateway.rules.children`); large messages, and the history part of any
message, take the plain path (the JW301's four history rules cost 30 µs on it, 68 µs with the walk and a
screen that can rule none of them out). The rules that run on a kind (and part) are listed once per kind.

Fast path (issue 20): a message type may have a *screen* (see :mod:`gateway.rules.screen`),
one straight-line pass over the walk that names the rules of the type that may find something. It can
only rule a rule out: the runner then skips the rules it covers and did not name, and runs all others
(those it does not cover, and every rule that reads the history when there is one) as before.
``run(..., fast=False)`` is the plain path; tests/rules/test_screen.py holds the two to the same findings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Generic, Literal, TypeVar, overload

from lxml import etree

from gateway.findings import FindingTally, PathIndex
from gateway.model import Finding, MessageKind, Standard
from gateway.rules.children import _KIDS, Index, child, child_date, child_or, find, parse_date, text, walk
from gateway.rules.context import RuleContext
from gateway.rules.screens import ScreenTable

Violation = tuple[etree._Element, str]
Check = Callable[["Doc"], Iterable[Violation]]

ALL_IJW = frozenset({"JW301", "JW302", "JW305", "JW306", "JW307", "JW308", "JW315", "JW316", "JW317", "JW318"})
ALL_IJW |= frozenset({"JW319", "JW320", "JW323", "JW325", "JW303", "JW304"})
HEENBERICHTEN = frozenset({"JW301", "JW303", "JW305", "JW307", "JW315", "JW317", "JW319", "JW323"})


@dataclass(frozen=True, slots=True)
class Rule:
    """One official rule: its id, the retourcode it yields, where it applies and its check."""

    id: str
    retourcode: str
    message_types: frozenset[str]
    versions: frozenset[str]
    description: str
    check: Check = field(compare=False, repr=False)
    needs_history: bool = False
    reads_history: bool = False
    """Asks the history when there is one (every ``needs_history`` rule, and rules that also check within
    the message, such as TR314): such a rule runs with the history rules, under the store's write lock."""

    def applies_to(self, kind: MessageKind) -> bool:
        """Whether this rule is checked on messages of ``kind``."""
        return kind.message_type in self.message_types and kind.version in self.versions

    def to_dict(self) -> dict[str, object]:
        """The JSON form used by ``ketenpoort rules list --json``."""
        return {
            "id": self.id,
            "retourcode": self.retourcode,
            "message_types": sorted(self.message_types),
            "versions": sorted(self.versions),
            "needs_history": self.needs_history,
            "description": self.description,
        }


RULES: dict[str, Rule] = {}


def rule(
    rule_id: str,
    retourcode: str,
    message_types: Iterable[str],
    description: str,
    *,
    versions: Iterable[str] = ("3.2",),
    history: bool | Literal["optional"] = False,
) -> Callable[[Check], Check]:
    """Register the decorated check under ``rule_id`` (each id once).

    ``history``: True when the rule only makes sense with the history; "optional" when it checks within
    the message without one and across messages with one.
    """

    def register(check: Check) -> Check:
        if rule_id in RULES:
            raise ValueError(f"rule {rule_id} registered twice")
        RULES[rule_id] = Rule(
            rule_id, retourcode, frozenset(message_types), frozenset(versions), description, check,
            needs_history=history is True, reads_history=bool(history),
        )  # fmt: skip
        return check

    return register


_LARGE = frozenset({"JW323", "JW325", "JW303", "JW304"})
_DAGTEKENING_PATHS = ("BerichtIdentificatie/Dagtekening", "DeclaratieFactuurIdentificatie/FactuurDagtekening")
_FACTUUR_PERIODE = "DeclaratieFactuurIdentificatie/DeclaratiePeriode"
T = TypeVar("T")


class _once(Generic[T]):  # noqa: N801 - used as a decorator, like functools.cached_property
    """``functools.cached_property`` without its lock (Python 3.11 takes an RLock on every first read).

    The value goes into the instance's ``__dict__``, which later reads find first. A Doc belongs to one
    run in one thread, so there is nothing to lock. Measured: three first reads 1.34 µs with the lock,
    0.57 µs without (a small JW301 makes three or four).
    """

    def __init__(self, func: Callable[[Doc], T]) -> None:
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__

    @overload
    def __get__(self, doc: None, owner: type[Doc]) -> _once[T]: ...
    @overload
    def __get__(self, doc: Doc, owner: type[Doc]) -> T: ...
    def __get__(self, doc: Doc | None, owner: type[Doc]) -> T | _once[T]:
        if doc is None:
            return self
        value = doc.__dict__[self.name] = self.func(doc)
        return value


_ASKED: dict[str, tuple[str, ...]] = {}
"""Per large message type, the local names its rules ask :meth:`Doc.iter` for (a dozen literals at most)."""


def _files(root: etree._Element, names: tuple[str, ...]) -> dict[str, list[etree._Element]]:
    """Every element with one of the local ``names``, by name, in document order, from one walk."""
    found: dict[str, list[etree._Element]] = {name: [] for name in names}
    if names:
        for el in root.iter(*("{*}" + name for name in names)):
            tag: str = el.tag
            found[tag[tag.rfind("}") + 1 :]].append(el)
    return found


class Doc:
    """One parsed message as the rules see it: root, kind, context and shared look-ups."""

    def __init__(
        self,
        root: etree._Element,
        kind: MessageKind,
        context: RuleContext,
        index: Index | None = None,
        *,
        schema_checked: bool = False,
    ) -> None:
        self.root = root
        self.kind = kind
        self.context = context
        self.schema_checked = schema_checked
        """The XSD accepted this message, so its structure may be relied on (see :mod:`.prestaties`)."""
        self.memo: dict[str, object] = {}
        """Per-message values that several rules share (e.g. the extracted Prestatie rows)."""
        self._index = index
        """A small message's elements by local name (from :func:`~gateway.rules.children.walk`)."""
        self._asked: dict[str, list[etree._Element]] | None = None
        """A declaratie's elements of the names its type's rules asked for before (see :meth:`iter`)."""

    def iter(self, name: str) -> Iterator[etree._Element]:
        """All elements with local name ``name``, in document order.

        A small message is walked once into an index by local name (forty rules ask for a dozen
        names); on the plain path (no index: the history part) lxml finds each name. A declaratie,
        with hundreds of thousands of elements, is walked once for the few names the rules of its
        type asked for in earlier messages (one ``iter(*tags)``: a walk of a
        20,000-Prestatie JW323 costs ~11 ms whatever it matches); a name not asked before gets a walk
        of its own and is remembered for the next message.
        """
        if self.kind.message_type in _LARGE:
            asked = self._asked
            if asked is None:
                asked = self._asked = _files(self.root, _ASKED.get(self.kind.message_type, ()))
            found = asked.get(name)
            if found is not None:
                return iter(found)
            _ASKED[self.kind.message_type] = (*_ASKED.get(self.kind.message_type, ()), name)
            return self.root.iter("{*}" + name)
        index = self._index
        if index is None:  # the plain path (see the module docstring): lxml finds them, filtering in C
            return self.root.iter("{*}" + name)
        return iter(index.get(name, ()))

    @_once
    def header(self) -> etree._Element | None:
        """The Header element."""
        return child(self.root, "Header")

    @_once
    def dagtekening_element(self) -> etree._Element | None:
        """The message's Dagtekening: BerichtIdentificatie/Dagtekening, or FactuurDagtekening (2.3 JW303/JW304)."""
        if self.header is None:
            return None
        for path in _DAGTEKENING_PATHS:
            found = find(self.header, path)
            if found is not None:
                return found
        return None

    @_once
    def dagtekening(self) -> date | None:
        """The date in :attr:`dagtekening_element`."""
        el = self.dagtekening_element
        return None if el is None else parse_date(el.text)

    @_once
    def declaratie_periode(self) -> etree._Element | None:
        """DeclaratiePeriode: under Declaratie (3.2 JW323) or Header/DeclaratieFactuurIdentificatie (2.3 JW303)."""
        if self.declaratie is not None:
            return child(self.declaratie, "DeclaratiePeriode")
        return None if self.header is None else find(self.header, _FACTUUR_PERIODE)

    @_once
    def declaratie(self) -> etree._Element | None:
        """The Declaratie (JW323) or DeclaratieAntwoord (JW325) element."""
        found = child(self.root, "Declaratie")
        return found if found is not None else child(self.root, "DeclaratieAntwoord")

    @_once
    def prestaties(self) -> list[etree._Element]:
        """All Prestatie elements (JW323, JW325)."""
        return list(self.iter("Prestatie"))

    def header_text(self, name: str) -> str | None:
        """A header field such as Afzender or Ontvanger."""
        return None if self.header is None else text(self.header, name)


SCREENS: ScreenTable[Doc] = ScreenTable()
"""The message types' screens (:mod:`gateway.rules.screen` registers the JW301's)."""
screen = SCREENS.screen


def element_path(element: etree._Element) -> str:
    """The documented readable path of ``element`` (see the module docstring).

    For one element only: many findings in one document share a :class:`~gateway.findings.PathIndex`,
    which numbers each parent's children once instead of once per finding.
    """
    return PathIndex().path(element)


_APPLICABLE: dict[tuple[str, str, bool, int], tuple[Rule, ...]] = {}


def applicable(kind: MessageKind, context: RuleContext) -> list[Rule]:
    """The rules that run on a message of ``kind`` (history rules only when a history is given)."""
    if kind.standard != Standard.IJW:
        return []
    key = (kind.message_type, kind.version, context.history is not None, len(RULES))
    found = _APPLICABLE.get(key)
    if found is None:  # filtered once per kind, not per message
        found = _APPLICABLE[key] = tuple(
            r for r in RULES.values() if r.applies_to(kind) and (context.history is not None or not r.needs_history)
        )
    return list(found)


RulePart = Literal["all", "local", "history"]


def run(
    root: etree._Element,
    kind: MessageKind,
    context: RuleContext,
    *,
    part: RulePart = "all",
    tally: FindingTally | None = None,
    schema_checked: bool = False,
    fast: bool = True,
) -> list[Finding]:
    """Run every applicable rule and return their findings in rule order, then document order.

    ``part``: "local", the rules that never read the history; "history", those that do. A worker runs
    the local part before it takes the store's write lock and the history part under it;
    :func:`in_rule_order` merges the two lists into what "all" gives. ``tally``: counts every finding
    and keeps only those it admits (the first of each rule); without one every finding is kept.
    ``schema_checked``: the caller validated ``root`` against its XSD (a faster way to read Prestaties).
    ``fast``: let the message type's screen skip rules (False: the plain path, every rule runs).
    """
    if kind.message_type in _LARGE or part == "history":  # see the module docstring: the plain path
        doc, kids = Doc(root, kind, context, schema_checked=schema_checked), None
    else:
        index, kids = walk(root)
        doc = Doc(root, kind, context, index, schema_checked=schema_checked)
    token = _KIDS.set(kids)
    try:
        screened = SCREENS.get(kind.message_type) if fast and kind.version == "3.2" else None
        if screened is None or kids is None or kind.standard != Standard.IJW:
            return _run(doc, kind, context, part, tally)
        skipped = _skipped(kind, context, part, screened[0], screened[1](doc, index, kids))
        if len(skipped) == len(_plan(kind, context, part)):
            return []  # the usual case: a valid message, every rule ruled out
        return _run(doc, kind, context, part, tally, skipped=skipped)
    finally:
        _KIDS.reset(token)


_ALWAYS: dict[tuple[str, str, str, bool, int, str], frozenset[str]] = {}


def _skipped(
    kind: MessageKind, context: RuleContext, part: RulePart, covers: frozenset[str], suspects: set[str]
) -> frozenset[str] | set[str]:
    """The rules of the plan that the screen ruled out: covered, not a suspect, not reading a given history."""
    key = (kind.standard, kind.message_type, kind.version, context.history is not None, len(RULES), part)
    skippable = _ALWAYS.get(key)
    if skippable is None:  # once per kind: the covered rules of the plan, minus those asking a given history
        reads = context.history is not None
        skippable = _ALWAYS[key] = frozenset(
            rule_id for rule_id, _, _ in _plan(kind, context, part)
            if rule_id in covers and not (reads and RULES[rule_id].reads_history)
        )  # fmt: skip
    return skippable - suspects if suspects else skippable


_PLANS: dict[tuple[str, str, str, bool, int, str], tuple[tuple[str, str, Check], ...]] = {}


def _plan(kind: MessageKind, context: RuleContext, part: RulePart) -> tuple[tuple[str, str, Check], ...]:
    """(id, retourcode, check) of every rule of :func:`applicable` in ``part``, listed once per kind."""
    key = (kind.standard, kind.message_type, kind.version, context.history is not None, len(RULES), part)
    found = _PLANS.get(key)
    if found is None:
        found = _PLANS[key] = tuple(
            (r.id, r.retourcode, r.check)
            for r in applicable(kind, context)
            if part == "all" or r.reads_history == (part == "history")
        )
    return found


def _run(
    doc: Doc,
    kind: MessageKind,
    context: RuleContext,
    part: RulePart,
    tally: FindingTally | None,
    *,
    skipped: frozenset[str] | set[str] = frozenset(),
) -> list[Finding]:
    paths: PathIndex | None = None
    findings: list[Finding] = []
    for rule_id, retourcode, check in _plan(kind, context, part):
        if rule_id in skipped:
            continue
        for element, message in check(doc):
            if tally is not None and not tally.admit(rule_id):
                continue
            if paths is None:
                paths = PathIndex()
            line: object = element.sourceline
            at = line if isinstance(line, int) else None
            findings.append(Finding("rule", message, rule_id, retourcode, at, paths.path(element)))
    return findings


def in_rule_order(findings: list[Finding]) -> list[Finding]:
    """Rule findings in rule order, document order kept within a rule (a stable sort); others first."""
    position = {rule_id: i for i, rule_id in enumerate(RULES)}
    return sorted(findings, key=lambda f: -1 if f.rule is None else position.get(f.rule, len(position)))


__all__ = [
    "ALL_IJW",
    "HEENBERICHTEN",
    "RULES",
    "SCREENS",
    "Doc",
    "Rule",
    "RulePart",
    "Violation",
    "applicable",
    "child",
    "child_date",
    "child_or",
    "element_path",
    "in_rule_order",
    "parse_date",
    "rule",
    "run",
    "screen",
    "text",
]
