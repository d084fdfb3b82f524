"""The container image and the compose file say what the code does: commands that exist, a real health route.

No Docker engine runs here or in CI, so the image is not built in the tests; these checks catch
the drift that would break it (a renamed command, a health check on a route that is gone, a root
user, a config file the service cannot parse). The install the image does is proven by
test_installed_package.py.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml
from typer.main import get_command

from gateway.cli import app
from gateway.relay.routes import Routes

pytestmark = pytest.mark.xdist_group("packaging")


def _commands() -> set[str]:
    group = get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    return set(group.commands)


def _dockerfile(project_root: Path) -> str:
    return (project_root / "Dockerfile").read_text(encoding="utf-8")


def test_dockerfile_is_multi_stage_non_root_and_runs_an_existing_command(project_root: Path) -> None:
    text = _dockerfile(project_root)
    assert len(re.findall(r"^FROM\s", text, flags=re.M)) >= 2
    users = re.findall(r"^USER\s+(\S+)", text, flags=re.M)
    assert users and users[-1] not in {"root", "0"}
    cmd = re.search(r'^CMD\s+\["ketenpoort",\s*"([\w-]+)"', text, flags=re.M)
    assert cmd is not None and cmd.group(1) == "run" and "run" in _commands()


def test_dockerfile_health_check_asks_a_route_the_app_serves(project_root: Path) -> None:
    from fastapi.testclient import TestClient

    from gateway.api import create_app

    health = re.search(r"^HEALTHCHECK.*?(/\w+)'", _dockerfile(project_root), flags=re.M | re.S)
    assert health is not None and health.group(1) == "/readyz"
    with TestClient(create_app()) as client:
        answer = client.get("/readyz")
    assert answer.status_code in (200, 503), answer.status_code  # served: ready, or not ready without a store


def test_compose_services_run_existing_commands_on_postgresql(project_root: Path) -> None:
    compose: dict[str, Any] = yaml.safe_load((project_root / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert {"postgres", "migrate", "api", "worker"} <= set(services)
    for name in ("migrate", "api", "worker"):
        command = services[name]["command"]
        assert command[0] == "ketenpoort" and command[1] in _commands(), name
        assert services[name]["environment"]["KETENPOORT_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert services["api"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_example_deploy_configs_parse(project_root: Path) -> None:
    routes = Routes.from_toml(project_root / "deploy" / "routes.toml")
    assert routes.default is not None
    with (project_root / "deploy" / "senders.toml").open("rb") as handle:
        assert isinstance(tomllib.load(handle), dict)
