"""The GGk leg of ``ketenpoort demo`` goes end to end on loopback."""

from __future__ import annotations

from pathlib import Path

from workers.demo_ggk import run_ggk_demo


def test_the_ggk_demo_leg_travels_di01_in_di01_out_and_du01_back(tmp_path: Path) -> None:
    """A ggk_Di01 in gets Bv03, the JW301 leaves as ggk_Di01 and its JW302 returns as ggk_Du01; the audit holds."""
    ok, lines = run_ggk_demo(tmp_path)
    text = "\n".join(lines)
    assert ok, text
    assert "Bv03" in lines[1]
    assert "ggk_Di01 (JW301)" in text
    assert "ggk_Du01 (JW302)" in text
    assert ": delivered" in text
