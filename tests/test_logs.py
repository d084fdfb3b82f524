"""Log lines: JSON with the traceback of a failure, and never a BSN, not even inside an exception text."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import structlog

from gateway.logs import configure_logging

BSN = "123456782"  # passes the elfproef


def test_exception_lines_carry_the_traceback_without_the_bsn() -> None:
    out = io.StringIO()
    configure_logging("json", "INFO", stream=out)
    try:
        raise ValueError(f"client {BSN} not found")
    except ValueError:
        structlog.get_logger("t").exception("job.failed", detail=f"bsn={BSN}")
    line = json.loads(out.getvalue().splitlines()[-1])
    assert line["event"] == "job.failed"
    assert "Traceback" in line["exception"] and "ValueError" in line["exception"]
    assert BSN not in out.getvalue()


def test_a_sha256_digest_is_logged_whole_even_with_bsn_shaped_digits_inside() -> None:
    digest = "814e432accdf5d22c3b6d8aa2b" + BSN + "fd5ce8fe0c9193607acdb68a385dc"  # seen in an audit line
    assert len(digest) == 64
    out = io.StringIO()
    configure_logging("json", "INFO", stream=out)
    structlog.get_logger("t").info("audit", hash=digest, data=f'{{"sha256":"{digest}","bsn":"{BSN}"}}')
    line = json.loads(out.getvalue().splitlines()[-1])
    assert line["hash"] == digest  # the logged hash still matches the chain
    assert json.loads(line["data"]) == {"sha256": digest, "bsn": "[bsn]"}
    structlog.get_logger("t").info("free text", detail=f"ref a{BSN} and {BSN}0 and {BSN}")
    assert json.loads(out.getvalue().splitlines()[-1])["detail"] == f"ref a[bsn] and {BSN}0 and [bsn]"


def test_console_output_leaves_out_per_message_lines_unless_debug() -> None:
    """People get summaries: audit and relay.attempt lines stay out of console output below DEBUG, not out of JSON."""
    import logging

    for fmt, level, shown in (("console", "INFO", False), ("console", "DEBUG", True), ("json", "INFO", True)):
        out = io.StringIO()
        configure_logging(fmt, level, stream=out)  # type: ignore[arg-type]
        structlog.get_logger("t").info("audit", seq=1)
        structlog.get_logger("t").info("relay.attempt", attempt=1)
        structlog.get_logger("t").warning("senders.none_can_post")
        text = out.getvalue()
        assert ("audit" in text and "relay.attempt" in text) is shown, (fmt, level, text)
        assert "senders.none_can_post" in text
    logging.getLogger("uvicorn.error").handlers.clear()


def test_auto_is_console_for_people_and_json_under_run() -> None:
    """`auto`: console for commands, JSON for `run`, and for serve/worker JSON unless on a terminal."""
    from gateway.logs import resolve_format

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    pipe, tty = io.StringIO(), Tty()
    assert resolve_format("auto", pipe) == "console" and resolve_format("auto", tty) == "console"
    assert resolve_format("auto", tty, auto_json=True) == "json"
    assert (
        resolve_format("auto", tty, auto_json=None) == "console"
        and resolve_format("auto", pipe, auto_json=None) == "json"
    )
    assert resolve_format("json", tty) == "json" and resolve_format("console", pipe, auto_json=True) == "console"


def test_uvicorn_lines_go_through_the_same_pipeline() -> None:
    """A stdlib record from uvicorn's logger comes out as the same JSON object, BSN scrubbed, logger named."""
    import logging

    out = io.StringIO()
    configure_logging("json", "INFO", stream=out)
    logging.getLogger("uvicorn.error").info("Started server process for %s", BSN)
    line = json.loads(out.getvalue().splitlines()[-1])
    assert line["event"] == "Started server process for [bsn]" and line["logger"] == "uvicorn.error"
    assert line["level"] == "info" and "timestamp" in line
    assert BSN not in out.getvalue()


def test_submit_prints_a_summary_not_audit_json_unless_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`submit` on the console: no JSON audit lines; `--log-format json`: one JSON audit line per event."""
    from typer.testing import CliRunner

    from gateway.cli import app
    from gateway.generate import small_jw301

    monkeypatch.setenv("KETENPOORT_DATABASE_URL", f"sqlite:///{tmp_path / 'k.db'}")
    monkeypatch.setenv("KETENPOORT_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("KETENPOORT_LOG_FORMAT", raising=False)
    message = tmp_path / "m.xml"
    message.write_bytes(small_jw301(3))
    quiet = CliRunner().invoke(app, ["submit", str(message)])
    assert quiet.exit_code == 0, quiet.output
    assert '"audit"' not in quiet.stderr and "submitted 1 files: 1 received" in quiet.stderr
    message.write_bytes(small_jw301(4))
    loud = CliRunner().invoke(app, ["--log-format", "json", "submit", str(message)])
    audit = [json.loads(line) for line in loud.stderr.splitlines() if line.startswith("{")]
    assert loud.exit_code == 0 and [a["audit_event"] for a in audit if a["event"] == "audit"] == ["message.received"]
