"""Build a StUF-Jeugdzorg package zip in tmp from the reference's normative tree, as VNG publishes it.

The reference tree has its backslash schemaLocations fixed; the zip written here puts backslashes
back into the message files, so the installer's normalisation is exercised. Its sha256 differs
from the pinned one: tests pass it to :func:`gateway.stufjz_install.install` explicitly.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from tests.support.reference import reference_path


def normative_zip() -> bytes:
    """The reference normative tree as a zip, message-file locations written with backslashes."""
    tree = reference_path("stuf-jeugdzorg-1.0.9", "normatief")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(tree.rglob("*")):
            if not path.is_file():
                continue
            data = path.read_bytes()
            if path.name.startswith("jz0100_msg_"):
                data = data.replace(b'schemaLocation="../entiteiten/', b'schemaLocation="..\\entiteiten\\')
            archive.writestr("schemas/" + path.relative_to(tree).as_posix(), data)
    return buffer.getvalue()


def resolved_schema_for(root: str) -> Path:
    """The official RESOLVED message schema (reference ``xsd/<group>``) that declares ``root``."""
    folder = reference_path("stuf-jeugdzorg-1.0.9", "xsd")
    for path in sorted(folder.glob("*/jz0100_msg_*berichten_resolved2025.xsd")):
        if f'name="{root}"'.encode() in path.read_bytes():
            return path
    raise LookupError(f"no resolved schema declares {root}")


__all__ = ["Path", "normative_zip", "resolved_schema_for"]
