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
