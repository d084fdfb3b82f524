"""The schema registry: XSD packages from ``schemas/`` and extra directories, compiled once.

A package is any directory tree of ``*.xsd`` files. The registry indexes the top-level
elements of every file and picks, for a document, the schema that declares its root
element (namespace + local name). Extra directories are searched before the bundled
``schemas/`` folder, so an official package loaded with ``--schema-dir`` wins over the
project's own compact schema for the same root.

The StUF-Jeugdzorg package installed with ``ketenpoort schemas install stuf-jz`` (under
``KETENPOORT_DATA_DIR``) is picked up by :func:`registry_for` without any setting; from such a
package only the message files its manifest lists are indexed.

XSD documents are read once per process; each is compiled into an ``lxml.etree.XMLSchema``
on first use, once per thread (lxml validators must not be used by two threads at once).
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from lxml import etree

from gateway.errors import SchemaRegistryError
from gateway.model import MessageKind, Standard
from gateway.paths import project_home
from gateway.stufjz_install import installed_package, installed_package_at, manifest_messages

XSD_NS = "http://www.w3.org/2001/XMLSchema"
STUF_NS = "http://www.egem.nl/StUF/StUF0301"
JZ_NS = "http://www.stufstandaarden.nl/koppelvlak/jz0100"
BUNDLED_SCHEMAS = project_home() / "schemas"
_IJW_NS = re.compile(r"^http://www\.istandaarden\.nl/ijw/(\d+)_(\d+)/(jw\d{3})/schema$")
_VERSION_IN_PATH = re.compile(r"^\d+\.\d+(\.\d+)?$")
_COMPILE_LOCK = threading.Lock()
"""One XSD compile at a time in the process: concurrent first compiles corrupt libxml2's type table."""


@dataclass(frozen=True, slots=True)
class SchemaEntry:
    """Where the schema for one root element lives, and what kind of message that root is."""

    kind: MessageKind
    path: Path
    package: Path


def classify_root(namespace: str, root: str, version_hint: str | None) -> MessageKind | None:
    """Tell standard, message type and version from a root's namespace and name."""
    match = _IJW_NS.match(namespace)
    if match and root == "Bericht":
        version = f"{match.group(1)}.{match.group(2)}"
        return MessageKind(Standard.IJW, match.group(3).upper(), version, namespace, root)
    if namespace == JZ_NS and re.fullmatch(r"[a-zA-Z]+(Di|Du)0\d", root):
        return MessageKind(Standard.STUF_JZ, root, version_hint or "1.0.9", namespace, root)
    if namespace == STUF_NS and re.fullmatch(r"(Bv|Fo)0\dBericht", root):
        return MessageKind(Standard.STUF_JZ, root[:4], version_hint or "1.0.9", namespace, root)
    return None


def _secure_xsd_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def _version_hint(path: Path, doc: etree._ElementTree) -> str | None:
    patch = doc.find(f".//{{{XSD_NS}}}appinfo/{{{STUF_NS}}}patch")
    if patch is not None and patch.text and _VERSION_IN_PATH.match(patch.text.strip()):
        return patch.text.strip()
    for part in reversed(path.parent.parts):
        tail = part.rsplit("-", 1)[-1]
        if _VERSION_IN_PATH.match(tail):
            return tail
    return None


def _index_package(package: Path) -> Iterable[SchemaEntry]:
    listed = manifest_messages(package)
    for path in sorted(package.rglob("*.xsd")) if listed is None else listed:
        try:
            doc = etree.parse(str(path), _secure_xsd_parser())
        except (OSError, etree.XMLSyntaxError) as exc:
            raise SchemaRegistryError(f"cannot read schema {path}: {exc}") from None
        schema = doc.getroot()
        namespace = schema.get("targetNamespace", "")
        hint = _version_hint(path, doc)
        for element in schema.iterfind(f"{{{XSD_NS}}}element"):
            name = element.get("name")
            kind = classify_root(namespace, name, hint) if name else None
            # an installed StUF-JZ package (one with a manifest) adds StUF-JZ messages and nothing else, so
            # the process default's iJw entries are the bundled ones whatever is installed (bundled_registry)
            if kind is not None and (listed is None or kind.standard is Standard.STUF_JZ):
                yield SchemaEntry(kind, path, package)


class SchemaRegistry:
    """Finds and validates with the schema for a document's root element."""

    def __init__(self, extra_dirs: Sequence[Path] = (), *, bundled: Path | None = BUNDLED_SCHEMAS):
        self._entries: dict[tuple[str, str], SchemaEntry] = {}
        dirs = [Path(d) for d in extra_dirs]
        for directory in dirs:
            if not directory.is_dir():
                raise SchemaRegistryError(f"schema directory does not exist: {directory}")
        if bundled is not None:
            if not bundled.is_dir():  # an install without its data: every message would fail validation
                raise SchemaRegistryError(
                    f"the bundled schemas are missing at {bundled}; reinstall Ketenpoort, "
                    "or point KETENPOORT_HOME at a folder holding schemas/ and mappings/"
                )
            dirs.append(bundled)
        for directory in dirs:
            for entry in _index_package(directory):
                self._entries.setdefault((entry.kind.namespace, entry.kind.root), entry)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._docs: dict[Path, etree._ElementTree] = {}

    def lookup(self, namespace: str, root: str) -> SchemaEntry | None:
        """The schema entry for a root element, or None when no package declares it."""
        return self._entries.get((namespace, root))

    def entries(self) -> list[SchemaEntry]:
        """Every root element the registry knows, in a stable order."""
        return sorted(
            self._entries.values(),
            key=lambda e: (e.kind.standard, e.kind.root, e.kind.version, e.kind.message_type),
        )

    def schema_for(self, entry: SchemaEntry) -> etree.XMLSchema:
        """The compiled schema of ``entry``: compiled at most once per thread."""
        cache: dict[Path, etree.XMLSchema] | None = getattr(self._local, "schemas", None)
        if cache is None:
            cache = self._local.schemas = {}
        schema = cache.get(entry.path)
        if schema is None:
            schema = cache[entry.path] = self._compile(entry.path)
        return schema

    def _compile(self, path: Path) -> etree.XMLSchema:
        with self._lock:
            doc = self._docs.get(path)
            if doc is None:
                doc = self._docs[path] = etree.parse(str(path), _secure_xsd_parser())
        try:
            with _COMPILE_LOCK:  # libxml2 sets up its built-in XSD types on the first compile, unguarded
                return etree.XMLSchema(doc)
        except etree.XMLSchemaParseError as exc:
            raise SchemaRegistryError(f"cannot compile schema {path}: {exc}") from None


def installed_stuf_jz(data_dir: Path | None = None) -> Path | None:
    """The installed StUF-Jeugdzorg package of ``data_dir`` (default: ``KETENPOORT_DATA_DIR``), or None.

    ``KETENPOORT_STUF_JZ_PACKAGE`` (an installed package folder) takes precedence when ``data_dir`` is not given.
    """
    chosen = os.environ.get("KETENPOORT_STUF_JZ_PACKAGE") if data_dir is None else None
    if chosen:
        return installed_package_at(Path(chosen))
    return installed_package(Path(os.environ.get("KETENPOORT_DATA_DIR", ".")) if data_dir is None else data_dir)


def registry_for(extra_dirs: tuple[Path, ...] = ()) -> SchemaRegistry:
    """The process-wide registry for a set of extra schema directories, plus the installed StUF-JZ package.

    The installed package is searched after ``extra_dirs`` and before the bundled envelope-only schemas.
    """
    installed = installed_stuf_jz()
    return _registry(extra_dirs if installed is None else (*extra_dirs, installed.resolve()))


def bundled_registry() -> SchemaRegistry:
    """:func:`registry_for` ``()`` as it is with no StUF-JZ package installed: the bundled schemas only.

    An installed package adds StUF-JZ messages only, so for an iJw root this registry and
    ``registry_for()`` hold the same entry; a caller that has seen an iJw namespace may use it and skip
    the look for an install (an environment read and a stat per message).
    """
    return _registry(())


def ijw_entry(namespace: str, root: str) -> SchemaEntry | None:
    """The entry ``registry_for()`` holds for an iJw root (its bundled one); None for any other root."""
    entry = _registry(()).lookup(namespace, root)
    return entry if entry is not None and entry.kind.standard is Standard.IJW else None


@lru_cache(maxsize=8)
def _registry(extra_dirs: tuple[Path, ...]) -> SchemaRegistry:
    return SchemaRegistry(extra_dirs)


__all__ = [
    "BUNDLED_SCHEMAS",
    "SchemaEntry",
    "SchemaRegistry",
    "bundled_registry",
    "classify_root",
    "ijw_entry",
    "installed_stuf_jz",
    "registry_for",
    "stuf_jz_content_checked",
]


def stuf_jz_content_checked(registry: SchemaRegistry) -> bool:
    """True when ``registry`` validates StUF-JZ message content (an installed package), not only envelopes."""
    return any(
        entry.kind.standard is Standard.STUF_JZ and manifest_messages(entry.package) is not None
        for entry in registry.entries()
    )
