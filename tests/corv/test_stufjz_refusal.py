"""CORV without the StUF-JZ package: refused with Fo03 StUF058 by default, accepted on the envelope when chosen."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree
from structlog.testing import capture_logs

from gateway.api.app import create_app
from gateway.generate.stuf import build_di01
from gateway.store import Store
from tests.corv.conftest import Certs, corv_settings
from tests.support.corv import GEMEENTE, GI, official_errors, post_soap, serving_tls, stuf_request, tls_client

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
STUF = "http://www.egem.nl/StUF/StUF0301"


@pytest.fixture
def without_package(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No installed StUF-JZ package anywhere this test can see."""
    monkeypatch.delenv("KETENPOORT_STUF_JZ_PACKAGE", raising=False)
    monkeypatch.delenv("KETENPOORT_STUF_JZ_ENVELOPE_ONLY", raising=False)
    monkeypatch.setenv("KETENPOORT_DATA_DIR", str(tmp_path / "empty-data"))
    yield


def _send(url: str, certs: Certs, ref: str) -> etree._Element:
    di01 = build_di01("vtoDi01", zender_oin=GI, ontvanger_oin=GEMEENTE, referentienummer=ref,
                      tijdstip="20260115093000000")  # fmt: skip
    body, action = stuf_request(
        url, "vtberichten", di01, from_oin=certs.gi.oin or "", message_id=f"urn:uuid:{uuid.uuid4()}"
    )
    with tls_client(certs.pki, certs.gi) as client:
        response = post_soap(client, f"{url}/soap/stuf-jz/vtberichten", body, action)
    return etree.fromstring(response.content)


def test_refused_by_default_with_fo03_stuf058_and_a_log_line(
    without_package: None, tmp_path: Path, store: Store, db_url: str, certs: Certs
) -> None:
    """A vtoDi01 is answered with a Server fault carrying a schema-valid Fo03 StUF058, logged, and not stored."""
    settings = corv_settings(tmp_path, db_url, certs)
    with capture_logs() as logs, serving_tls(create_app(settings, store), settings) as url:
        answer = _send(url, certs, "refused-1")
    fault = answer.find(f"{{{SOAP}}}Body/{{{SOAP}}}Fault")
    assert fault is not None and fault.findtext("faultcode", "").endswith("Server")
    fo03 = fault.find(f"detail/{{{STUF}}}Fo03Bericht")
    assert fo03 is not None and official_errors(fo03) == []
    assert fo03.findtext(f"{{{STUF}}}body/{{{STUF}}}code") == "StUF058"
    assert "schemapakket is niet geinstalleerd" in (fo03.findtext(f"{{{STUF}}}body/{{{STUF}}}omschrijving") or "")
    assert any(e["event"] == "corv.stuf_jz_refused" and e["log_level"] == "error" for e in logs)
    assert store.list_messages(limit=10)[0] == []


def test_envelope_only_when_chosen_accepts_with_a_warning(
    without_package: None, tmp_path: Path, store: Store, db_url: str, certs: Certs
) -> None:
    """With KETENPOORT_STUF_JZ_ENVELOPE_ONLY the same vtoDi01 gets Bv03 and is stored, and a warning is logged."""
    settings = corv_settings(tmp_path, db_url, certs, stuf_jz_envelope_only=True)
    with capture_logs() as logs, serving_tls(create_app(settings, store), settings) as url:
        answer = _send(url, certs, "envelope-1")
    assert answer.find(f"{{{SOAP}}}Body/{{{STUF}}}Bv03Bericht") is not None, etree.tostring(answer)
    assert any(e["event"] == "corv.stuf_jz_envelope_only" and e["log_level"] == "warning" for e in logs)
    assert len(store.list_messages(limit=10)[0]) == 1
