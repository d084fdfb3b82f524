"""Validation of one message: safe parse, detect, XSD, business rules — one verdict.

This is the hot path. Schemas come from the process-wide registry (compiled once), the
parser is reused per thread, and nothing here touches the disk or the network.

A verdict keeps at most ``Bounds.max_findings`` findings (the first ``max_findings_per_kind`` of
each rule or XSD error type) and counts every one in ``ValidationResult.counts``: lxml still
decides validity on the whole document, only the texts and paths of the findings beyond the cap
are never made. XSD texts are lxml's own with the namespaces taken out of element names only, so
enumeration sets (``{'0', '1'}``), patterns (``[0-9]{9}``) and lengths stay as lxml wrote them.
"""

from __future__ import annotations

import gc
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from gateway.bounds import DEFAULT_BOUNDS, Bounds
from gateway.bsn import scrub_error
from gateway.config import MAX_MESSAGE_BYTES
from gateway.findings import MAX_MESSAGE_CHARS, MAX_PATH_CHARS, FindingTally, bounded
from gateway.model import Finding, MessageKind, ValidationResult
from gateway.rules import RuleContext, RulePart, run_rules
from gateway.schemas import SchemaRegistry, bundled_registry, ijw_entry, installed_stuf_jz, registry_for
from gateway.stufjz_install import MANIFEST, install_dir
from gateway.stufjz_policy import REFUSAL, content_refused
from gateway.xmlsafe import DocumentRefusedError, parse


@dataclass(slots=True)
class Inspection:
    """A verdict together with the parsed root and detected kind, for stages that go on."""

    result: ValidationResult
    root: etree._Element | None = None
    kind: MessageKind | None = None


def _line(element: etree._Element) -> int | None:
    line: object = element.sourceline
    return line if isinstance(line, int) else None


def _unknown_schema(root: etree._Element) -> Finding:
    qname = etree.QName(root)
    where = f"{{{qname.namespace}}}{qname.localname}" if qname.namespace else qname.localname
    return Finding(
        kind="schema",
        message=f"no schema known for root element {where}",
        line=_line(root),
        path=f"/{qname.localname}",
    )


_CLARK = re.compile(r"\{[A-Za-z][A-Za-z0-9+.-]*:[^{}'\s]*\}(?=[A-Za-z_])")
"""A Clark-notation namespace before a name: ``{http://...}Bsn``. A URI has a scheme and a colon, which
an enumeration set (``{'0', '1'}``) or a quantifier (``{9}``, ``{1,3}``) never has."""
_PREFIX_STEP = re.compile(r"(?<=/)[^/:\[\]]+:")


def _readable(message: str) -> str:
    """lxml's text with local names instead of {namespace}Local, and never a BSN echoed from the document."""
    return scrub_error(_CLARK.sub("", message))


def _readable_path(path: str | None) -> str | None:
    """libxml2's node path with the document's own prefixes removed (a prefix may be anything, a BSN too)."""
    return None if not path else bounded(scrub_error(_PREFIX_STEP.sub("", path)), MAX_PATH_CHARS)


class _CyclicGcPause:
    """Defer CPython's cyclic garbage collector while the rules of a large message run.

    On a 20,000-Prestatie JW323 the rules build tens of thousands of short-lived row objects; each
    700 of them trigger a collection that walks the whole heap, which cost ~25 ms a message. The
    rows form no reference cycles (reference counting frees them), so nothing is lost by
    collecting afterwards. Re-entrant across threads: the first to enter pauses, the last to leave
    resumes, and only when the collector was enabled to begin with.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._active = 0
        self._paused = False

    def __enter__(self) -> None:
        with self._lock:
            if self._active == 0 and gc.isenabled():
                gc.disable()
                self._paused = True
            self._active += 1

    def __exit__(self, *_exc: object) -> None:
        with self._lock:
            self._active -= 1
            if self._active == 0 and self._paused:
                self._paused = False
                gc.enable()


_GC_PAUSE = _CyclicGcPause()
_GC_PAUSE_BYTES = 512 * 1024
"""Below this size a message's rules allocate too little for the collector to matter."""


_MANIFESTS: dict[tuple[str | None, str | None], str] = {}
_DEFAULTS: dict[tuple[str | None, str | None, str, bool], SchemaRegistry] = {}


def default_registry() -> SchemaRegistry:
    """:func:`~gateway.schemas.registry_for` ``()``, the same registry, for one stat instead of its path work.

    ``registry_for`` looks for an installed StUF-JZ package on every call (so that an install is used
    from the next message on) and builds that path with pathlib each time: 9.6 µs of the 40 µs a small
    JW301 costs to parse and validate (the raw lxml parse and validate: 24.5 µs). Here the path is built
    once per setting and only its install manifest is stat'ed per call; the registry is remembered per
    (settings, working directory, manifest present), the things ``registry_for`` depends on.
    tests/rules/test_default_registry.py holds it to ``registry_for`` through installs and settings.
    :func:`inspect` asks it only for roots that are not iJw (see :func:`~gateway.schemas.ijw_entry`):
    the 2.6 µs of its environment reads and stat were ~3 % of a small JW301 with its rules.
    """
    package, data_dir = os.environ.get("KETENPOORT_STUF_JZ_PACKAGE"), os.environ.get("KETENPOORT_DATA_DIR")
    manifest = _MANIFESTS.get((package, data_dir))
    if manifest is None:  # the precedence of schemas.installed_stuf_jz: the package setting, else the data dir
        root = Path(package) if package else install_dir(Path(data_dir or "."))
        manifest = _MANIFESTS[(package, data_dir)] = str(root / MANIFEST)
    try:  # os, not pathlib: the point is to skip pathlib's per-call work
        key = (package, data_dir, os.getcwd(), os.path.isfile(manifest))  # noqa: PTH109, PTH113
    except OSError:  # the working directory is gone: no shortcut
        return registry_for()
    found = _DEFAULTS.get(key)
    if found is None:
        found = registry_for()
        if (installed_stuf_jz() is not None) == key[3]:  # not installed or removed meanwhile: remember it
            if len(_DEFAULTS) >= 64:
                _DEFAULTS.clear()
            _DEFAULTS[key] = found
    return found


def xsd_findings(schema: etree.XMLSchema, root: etree._Element, tally: FindingTally | None = None) -> list[Finding]:
    """Validate ``root`` against ``schema``; a finding per entry of lxml's error log that ``tally`` admits.

    Every entry is counted under ``xsd:<libxml2 error type>``; only the admitted ones get a text.
    """
    if schema.validate(root):
        return []
    found: list[Finding] = []
    for err in schema.error_log:  # type: ignore[attr-defined]  # _ErrorLog is iterable
        if tally is not None and not tally.admit(f"xsd:{err.type_name}"):
            continue
        message = bounded(_readable(err.message), MAX_MESSAGE_CHARS)
        found.append(Finding(kind="xsd", message=message, line=err.line or None, path=_readable_path(err.path)))
    return found


def inspect(
    data: bytes,
    *,
    registry: SchemaRegistry | None = None,
    rules: bool = True,
    context: RuleContext | None = None,
    max_bytes: int = MAX_MESSAGE_BYTES,
    rule_part: RulePart = "all",
    bounds: Bounds | None = None,
) -> Inspection:
    """Parse, detect and validate ``data``; never raises for bad input (``rule_part``: see ``gateway.rules.run``).

    ``bounds``: the limits of one message (default: the defaults, with ``max_bytes``).
    With the default registry, a StUF-JZ message is refused while its content cannot be validated,
    unless ``bounds`` allow it on its envelope only (see :mod:`gateway.stufjz_policy`); a caller
    passing its own ``registry`` has chosen its schemas.
    """
    if bounds is not None:
        limits = bounds
    else:
        limits = DEFAULT_BOUNDS if max_bytes == DEFAULT_BOUNDS.max_bytes else Bounds(max_bytes=max_bytes)
    try:
        root = parse(data, bounds=limits)
    except DocumentRefusedError as exc:
        return Inspection(ValidationResult(well_formed=False, errors=[exc.finding], counts={"xml": 1}))
    tag: str = root.tag  # "{namespace}local" or "local"; cheaper than etree.QName on the hot path
    namespace, _, local = tag[1:].partition("}") if tag[:1] == "{" else ("", "", tag)
    entry = ijw_entry(namespace, local) if registry is None else None
    if entry is not None:  # an iJw root: the default's entry whatever is installed, without looking for it
        reg = bundled_registry()
    else:
        reg = registry if registry is not None else default_registry()
        entry = reg.lookup(namespace, local)
    if entry is None:
        unknown = ValidationResult(well_formed=True, errors=[_unknown_schema(root)], counts={"schema": 1})
        return Inspection(unknown, root)
    kind = entry.kind
    result = ValidationResult(
        well_formed=True, standard=str(kind.standard), message_type=kind.message_type, version=kind.version
    )
    # the process default cannot check StUF-JZ content: refuse it, unless the operator chose envelope-only
    if registry is None and content_refused(entry, envelope_only=limits.stuf_jz_envelope_only):
        result.errors = [Finding(kind="schema", message=REFUSAL, line=_line(root), path=f"/{local}")]
        result.counts = {"schema": 1}
        return Inspection(result, root, kind)
    tally = FindingTally(limits.max_findings, limits.max_findings_per_kind)
    result.errors = xsd_findings(reg.schema_for(entry), root, tally)
    if tally.total == 0 and rules:  # rules only on an XSD-valid document, whatever the cap kept
        if len(data) >= _GC_PAUSE_BYTES:
            with _GC_PAUSE:
                result.errors = run_rules(root, kind, context, part=rule_part, tally=tally, schema_checked=True)
        else:
            result.errors = run_rules(root, kind, context, part=rule_part, tally=tally, schema_checked=True)
    result.counts = tally.counts
    return Inspection(result, root, kind)


def validate(data: bytes, *, registry: SchemaRegistry | None = None, rules: bool = True) -> ValidationResult:
    """The verdict on one message: well-formedness, kind, XSD and business-rule findings."""
    return inspect(data, registry=registry, rules=rules).result


def validate_file(
    path: Path, *, registry: SchemaRegistry | None = None, max_bytes: int = MAX_MESSAGE_BYTES
) -> ValidationResult:
    """Validate a file, refusing oversized files before reading them whole."""
    size = path.stat().st_size
    if size > max_bytes:
        return ValidationResult(
            well_formed=False,
            errors=[
                Finding(
                    kind="xml",
                    message=f"file is {size} bytes, more than the maximum of {max_bytes} bytes (OP179)",
                )
            ],
        )
    return validate(path.read_bytes(), registry=registry)


__all__ = ["Inspection", "default_registry", "inspect", "validate", "validate_file", "xsd_findings"]
