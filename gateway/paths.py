"""Where the project's data folders (schemas/, mappings/) are found.

An installed wheel carries them inside the package (``gateway/_bundled/``, copied there by the
build, see ``setup.py``) and they are located with :mod:`importlib.resources`. In a source
checkout or an editable install they are the checkout's top-level ``schemas/`` and
``mappings/``. ``KETENPOORT_HOME``, when set, names a folder holding both and overrides them.
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

from gateway.errors import GatewayError

_CHECKOUT = Path(__file__).resolve().parent.parent
DATA_FOLDERS = ("schemas", "mappings")


class DataFilesMissingError(GatewayError):
    """A bundled data folder (schemas/, mappings/) or file cannot be found or read."""


def _bundled() -> Path | None:
    """``gateway/_bundled`` of an installed wheel, when the package sits on a file system."""
    root = files("gateway").joinpath("_bundled")
    if isinstance(root, Path) and root.is_dir():
        return root
    return None


def project_home() -> Path:
    """The folder holding ``schemas/`` and ``mappings/``: KETENPOORT_HOME, the wheel's bundle, or the checkout."""
    configured = os.environ.get("KETENPOORT_HOME")
    if configured:
        return Path(configured)
    return _bundled() or _CHECKOUT


def data_source() -> str:
    """Where the data folders come from, for messages: ``KETENPOORT_HOME``, ``package`` or ``checkout``."""
    if os.environ.get("KETENPOORT_HOME"):
        return "KETENPOORT_HOME"
    return "package" if _bundled() is not None else "checkout"


def _folder(name: str) -> Path:
    path = project_home() / name
    if not path.is_dir():
        raise DataFilesMissingError(
            f"the {name}/ folder is missing at {path} (source: {data_source()}); reinstall Ketenpoort, "
            "or point KETENPOORT_HOME at a folder holding schemas/ and mappings/"
        )
    return path


def schemas_dir() -> Path:
    """The bundled XSD packages."""
    return _folder("schemas")


def mappings_dir() -> Path:
    """The bundled mapping tables."""
    return _folder("mappings")


__all__ = ["DATA_FOLDERS", "DataFilesMissingError", "data_source", "mappings_dir", "project_home", "schemas_dir"]
