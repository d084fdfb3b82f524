"""The demo's StUF-JZ choice: validated when the package is installed, else envelope-only for the run only."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gateway.stufjz_policy import StufJzMode, stuf_jz_mode
from workers.demo_stufjz import stuf_jz_for_demo


def test_with_the_package_the_demo_validates_content() -> None:
    """With the session's installed package the demo says content is validated and changes no setting."""
    lines: list[str] = []
    with stuf_jz_for_demo(lines):
        assert "KETENPOORT_STUF_JZ_ENVELOPE_ONLY" not in os.environ
    assert lines == ["StUF-Jeugdzorg content validated against the installed normative package"]


def test_without_it_the_demo_is_envelope_only_loudly_and_restores_the_setting(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Without the package: a WARNING line, envelope-only inside the block, and the refusal default after it."""
    monkeypatch.delenv("KETENPOORT_STUF_JZ_PACKAGE", raising=False)
    monkeypatch.delenv("KETENPOORT_STUF_JZ_ENVELOPE_ONLY", raising=False)
    monkeypatch.setenv("KETENPOORT_DATA_DIR", str(tmp_path))
    lines: list[str] = []
    with stuf_jz_for_demo(lines):
        assert os.environ["KETENPOORT_STUF_JZ_ENVELOPE_ONLY"] == "true"
    assert lines[0].startswith("WARNING (demo only): StUF-Jeugdzorg messages are ACCEPTED ON THE ENVELOPE ONLY")
    assert "KETENPOORT_STUF_JZ_ENVELOPE_ONLY" not in os.environ
    assert stuf_jz_mode(envelope_only=False) is StufJzMode.REFUSED
