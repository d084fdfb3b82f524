"""The store is reached typed: no parameter, attribute or return value for a store is annotated ``Any``.

mypy checks every call against :class:`gateway.store.Store` (or a port of :mod:`gateway.contracts`)
only where the annotation names it; an ``Any`` switches that check off without a word. And the store
is imported, not looked up with ``importlib``: a lookup is an edge import-linter cannot see.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = [ROOT / "gateway" / "api", ROOT / "gateway" / "cli", ROOT / "gateway" / "reconcile", ROOT / "workers"]
LOOSE = {"Any", "object", "Any | None", "object | None"}


def _is_store_name(name: str) -> bool:
    return name == "store" or name.endswith("_store")


def _loose_store_annotations(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.arg) and node.annotation is not None and _is_store_name(node.arg):
            if ast.unparse(node.annotation) in LOOSE:
                found.append(f"parameter {node.arg}: {ast.unparse(node.annotation)} (line {node.lineno})")
        elif isinstance(node, ast.AnnAssign) and _is_store_name(ast.unparse(node.target).split(".")[-1]):
            if ast.unparse(node.annotation) in LOOSE:
                found.append(f"{ast.unparse(node.target)}: {ast.unparse(node.annotation)} (line {node.lineno})")
        elif isinstance(node, ast.FunctionDef) and "store" in node.name and node.returns is not None:  # noqa: SIM102
            if ast.unparse(node.returns) in LOOSE:
                found.append(f"def {node.name} -> {ast.unparse(node.returns)} (line {node.lineno})")
    return found


def _sources() -> list[Path]:
    return sorted(p for package in PACKAGES for p in package.rglob("*.py"))


def test_no_store_is_annotated_any() -> None:
    """Every ``store`` in the API, the CLI, the reconciliation and the workers has a real type."""
    offenders = {
        str(path.relative_to(ROOT)): found
        for path in _sources()
        if (found := _loose_store_annotations(ast.parse(path.read_text(encoding="utf-8"))))
    }
    assert offenders == {}


def test_the_check_sees_a_loose_annotation() -> None:
    """The walk above finds what it is looking for, so it can fail."""
    code = "def f(store: Any) -> None: ...\nclass C:\n    store: object\ndef open_store() -> Any: ..."
    assert len(_loose_store_annotations(ast.parse(code))) == 3


def test_the_store_is_imported_not_looked_up() -> None:
    """No ``importlib.import_module("gateway.store")`` seam is left anywhere in the package."""
    sources = sorted((ROOT / "gateway").rglob("*.py")) + sorted((ROOT / "workers").rglob("*.py"))
    assert [str(p.relative_to(ROOT)) for p in sources if 'import_module("gateway.store' in p.read_text()] == []
