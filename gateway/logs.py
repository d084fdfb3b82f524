"""structlog configuration: readable lines for people, JSON lines for machines when asked.

Which one: ``--log-format`` / ``KETENPOORT_LOG_FORMAT`` (``json`` or ``console``); ``auto`` means
console for the commands people run by hand, JSON under ``ketenpoort run`` (the single-machine
service and the container's command), and for ``serve`` and ``worker`` JSON unless they write to
a terminal. In console output the per-message lines (``audit``, ``relay.attempt``) are left out
below DEBUG: they are in the database (``ketenpoort audit verify``, the dashboard) and a command
prints its own summary. The standard library's loggers (uvicorn's error and startup lines) are
rendered by the same processors, so one process writes one format.

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

LogFormat = Literal["auto", "json", "console"]
PER_MESSAGE_EVENTS = frozenset({"audit", "relay.attempt"})
"""One line per message and step: kept in JSON output, left out of console output below DEBUG."""


def _scrub_bsn(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key, value in list(event_dict.items()):
        if isinstance(value, str):
            event_dict[key] = scrub_field(key, value)
    return event_dict


def _drop_per_message(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    if event_dict.get("event") in PER_MESSAGE_EVENTS:
        raise structlog.DropEvent
    return event_dict


def _current_stderr_logger(*_: Any) -> structlog.PrintLogger:
    """A logger on whatever ``sys.stderr`` is now (test runners and CLIs swap and close it)."""
    return structlog.PrintLogger(sys.stderr)


class _StdlibHandler(logging.Handler):
    """Writes stdlib records (uvicorn's) through structlog's formatter to the stream in use now."""

    def __init__(self, formatter: logging.Formatter, stream: Any) -> None:
        super().__init__()
        self.setFormatter(formatter)
        self.stream = stream

    def emit(self, record: logging.LogRecord) -> None:
        out = self.stream if self.stream is not None and not getattr(self.stream, "closed", False) else sys.stderr
        try:
            out.write(self.format(record) + "\n")
            out.flush()
        except Exception:  # logging must never raise into the caller
            self.handleError(record)


_requested: LogFormat | None = None


def request_format(fmt: LogFormat | None) -> None:
    """Remember ``--log-format`` for this process (None: follow the settings)."""
    global _requested  # noqa: PLW0603 - one process, one command line
    _requested = fmt


def requested_format(configured: LogFormat) -> LogFormat:
    """``--log-format`` when given, else the configured ``KETENPOORT_LOG_FORMAT``."""
    return _requested or configured


def resolve_format(fmt: LogFormat, out: Any, *, auto_json: bool | None = False) -> Literal["json", "console"]:
    """The format ``auto`` stands for: ``auto_json`` True (run), None (serve, worker: unless a TTY), False."""
    if fmt != "auto":
        return fmt
    if auto_json is None:
        return "console" if out.isatty() else "json"
    return "json" if auto_json else "console"


def configure_logging(
    fmt: LogFormat = "auto", level: str = "INFO", stream: Any = None, *, auto_json: bool | None = False
) -> Literal["json", "console"]:
    """Set up structlog and the stdlib bridge for this process; returns the format chosen."""
    out = stream if stream is not None else sys.stderr
    chosen = resolve_format(fmt, out, auto_json=auto_json)
    numeric = logging.getLevelName(level.upper())
    renderer: Any = structlog.processors.JSONRenderer()
    if chosen == "console":
        renderer = structlog.dev.ConsoleRenderer(colors=out.isatty())
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    if chosen == "console" and numeric > logging.DEBUG:
        shared.append(_drop_per_message)
    tail: list[Any] = [structlog.processors.format_exc_info, _scrub_bsn]  # the traceback as text, then scrubbed
    structlog.configure(
        processors=[*shared, *tail, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(file=stream) if stream is not None else _current_stderr_logger,
        cache_logger_on_first_use=False,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[structlog.stdlib.add_logger_name, *shared, structlog.stdlib.ExtraAdder()],
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *tail, renderer],
    )
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _StdlibHandler)]:
        root.removeHandler(handler)
    root.addHandler(_StdlibHandler(formatter, stream))
    root.setLevel(max(numeric, logging.WARNING))  # libraries (httpx logs every request at INFO): warnings only
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):  # no handlers of their own: they propagate here
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
        logging.getLogger(name).setLevel(numeric)
    return chosen


__all__ = [
    "PER_MESSAGE_EVENTS",
    "LogFormat",
    "configure_logging",
    "request_format",
    "requested_format",
    "resolve_format",
]
