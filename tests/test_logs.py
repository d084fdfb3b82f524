"""Log lines: JSON with the traceback of a failure, and never a BSN, not even inside an exception text."""

from __future__ import annotations

import io
import json

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
