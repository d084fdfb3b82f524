"""Where the project's data folders (schemas/, mappings/) are found.

In a source checkout they sit beside the ``gateway`` package. An installed wheel (the
container image) has no checkout, so ``KETENPOORT_HOME`` names the folder that holds them.
"""

from __future__ import annotations

import os
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parent.parent


def project_home() -> Path:
    """The folder holding ``schemas/`` and ``mappings/``."""
    configured = os.environ.get("KETENPOORT_HOME")
    return Path(configured) if configured else _CHECKOUT


def schemas_dir() -> Path:
    """The bundled XSD packages."""
    return project_home() / "schemas"


def mappings_dir() -> Path:
    """The bundled mapping tables."""
    return project_home() / "mappings"


__all__ = ["mappings_dir", "project_home", "schemas_dir"]
