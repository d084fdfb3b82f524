"""Errors are caught by what they are: a broad ``except Exception`` that swallows lives only in the last-resort
handlers (the worker loop and its lane threads, which must outlive a stage bug; the log bridge, which must never
raise into its caller; the attempt log's best-effort cleanup). Store errors arrive as StoreError."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

LAST_RESORT = {
    "workers/loop.py",
    "workers/lanes/commits.py",
    "workers/lanes/pool.py",
    "gateway/logs.py",
    "gateway/store/attempts.py",
}


def _swallows(handler: ast.ExceptHandler) -> bool:
    names = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    broad = any(isinstance(n, ast.Name) and n.id in ("Exception", "BaseException") for n in names)
    reraises = any(isinstance(node, ast.Raise) and node.exc is None for node in ast.walk(handler))
    return broad and not reraises


def _broad_handlers() -> dict[str, int]:
    found: dict[str, int] = {}
    for path in sorted([*(ROOT / "gateway").rglob("*.py"), *(ROOT / "workers").rglob("*.py")]):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        count = sum(1 for n in ast.walk(tree) if isinstance(n, ast.ExceptHandler) and _swallows(n))
        if count:
            found[str(path.relative_to(ROOT))] = count
    return found


def test_only_last_resort_handlers_catch_everything() -> None:
    assert set(_broad_handlers()) <= LAST_RESORT


def test_the_walk_finds_the_worker_loops_handler() -> None:
    assert "workers/loop.py" in _broad_handlers()


def test_a_cleanup_that_reraises_is_not_a_swallow() -> None:
    code = "try:\n    pass\nexcept BaseException:\n    close()\n    raise\n"
    (handler,) = [n for n in ast.walk(ast.parse(code)) if isinstance(n, ast.ExceptHandler)]
    assert not _swallows(handler)
