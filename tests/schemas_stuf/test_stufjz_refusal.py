"""Without the StUF-JZ package: the validate stage refuses StUF-JZ (Fo03 StUF058); /readyz and status say so."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from lxml import etree
from structlog.testing import capture_logs
from typer.testing import CliRunner

from gateway.api.app import create_app
from gateway.bounds import Bounds
from gateway.cli import app
from gateway.config import load_settings
from gateway.generate.stuf import generate_di01
from gateway.retour import retour_for
from gateway.store import Store, open_store
from gateway.stufjz_policy import REFUSAL
from gateway.validation import inspect

STUF = "http://www.egem.nl/StUF/StUF0301"


@pytest.fixture
def without_package(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No installed package visible; returns the (empty) data directory."""
    monkeypatch.delenv("KETENPOORT_STUF_JZ_PACKAGE", raising=False)
    monkeypatch.delenv("KETENPOORT_STUF_JZ_ENVELOPE_ONLY", raising=False)
    data_dir = tmp_path / "data"
    monkeypatch.setenv("KETENPOORT_DATA_DIR", str(data_dir))
    return data_dir


def _vto(*, bad_date: bool = False) -> bytes:
    _, _, data = generate_di01("vtoDi01", random.Random(7), sequence=1)
    if bad_date:
        start = data.split(b"<ZKN:startdatum>", 1)[1][:8]
        data = data.replace(
            b"<ZKN:startdatum>" + start, b"<ZKN:startdatum>" + start[:4] + b"-" + start[4:6] + b"-" + start[6:8], 1
        )
    return data


def test_the_validate_stage_refuses_stuf_jz_with_fo03_stuf058(without_package: Path) -> None:
    """A valid vtoDi01 is rejected with the refusal finding, logged as an error, and answered with Fo03 StUF058."""
    with capture_logs() as logs:
        inspection = inspect(_vto())
    assert [f.message for f in inspection.result.errors] == [REFUSAL]
    assert any(e["event"] == "stuf_jz.refused" and e["log_level"] == "error" for e in logs)
    fo03 = etree.fromstring(retour_for(inspection) or b"")
    assert fo03.findtext(f"{{{STUF}}}body/{{{STUF}}}code") == "StUF058"


def test_envelope_only_accepts_even_a_bad_date_and_warns(
    without_package: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With envelope-only chosen, content is not checked (a wrong date passes) and a warning is logged.

    The choice reaches ``inspect`` from the settings through the bounds, never read by the policy itself.
    """
    monkeypatch.setenv("KETENPOORT_STUF_JZ_ENVELOPE_ONLY", "true")
    assert inspect(_vto(bad_date=True)).result.errors[0].message == REFUSAL  # the environment alone: refused
    with capture_logs() as logs:
        inspection = inspect(_vto(bad_date=True), bounds=Bounds.from_settings(load_settings()))
    assert inspection.result.errors == []
    assert any(e["event"] == "stuf_jz.envelope_only" and e["log_level"] == "warning" for e in logs)


def test_with_the_installed_package_content_is_checked() -> None:
    """With the session's installed package (conftest), the valid vtoDi01 passes and the bad date is an XSD finding."""
    assert inspect(_vto()).result.errors == []
    errors = inspect(_vto(bad_date=True)).result.errors
    assert errors and errors[0].kind == "xsd" and "startdatum" in errors[0].message


def test_readyz_says_so_loudly(without_package: Path, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """/readyz names the mode and a warning while not installed; with the package it is plain ready."""
    with TestClient(create_app(load_settings(), store=store)) as client:
        body = client.get("/readyz").json()
    assert body["status"] == "ready" and body["stuf_jz"] == "refused" and "REFUSED" in body["warning"]
    monkeypatch.setenv("KETENPOORT_STUF_JZ_ENVELOPE_ONLY", "true")
    with TestClient(create_app(load_settings(), store=store)) as client:
        assert client.get("/readyz").json()["stuf_jz"] == "envelope-only"


def test_status_says_so_loudly(without_package: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`ketenpoort status` prints the refusal warning first; --json carries the mode."""
    monkeypatch.setenv("KETENPOORT_DATABASE_URL", f"sqlite:///{tmp_path / 'k.db'}")
    open_store(load_settings(), migrate=True).close()
    runner = CliRunner()
    result = runner.invoke(app, ["status"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("WARNING: StUF-Jeugdzorg messages are REFUSED")
    as_json = runner.invoke(app, ["status", "--json"])
    assert json.loads(as_json.output)["stuf_jz"] == "refused"


def test_validate_cli_warns_when_stuf_jz_is_envelope_checked(without_package: Path, tmp_path: Path) -> None:
    """`ketenpoort validate` on a StUF-JZ file without the package says its content was NOT validated."""
    message = tmp_path / "vto.xml"
    message.write_bytes(_vto(bad_date=True))
    result = CliRunner().invoke(app, ["validate", str(message)])
    assert "content NOT validated" in result.output
