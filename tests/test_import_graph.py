"""No import cycles between modules of gateway/ and workers/ (import-linter checks the layers)."""

from __future__ import annotations

import grimp


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(edges):
        if root in index:
            continue
        work: list[tuple[str, list[str]]] = [(root, sorted(edges[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, pending = work[-1]
            if pending:
                nxt = pending.pop()
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, sorted(edges.get(nxt, ()))))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_cycle_finder_sees_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycles() -> None:
    graph = grimp.build_graph("gateway", "workers")
    edges = {module: set(graph.find_modules_directly_imported_by(module)) for module in graph.modules}
    # gateway.ports imports for the type checker only (tests/test_ports.py): no edge at run time
    for module, imported in edges.items():
        if module == "gateway.ports" or module.startswith("gateway.ports."):
            edges[module] = {m for m in imported if m.startswith("gateway.ports")}
    assert _cycles(edges) == []


def _layered_modules() -> set[str]:
    """Every module the import-linter ``layers`` contract in pyproject.toml places in a layer."""
    import re
    import tomllib
    from pathlib import Path

    config = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    (contract,) = [c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers"]
    return {name for layer in contract["layers"] for name in re.split(r"[\s:|]+", layer) if name}


def test_every_top_level_module_has_a_layer() -> None:
    """A new module of gateway/ is placed in a layer, or the layers contract would not hold it at all."""
    graph = grimp.build_graph("gateway", "workers")
    top_level = {m for m in graph.modules if m.count(".") == 1 and m.startswith("gateway.")}
    top_level -= {"gateway.__main__"}  # `python -m gateway`: the command line's entry point
    assert sorted(top_level - _layered_modules()) == []
