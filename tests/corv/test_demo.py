"""The CORV part of ``ketenpoort demo`` sends one message end to end over mutual TLS and 2W-be-S."""

from __future__ import annotations

from pathlib import Path

from workers.demo_corv import run_corv_demo


def test_the_corv_demo_delivers_one_signed_message_to_another_ketenpoort(tmp_path: Path) -> None:
    """The message is delivered on a Bv03, stored once on the receiving side, and both audit chains verify."""
    report = run_corv_demo(tmp_path)
    assert report.ok, report.lines
    assert report.attempts == 1
    assert any("delivered" in line for line in report.lines)
