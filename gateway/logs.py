"""structlog configuration: JSON lines in production, readable console output in a terminal.

Every event passes a scrubbing processor that replaces BSNs (:func:`gateway.bsn.scrub_field`: identifier
fields such as ``external_id`` are kept whole), so even a careless log call cannot leak a BSN.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any, Literal

import structlog

from gateway.bsn import scrub_field


def _scrub_bsn(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key, value in list(event_dict.items()):
        if isinstance(value, str):
            event_dict[key] = scrub_field(key, value)
    return event_dict


def _current_stderr_logger(*_: Any) -> structlog.PrintLogger:
    """A logger on whatever ``sys.stderr`` is now (test runners and CLIs swap and close it)."""
    return structlog.PrintLogger(sys.stderr)


def configure_logging(
    fmt: Literal["auto", "json", "console"] = "auto", level: str = "INFO", stream: Any = None
) -> None:
    """Set up structlog once per process; ``auto`` means console on a TTY, JSON otherwise."""
    out = stream if stream is not None else sys.stderr
    use_console = fmt == "console" or (fmt == "auto" and out.isatty())
    renderer: Any = (
        structlog.dev.ConsoleRenderer(colors=out.isatty()) if use_console else structlog.processors.JSONRenderer()
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,  # the traceback as text, before the scrubber sees it
            _scrub_bsn,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(file=stream) if stream is not None else _current_stderr_logger,
        cache_logger_on_first_use=False,
    )


__all__ = ["configure_logging"]
