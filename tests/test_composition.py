"""One composition root: only gateway/app.py reads the settings; the parts below are handed theirs."""

from __future__ import annotations

import ast
from pathlib import Path

from gateway.app import Installation, begin, current, end
from gateway.config import Settings

ROOT = Path(__file__).resolve().parents[1]

READS_ITS_OWN: set[str] = set()  # none: even the StUF-JZ envelope-only choice is handed down (Bounds)


def _callers_of_load_settings() -> set[str]:
    found = set()
    for path in sorted([*(ROOT / "gateway").rglob("*.py"), *(ROOT / "workers").rglob("*.py")]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == (
                "load_settings"
            ):
                found.add(str(path.relative_to(ROOT)))
    return found


def test_only_the_composition_root_reads_the_settings() -> None:
    assert _callers_of_load_settings() == {"gateway/app.py", *READS_ITS_OWN}


def test_the_walk_sees_a_call() -> None:
    """The check above is not vacuous: the composition root itself is found."""
    assert "gateway/app.py" in _callers_of_load_settings()


def test_an_invocation_takes_every_part_from_one_installation(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'k.db'}", data_dir=tmp_path)
    installation = begin(Installation(settings))
    try:
        assert current() is installation
        store = installation.store(migrate=True)
        assert installation.store(migrate=True) is store  # opened once
        assert store.migrations_current()
        # the store files clients under the installation's pseudonymiser, not one of its own
        assert store.history().client_key("999999990") == installation.pseudonymiser("999999990")
        assert installation.bounds.max_bytes == settings.max_message_bytes
    finally:
        installation.close()
        end()
    assert current() is not installation
