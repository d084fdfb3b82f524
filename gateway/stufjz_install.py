"""Install VNG's normative StUF-Jeugdzorg 1.0.9 schema package into the data directory.

The published zip cannot be used by lxml as it is, for two reasons the installer repairs
without changing a single definition:

- ten files write ``schemaLocation`` with Windows backslashes (``..\\entiteiten\\x.xsd``);
  they are turned into forward slashes;
- libxml2 honours only the *first* ``xs:import`` of a namespace. The package imports the
  StUF0301 namespace from several files (``jz0100_stuf0301.xsd``, ``stuf0301mtom.xsd``,
  ``bg0310_stuf_simpleTypes.xsd``), so whichever import comes first hides the others
  (``NPSGroepen`` does not resolve). The installer writes one *hub* schema per imported
  namespace that ``xs:include``s every file the package imports for it, and points every
  import at that hub: each import now brings in all of the namespace. A message file is
  also given an include of the hub of its own namespace, because libxml2 skips an import
  of the namespace being compiled (the gm group's zkn entities need ``jz0100_ent.xsd``).

The installed tree is compiled before it is moved into place: a package that does not
compile is never installed. ``ketenpoort-install.json`` lists the message files, which are
the only files the schema registry indexes from the package.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tempfile
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from lxml import etree

from gateway.errors import SchemaRegistryError

XSD_NS = "http://www.w3.org/2001/XMLSchema"
STUF_JZ_VERSION = "1.0.9"
PINNED_SHA256 = "9011787f9ee7939b6fd4f60e74cd031bdbd28fe1a44e6ce18b27a400947c6570"
"""sha256 of ``StUF-koppelvlak_Jeugdzorg_-_versie_1.0.9_20251215_-_schemas_(normatieve_versie).zip``."""
OFFICIAL_URL = (
    "https://raw.githubusercontent.com/VNG-Realisatie/StUF-Jeugdzorg/072171599f2f3804af5f2a6e4f491fe124cceeae/"
    "docs/documenten/StUF-koppelvlak_Jeugdzorg_-_versie_1.0.9_20251215_-_schemas_(normatieve_versie).zip"
)
MANIFEST = "ketenpoort-install.json"
MAX_ZIP_BYTES = 20 * 1024 * 1024
_HUBS = "_ketenpoort_hubs"
_MESSAGE_PREFIX = "jz0100_msg_"


class InstallError(SchemaRegistryError):
    """The package cannot be installed: the message says why; nothing was changed."""


@dataclass(frozen=True, slots=True)
class Installed:
    """Where a package was installed and which message schemas it holds."""

    root: Path
    sha256: str
    messages: tuple[str, ...]


def install_dir(data_dir: Path) -> Path:
    """Where the StUF-Jeugdzorg package lives under a data directory."""
    return Path(data_dir) / "schemas" / "stuf-jz" / STUF_JZ_VERSION


def installed_package(data_dir: Path) -> Path | None:
    """The installed package folder, or None when no (complete) install is there."""
    return installed_package_at(install_dir(data_dir))


def installed_package_at(root: Path) -> Path | None:
    """``root`` when it holds a complete install (its manifest), else None."""
    return root if (root / MANIFEST).is_file() else None


def manifest_messages(package: Path) -> list[Path] | None:
    """The message schema files an installed package lists, or None when ``package`` has no manifest."""
    manifest = package / MANIFEST
    if not manifest.is_file():
        return None
    data = json.loads(manifest.read_text(encoding="utf-8"))
    return [package / name for name in data["messages"]]


def sha256_of(data: bytes) -> str:
    """The hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def check_pin(data: bytes, expected: str) -> str:
    """The sha256 of ``data``; raises InstallError when it is not ``expected``."""
    actual = sha256_of(data)
    if actual != expected.lower():
        raise InstallError(
            f"the package's sha256 is {actual}, expected {expected.lower()}: this is not VNG's normative "
            f"StUF-Jeugdzorg {STUF_JZ_VERSION} zip; nothing installed (use --sha256 only for a package "
            "you deliberately chose)"
        )
    return actual


def download(url: str, *, timeout: float = 60.0) -> bytes:
    """The bytes at ``url`` (https or file), refused beyond MAX_ZIP_BYTES."""
    if not url.startswith(("https://", "file://")):
        raise InstallError(f"refusing to download from {url!r}: only https:// (or file://) addresses")
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (scheme checked above)
        data: bytes = response.read(MAX_ZIP_BYTES + 1)
    if len(data) > MAX_ZIP_BYTES:
        raise InstallError(f"the download from {url} is larger than {MAX_ZIP_BYTES} bytes")
    return data


def _extract(data: bytes, target: Path) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise InstallError("the package is not a zip file") from None
    with archive:
        for info in archive.infolist():
            name = info.filename.replace("\\", "/")
            parts = PurePosixPath(name).parts
            if name.startswith("/") or ".." in parts:
                raise InstallError(f"the zip holds an unsafe path: {info.filename!r}")
            if info.is_dir() or not name.endswith((".xsd", ".wsdl", ".txt")):
                continue
            destination = target.joinpath(*parts)
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(archive.read(info))


def _package_root(tree: Path) -> Path:
    """The folder holding ``jz0100/`` (the zip may wrap the tree in one top folder)."""
    found = sorted(tree.rglob("jz0100"), key=lambda p: len(p.parts))
    if not found or not found[0].is_dir():
        raise InstallError("the zip holds no jz0100/ folder: not a StUF-Jeugdzorg schema package")
    return found[0].parent


def _parse(path: Path) -> etree._ElementTree:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        return etree.parse(str(path), parser)
    except etree.XMLSyntaxError as exc:
        raise InstallError(f"cannot read {path.name}: {exc}") from None


def _relative(target: Path, start: Path) -> str:
    return Path(os.path.relpath(target, start)).as_posix()


def _normalise(docs: dict[Path, etree._ElementTree]) -> None:
    """Forward slashes in every schemaLocation (the published files use Windows backslashes)."""
    for doc in docs.values():
        for ref in doc.getroot().iter(f"{{{XSD_NS}}}import", f"{{{XSD_NS}}}include", f"{{{XSD_NS}}}redefine"):
            location = ref.get("schemaLocation")
            if location:
                ref.set("schemaLocation", location.replace("\\", "/"))


def _imported(docs: dict[Path, etree._ElementTree]) -> dict[str, set[Path]]:
    """Per namespace, every file the package imports for it."""
    imported: dict[str, set[Path]] = {}
    for path, doc in docs.items():
        for ref in doc.getroot().iterfind(f"{{{XSD_NS}}}import"):
            location, namespace = ref.get("schemaLocation"), ref.get("namespace")
            if location and namespace:
                target = (path.parent / location).resolve()
                if not target.is_file():
                    raise InstallError(f"{path.name} imports {location}, which the package lacks")
                imported.setdefault(namespace, set()).add(target)
    return imported


def _write_hubs(root: Path, imported: dict[str, set[Path]]) -> dict[str, Path]:
    """One schema per namespace that includes every imported file of it; the hub of each namespace."""
    hub_dir = root / _HUBS
    hub_dir.mkdir()
    hubs: dict[str, Path] = {}
    for number, (namespace, files) in enumerate(sorted(imported.items())):
        hub = hubs[namespace] = hub_dir / f"ns{number:02d}.xsd"
        schema = etree.Element(f"{{{XSD_NS}}}schema", targetNamespace=namespace, nsmap={"xs": XSD_NS})
        for target in sorted(files):
            etree.SubElement(schema, f"{{{XSD_NS}}}include", schemaLocation=_relative(target, hub_dir))
        etree.ElementTree(schema).write(str(hub), xml_declaration=True, encoding="UTF-8")
    return hubs


def _point_at_hubs(path: Path, doc: etree._ElementTree, hubs: dict[str, Path]) -> bool:
    """Send every import of ``doc`` to its namespace's hub; True when ``doc`` is a message schema."""
    schema = doc.getroot()
    for ref in schema.iterfind(f"{{{XSD_NS}}}import"):
        namespace = ref.get("namespace")
        if ref.get("schemaLocation") and namespace in hubs:
            ref.set("schemaLocation", _relative(hubs[namespace], path.parent))
    own = schema.get("targetNamespace")
    is_message = path.name.startswith(_MESSAGE_PREFIX) and schema.find(f"{{{XSD_NS}}}element") is not None
    if is_message and own in hubs:  # libxml2 skips an import of the namespace being compiled: include its hub
        schema.insert(0, etree.Element(f"{{{XSD_NS}}}include", schemaLocation=_relative(hubs[own], path.parent)))
    return is_message


def _repair(root: Path) -> list[Path]:
    """Normalise locations, write the namespace hubs, point imports at them; the message files."""
    docs = {path: _parse(path) for path in sorted(root.rglob("*.xsd"))}
    _normalise(docs)
    hubs = _write_hubs(root, _imported(docs))
    messages: list[Path] = []
    for path, doc in docs.items():
        if _point_at_hubs(path, doc, hubs):
            messages.append(path)
        doc.write(str(path), xml_declaration=True, encoding="UTF-8")
    if not messages:
        raise InstallError("the package declares no StUF-Jeugdzorg message schemas (jz0100_msg_*.xsd)")
    return messages


def _compile_all(messages: list[Path]) -> None:
    for path in messages:
        try:
            etree.XMLSchema(_parse(path))
        except etree.XMLSchemaParseError as exc:
            raise InstallError(f"the repaired package does not compile ({path.name}): {exc}") from None


def install(data: bytes, data_dir: Path, *, expected_sha256: str = PINNED_SHA256) -> Installed:
    """Check, unpack, repair, compile and atomically install the package zip ``data``."""
    digest = check_pin(data, expected_sha256)
    target = install_dir(data_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".stuf-jz-", dir=target.parent))
    try:
        _extract(data, staging / "zip")
        root = _package_root(staging / "zip")
        messages = _repair(root)
        _compile_all(messages)
        names = sorted(_relative(path, root) for path in messages)
        manifest = {"version": STUF_JZ_VERSION, "sha256": digest, "messages": names}
        (root / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        old = target.with_name(target.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if target.exists():
            target.rename(old)
        root.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Installed(target, digest, tuple(names))


__all__ = [
    "MANIFEST",
    "OFFICIAL_URL",
    "PINNED_SHA256",
    "STUF_JZ_VERSION",
    "InstallError",
    "Installed",
    "check_pin",
    "download",
    "install",
    "install_dir",
    "installed_package",
    "installed_package_at",
    "manifest_messages",
    "sha256_of",
]
