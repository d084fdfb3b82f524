"""mypy proves that both stores are what the API asks of a store (:class:`gateway.ports.ApiStore`).

The API is typed against the port, not against :class:`gateway.store.Store`, so ``create_app(settings,
MemoryStore())`` must type-check as well as the SQL store does. mypy only checks that where a store is
passed as the port; this test writes such code to a file and runs mypy (the project's configuration) on
it. Beside it, the controls that make the check able to fail: a class with every member of the port is
accepted; the same class without any one member is rejected, for each member; and so is ``create_app``
with a store that can only take messages in.
"""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest
from mypy import api as mypy_api

import gateway.ports as ports
from gateway.ports import ApiStore

ROOT = Path(__file__).resolve().parents[1]
PORTS = Path(ports.__file__).parent

USES = """\
from gateway.api.app import create_app
from gateway.config import Settings
from gateway.ports import ApiStore
from gateway.store import Store
from gateway.store.memory import MemoryStore


def both_stores(settings: Settings, sql: Store) -> None:
    memory: ApiStore = MemoryStore()
    real: ApiStore = sql
    create_app(settings, MemoryStore())
    create_app(settings, sql)
    create_app(settings, None)
    del memory, real
"""

ONLY_INTAKE = """\
from gateway.api.app import create_app
from gateway.config import Settings
from gateway.intake import IntakeRecord, SubmitResult


class OnlyIntake:
    def intake(self, record: IntakeRecord) -> SubmitResult:
        raise NotImplementedError


def too_little(settings: Settings) -> None:
    create_app(settings, OnlyIntake())
"""


def members() -> list[str]:
    """Every method the port asks for (its own and its bases')."""
    ours = [cls for cls in ApiStore.__mro__ if cls.__module__.startswith(ports.__name__)]
    return sorted({name for cls in ours for name in vars(cls) if not name.startswith("_")})


def _imports() -> str:
    """The imports of the ports' modules, which name every type their signatures use."""
    lines = set()
    for module in PORTS.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module != "__future__":
                lines.add(ast.unparse(node))
    return "\n".join(sorted(lines)) + "\n"


def _store_class(name: str, without: str | None) -> str:
    """A class with the port's own signatures for every member but ``without``."""
    body = []
    for member in members():
        if member != without:
            signature = inspect.signature(getattr(ApiStore, member))
            body.append(f"    def {member}{signature}:\n        raise NotImplementedError\n")
    return f"class {name}:\n" + "\n".join(body)


def generated() -> str:
    """The complete class, assigned to the port (accepted), and one class per member lacking it (rejected)."""
    parts = [_imports(), "from gateway.ports import ApiStore\n", _store_class("Complete", None)]
    parts.append("complete: ApiStore = Complete()\n")
    for member in members():
        parts.append(_store_class(f"Lacking_{member}", member))
        parts.append(f"lacking_{member}: ApiStore = Lacking_{member}()\n")
    return "\n\n".join(parts)


def _mypy(pytestconfig: pytest.Config, monkeypatch: pytest.MonkeyPatch, *files: Path) -> dict[str, list[str]]:
    """mypy's errors per file name, under the project's configuration (its cache kept between runs)."""
    monkeypatch.chdir(ROOT)  # mypy finds the package here (the editable install's finder is invisible to it)
    cache = pytestconfig.cache.mkdir("mypy-api-ports") if pytestconfig.cache is not None else files[0].parent
    stdout, stderr, _ = mypy_api.run(
        ["--config-file", str(ROOT / "pyproject.toml"), "--cache-dir", str(cache), *map(str, files)]
    )
    assert not stderr, stderr
    ours = {f.name for f in files}  # by name: a file mypy finds unchanged in its cache is reported at its old path
    errors: dict[str, list[str]] = {name: [] for name in ours} | {"elsewhere": []}
    for line in stdout.splitlines():
        found = re.match(r"(.+?\.py):\d+: error: (.*)", line)
        if found is None:
            continue
        name = Path(found[1]).name
        if name in ours and not found[1].startswith(("gateway/", "workers/")):
            errors[name].append(found[2])
        else:
            errors["elsewhere"].append(line)
    return errors


def test_both_stores_are_the_api_port_and_a_store_lacking_a_member_is_not(
    tmp_path: Path, pytestconfig: pytest.Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    uses, controls, too_little = (tmp_path / f"api_port_{n}.py" for n in ("uses", "controls", "too_little"))
    uses.write_text(USES, encoding="utf-8")
    controls.write_text(generated(), encoding="utf-8")
    too_little.write_text(ONLY_INTAKE, encoding="utf-8")

    errors = _mypy(pytestconfig, monkeypatch, uses, controls, too_little)

    assert errors["elsewhere"] == []  # the package itself (create_app, its callers) type-checks with the port
    assert errors["api_port_uses.py"] == []
    wanted = {f'Incompatible types in assignment (expression has type "Lacking_{m}"' for m in members()}
    assert {e.split(", variable")[0] for e in errors["api_port_controls.py"]} == wanted  # nothing about Complete
    assert len(errors["api_port_too_little.py"]) == 1
    assert 'Argument 2 to "create_app" has incompatible type "OnlyIntake"' in errors["api_port_too_little.py"][0]


def test_the_port_asks_for_the_read_side_intake_and_refusals() -> None:
    """The generated classes cover the port: its read, operator, intake and refusal methods."""
    assert {"get_message", "list_messages", "replay", "intake", "record_remote_refusal"} <= set(members())
