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
from gateway.config import load_settings
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
    with TestClient(create_app(load_settings())) as client:
        answer = client.get("/readyz")
    assert answer.status_code in (200, 503), answer.status_code  # served: ready, or not ready without a store


def _compose(project_root: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((project_root / "compose.yaml").read_text(encoding="utf-8"))
    return loaded


def test_compose_services_run_existing_commands_on_postgresql(project_root: Path) -> None:
    """Every Ketenpoort service runs a command that exists, on PostgreSQL, after the one-shot init."""
    services = _compose(project_root)["services"]
    assert {"postgres", "migrate", "api", "worker", "receiver"} <= set(services)
    assert services["migrate"]["command"] == ["ketenpoort", "init"]
    for name in ("migrate", "api", "worker", "receiver"):
        command = services[name]["command"]
        assert command[0] == "ketenpoort" and command[1] in _commands(), name
    for name in ("migrate", "api", "worker"):
        assert services[name]["environment"]["KETENPOORT_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert services["api"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_compose_settings_are_real_and_a_first_up_needs_nothing_set(project_root: Path) -> None:
    """Every KETENPOORT_ variable is a setting; no variable must be exported; key and senders live in a volume."""
    from gateway.config import Settings

    compose = _compose(project_root)
    known = {f"KETENPOORT_{name.upper()}" for name in Settings.model_fields}
    text = (project_root / "compose.yaml").read_text(encoding="utf-8")
    assert re.findall(r"\$\{[^}]*\}", text) == []  # nothing the user has to export first
    services = compose["services"]
    for name in ("migrate", "api", "worker"):
        env = services[name]["environment"]
        assert set(env) <= known, set(env) - known
        assert "KETENPOORT_PSEUDONYM_KEY" not in env  # generated once into the state volume by `init`
        state = [v for v in services[name]["volumes"] if v.split(":")[1] == env["KETENPOORT_DATA_DIR"]]
        assert state and not state[0].endswith(":ro") and state[0].split(":")[0] in compose["volumes"]
        assert env["KETENPOORT_SENDERS_FILE"].startswith(env["KETENPOORT_DATA_DIR"] + "/")  # writable by init
    route = services["worker"]["environment"]["KETENPOORT_DEFAULT_ROUTE"]
    receiver = services["receiver"]["command"]
    assert route == f"http://receiver:{receiver[receiver.index('--port') + 1]}/berichten"
    assert receiver[receiver.index("--host") + 1] == "0.0.0.0"


def _copies(text: str) -> list[str]:
    """The build-context sources of the Dockerfile's COPY lines (not --from copies)."""
    sources: list[str] = []
    for line in re.findall(r"^COPY\s+(?!--from)(.+)$", text, flags=re.M):
        sources += line.split()[:-1]
    return sources


def test_dockerfile_copies_what_the_build_needs_and_nothing_that_is_missing(project_root: Path) -> None:
    """The build stage copies every file the wheel is made from; the runtime needs no checkout or KETENPOORT_HOME."""
    text = _dockerfile(project_root)
    sources = _copies(text)
    assert [s for s in sources if not (project_root / s).exists()] == []
    assert {"pyproject.toml", "setup.py", "MANIFEST.in", "gateway", "workers", "schemas", "mappings"} <= set(sources)
    runtime = text[text.index("AS runtime") :]
    assert "KETENPOORT_HOME" not in runtime and _copies(runtime) == []
    env = dict(re.findall(r"(KETENPOORT_\w+)=(\S+)", runtime))
    assert env["KETENPOORT_SENDERS_FILE"].startswith(env["KETENPOORT_DATA_DIR"] + "/")
    assert re.search(r'^VOLUME \["' + re.escape(env["KETENPOORT_DATA_DIR"]) + r'"\]', runtime, flags=re.M)


def test_init_creates_key_and_prints_one_operator_token_once(tmp_path: Path) -> None:
    """`ketenpoort init` on a fresh data folder: a 0600 key, a token that logs in as operator; a rerun prints none."""
    from typer.testing import CliRunner

    from gateway.api.auth import Role, load_senders

    senders = tmp_path / "state" / "senders.toml"
    env = {
        "KETENPOORT_DATA_DIR": str(tmp_path / "state"),
        "KETENPOORT_DATABASE_URL": f"sqlite:///{tmp_path / 'state' / 'k.db'}",
        "KETENPOORT_SENDERS_FILE": str(senders),
    }
    (tmp_path / "state").mkdir()
    first = CliRunner().invoke(app, ["init"], env=env)
    assert first.exit_code == 0, first.output
    token = re.search(r"^    (\S{40,})$", first.output, flags=re.M)
    assert token is not None
    who = load_senders(senders).authenticate(token.group(1))
    assert who is not None and who.role is Role.OPERATOR
    assert (tmp_path / "state" / "pseudonym.key").stat().st_mode & 0o777 == 0o600
    again = CliRunner().invoke(app, ["init"], env=env)
    assert again.exit_code == 0 and "exists already" in again.output and token.group(1) not in again.output
    assert len(load_senders(senders).senders) == 1


def test_the_compose_receiver_answers_and_logs_arrivals() -> None:
    """The stand-in partner of compose answers a POST 200 and logs the arrival without its content."""
    import httpx
    from structlog.testing import capture_logs

    from workers.receiver import DemoReceiver

    with capture_logs() as logs, DemoReceiver("127.0.0.1", 0, announce=True) as rx:
        answer = httpx.post(rx.url, content=b"<geheim/>", headers={"Idempotency-Key": "k-1"})
    assert answer.status_code == 200 and rx.keys == {"k-1"}
    assert [(e["event"], e["idempotency_key"], e["size"]) for e in logs] == [("receiver.received", "k-1", 9)]
    assert "geheim" not in repr(logs)


def test_example_deploy_configs_parse(project_root: Path) -> None:
    routes = Routes.from_toml(project_root / "deploy" / "routes.toml")
    assert routes.default is not None
    with (project_root / "deploy" / "senders.toml").open("rb") as handle:
        assert isinstance(tomllib.load(handle), dict)
