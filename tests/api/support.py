"""Shared by the API and browser tests: a live uvicorn server, and the real pipeline run in-process."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI

from gateway.api.server import KEEP_ALIVE_S
from gateway.pseudonym import Pseudonymiser
from gateway.relay import Deliverer, RetryPolicy, Routes
from workers.loop import Worker
from workers.pipeline import handlers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """Serve ``app`` on a free loopback port in a thread; yields its base URL."""
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="error", lifespan="off", timeout_keep_alive=KEEP_ALIVE_S
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join()


def deliverer(url: str) -> Deliverer:
    """Every receiver routed to ``url``; one attempt, so a refusal makes the message dead at once."""
    policy = RetryPolicy(base_s=0.01, cap_s=0.05, max_attempts=1, max_age_s=3600.0)
    return Deliverer(Routes({}, default=url), policy, read_timeout_s=5.0, breaker_failures=1000)


def worker(store: Any, url: str) -> Worker:
    """A worker with the real validate, map and relay handlers over ``store``."""
    stages = handlers(store, deliverer(url), Pseudonymiser(b"k" * 32), max_bytes=26 * 1024 * 1024)
    return Worker(store, stages, concurrency=1, poll_interval_s=0.01)


def drain(store: Any, url: str) -> int:
    """Run every due job to completion in this thread; returns how many ran."""
    return worker(store, url).run(until_idle=True)


@contextmanager
def background_worker(store: Any, url: str) -> Iterator[Worker]:
    """The real pipeline running in a thread for as long as the block runs (browser tests)."""
    w = worker(store, url)
    thread = threading.Thread(target=w.run, daemon=True)
    thread.start()
    try:
        yield w
    finally:
        w.request_stop()
        thread.join()


def open_jobs(store: Any) -> int:
    """Jobs not yet done (due, leased or scheduled)."""
    counts = store.job_counts()
    return int(counts["due"] + counts["leased"] + counts["scheduled"])


def all_messages(store: Any) -> list[Any]:
    """Every stored message, newest first."""
    out: list[Any] = []
    cursor = None
    while True:
        items, cursor = store.list_messages(cursor=cursor, limit=500)
        out += items
        if cursor is None:
            return out
