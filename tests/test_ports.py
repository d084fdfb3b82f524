"""The ports package is a leaf at run time, and the store implements its ports."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import gateway.ports as ports
from gateway.pseudonym import Pseudonymiser
from gateway.store import Store

PORTS = Path(ports.__file__).parent
MODULES = sorted(PORTS.glob("*.py"))


def test_ports_runs_without_the_rest_of_the_package() -> None:
    """Loaded on its own in a fresh interpreter, the package defines its ports and imports no gateway module."""
    code = (
        "import importlib.util, sys; "
        f"spec = importlib.util.spec_from_file_location('lone_ports', {str(PORTS / '__init__.py')!r}, "
        f"submodule_search_locations=[{str(PORTS)!r}]); "
        "m = importlib.util.module_from_spec(spec); sys.modules['lone_ports'] = m; spec.loader.exec_module(m); "
        "print(sorted(n for n in sys.modules if n.split('.')[0] in ('gateway', 'workers')), len(m.__all__))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == f"[] {len(ports.__all__)}"


def test_every_package_import_in_ports_is_for_the_type_checker_only() -> None:
    """Among the ports' modules, imports are relative; of the rest of the package, annotation-only."""
    package_imports = 0
    for module in MODULES:
        tree = ast.parse(module.read_text())
        guarded: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
                guarded |= {id(n) for n in ast.walk(node)}
        absolute = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level == 0]
        of_package = [n for n in absolute if (n.module or "").split(".")[0] in ("gateway", "workers")]
        assert all(id(n) in guarded for n in of_package), module.name
        plain = [n for n in ast.walk(tree) if isinstance(n, ast.Import)]
        assert not [a.name for n in plain for a in n.names if a.name.split(".")[0] in ("gateway", "workers")]
        package_imports += len(of_package)
    assert package_imports, "ports names the value types of its signatures"


def test_the_store_is_each_runtime_checkable_port(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'p.db'}", migrate=True, pseudonymiser=Pseudonymiser(b"k" * 16))
    try:
        assert isinstance(store, ports.RetentionStore)
        assert isinstance(store.history(), ports.MessageHistory)
        for extension in (
            ports.TariefHistory,
            ports.ClientToewijzingHistory,
            ports.DeclaratieHistory,
            ports.DeclaratieXsdHistory,
            ports.ReferentieHistory,
        ):
            assert isinstance(store.history(), extension)
    finally:
        store.close()


def test_the_protocols_of_the_core_live_in_ports_only() -> None:
    """No other module of the package defines a store, history or transport Protocol."""
    root = PORTS.parent
    defined_elsewhere = []
    for path in sorted([*root.rglob("*.py"), *(root.parent / "workers").rglob("*.py")]):
        if path.parent == PORTS:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            protocol = isinstance(node, ast.ClassDef) and any(
                getattr(base, "id", None) == "Protocol" for base in node.bases
            )
            if protocol and node.name in ports.__all__:  # type: ignore[union-attr]
                defined_elsewhere.append(f"{path.relative_to(root.parent)}:{node.name}")
    assert defined_elsewhere == []
