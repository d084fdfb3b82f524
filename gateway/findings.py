"""Bounded findings: readable element paths in linear time, and a tally that keeps the first few per kind.

A hostile or merely very wrong message can hold a finding per element: 100,000 XSD errors, a rule
finding on each of 20,000 Prestaties. The verdict keeps at most ``max_findings`` of them (and at
most ``per_kind`` of one kind: a rule id, or an XSD error type), in document order within a kind,
and counts every one exactly, so nothing that caps can hide that a message is invalid nor how
badly. The paths of the findings that are kept come from a :class:`PathIndex`, which numbers the
children of a parent once per document instead of listing all siblings again for every finding.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from lxml import etree

from gateway.model import Finding

MAX_FINDINGS = 1000
"""Findings kept and shown per message (``KETENPOORT_MAX_FINDINGS``)."""
MAX_FINDINGS_PER_KIND = 100
"""Findings of one kind (a rule id, an XSD error type) kept per message (``KETENPOORT_MAX_FINDINGS_PER_KIND``)."""
MAX_MESSAGE_CHARS = 1000
"""A kept finding's text is cut here; with :data:`MAX_PATH_CHARS` this bounds a stored finding to ~1.6 KB."""
MAX_PATH_CHARS = 500


def finding_key(finding: Finding) -> str:
    """The kind a finding is counted under: its rule id, else ``xsd`` (or ``xml``, ``schema``)."""
    return finding.rule or finding.kind


class PathIndex:
    """Readable paths (``/Bericht/Client[2]/Bsn``) of elements of one document, siblings numbered once.

    A path step is the element's local name, with a 1-based ``[n]`` when its parent has more than one
    child of that name. The children of a parent are walked once, the first time a path passes
    through it; ``walked`` counts the children visited, which is what makes the cost measurable.
    """

    def __init__(self) -> None:
        self._steps: dict[etree._Element, dict[etree._Element, str]] = {}
        self._paths: dict[etree._Element, str] = {}
        self.walked = 0

    def _numbered(self, parent: etree._Element) -> dict[etree._Element, str]:
        """The step of every element child of ``parent`` (the dict also keeps their proxies alive)."""
        children = [c for c in parent.iterchildren() if isinstance(c.tag, str)]
        self.walked += len(children)
        names = [c.tag[c.tag.rfind("}") + 1 :] for c in children]
        seen: dict[str, int] = {}
        for name in names:
            seen[name] = seen.get(name, 0) + 1
        steps: dict[etree._Element, str] = {}
        position: dict[str, int] = {}
        for child, name in zip(children, names, strict=True):
            if seen[name] > 1:
                position[name] = position.get(name, 0) + 1
                steps[child] = f"{name}[{position[name]}]"
            else:
                steps[child] = name
        return steps

    def path(self, element: etree._Element) -> str:
        """The path of ``element``; ancestors' paths are remembered, so a path costs its new steps only."""
        found = self._paths.get(element)
        if found is not None:
            return found
        parent = element.getparent()
        if parent is None:
            tag = element.tag
            result = "/" + tag[tag.rfind("}") + 1 :]
        else:
            steps = self._steps.get(parent)
            if steps is None:
                steps = self._steps[parent] = self._numbered(parent)
            result = f"{self.path(parent)}/{steps[element]}"
        self._paths[element] = result
        return result


@dataclass(slots=True)
class FindingTally:
    """Exact counts per kind, and the decision which findings are kept (the first of each kind, in order)."""

    max_findings: int = MAX_FINDINGS
    per_kind: int = MAX_FINDINGS_PER_KIND
    counts: dict[str, int] = field(default_factory=dict)
    kept_per_kind: dict[str, int] = field(default_factory=dict)
    kept: int = 0

    @classmethod
    def resume(
        cls, findings: Iterable[Finding], counts: Mapping[str, int], *, max_findings: int, per_kind: int
    ) -> FindingTally:
        """A tally that goes on after ``findings`` (already kept) and their ``counts`` (a later stage's rules)."""
        tally = cls(max_findings, per_kind, dict(counts))
        for finding in findings:
            key = finding_key(finding)
            tally.kept_per_kind[key] = tally.kept_per_kind.get(key, 0) + 1
            tally.kept += 1
            tally.counts[key] = max(tally.counts.get(key, 0), tally.kept_per_kind[key])
        return tally

    def admit(self, key: str) -> bool:
        """Count one finding of ``key``; True when it is to be kept."""
        self.counts[key] = self.counts.get(key, 0) + 1
        kept = self.kept_per_kind.get(key, 0)
        if kept >= self.per_kind or self.kept >= self.max_findings:
            return False
        self.kept_per_kind[key] = kept + 1
        self.kept += 1
        return True

    @property
    def total(self) -> int:
        """Every finding counted, kept or not."""
        return sum(self.counts.values())


def bounded(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, marked with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


__all__ = [
    "MAX_FINDINGS",
    "MAX_FINDINGS_PER_KIND",
    "MAX_MESSAGE_CHARS",
    "MAX_PATH_CHARS",
    "FindingTally",
    "PathIndex",
    "bounded",
    "finding_key",
]
