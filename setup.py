"""Build hook: ship the top-level ``schemas/`` and ``mappings/`` folders inside the ``gateway`` package.

The product keeps those folders at the top of the repository; an installed wheel has no
checkout beside it, so ``build_py`` copies their data files (not the ``*.py`` build scripts of
``mappings/``) into ``gateway/_bundled/`` of the build, where ``gateway.paths`` finds them with
``importlib.resources``. An editable install reads the checkout's folders directly.
Everything else about the build is declared in ``pyproject.toml``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
BUNDLED = ("schemas", "mappings")
DATA_SUFFIXES = {".xsd", ".csv", ".md", ".json", ".toml"}


class BuildWithData(build_py):
    """``build_py`` that also copies the data folders into ``gateway/_bundled``."""

    def run(self) -> None:
        super().run()
        target_root = Path(self.build_lib) / "gateway" / "_bundled"
        for folder in BUNDLED:
            source = HERE / folder
            if not source.is_dir():
                raise SystemExit(f"cannot build: the data folder {source} is missing")
            for path in sorted(source.rglob("*")):
                if path.is_file() and path.suffix in DATA_SUFFIXES and "__pycache__" not in path.parts:
                    target = target_root / folder / path.relative_to(source)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(path, target)


setup(cmdclass={"build_py": BuildWithData})
