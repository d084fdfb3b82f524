"""Worker processes that tests start, SIGKILL at random moments and restart: `ketenpoort worker` as shipped."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Self


def worker_env(database_url: str, data_dir: Path, route: str, **extra: str) -> dict[str, str]:
    """Environment for a test worker: short lease so a killed worker's jobs come back quickly."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KETENPOORT_")}
    if "KETENPOORT_STUF_JZ_PACKAGE" in os.environ:  # the session's installed StUF-JZ package (tests/conftest.py)
        env["KETENPOORT_STUF_JZ_PACKAGE"] = os.environ["KETENPOORT_STUF_JZ_PACKAGE"]
    env.update(
        KETENPOORT_DATABASE_URL=database_url,
        KETENPOORT_DATA_DIR=str(data_dir),
        KETENPOORT_PSEUDONYM_KEY="reliability-test-key",
        KETENPOORT_DEFAULT_ROUTE=route,
        KETENPOORT_LEASE_S="2",
        KETENPOORT_POLL_INTERVAL_S="0.02",
        KETENPOORT_RETRY_BASE_S="0.05",
        KETENPOORT_RETRY_CAP_S="0.5",
        KETENPOORT_READ_TIMEOUT_S="1",
        KETENPOORT_LOG_FORMAT="json",
        KETENPOORT_LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env


class WorkerPool:
    """``size`` slots, each running one ``python -m gateway worker`` process."""

    def __init__(self, env: dict[str, str], size: int = 1, *, concurrency: int = 2, log_dir: Path) -> None:
        """Nothing starts until :meth:`start`."""
        self.env = env
        self.size = size
        self.concurrency = concurrency
        self.log_dir = log_dir
        self.procs: list[subprocess.Popen[bytes] | None] = [None] * size
        self.kills = 0
        self.starts = 0
        self.exit_codes: list[int] = []

    def _spawn(self, slot: int) -> None:
        command = [sys.executable, "-m", "gateway", "worker", "--concurrency", str(self.concurrency)]
        log = (self.log_dir / f"worker-{slot}-{self.starts}.log").open("wb")
        self.procs[slot] = subprocess.Popen(command, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        self.starts += 1

    def start(self) -> Self:
        """Start every slot."""
        for slot in range(self.size):
            self._spawn(slot)
        return self

    def kill(self, slot: int) -> None:
        """SIGKILL the slot's process (no chance to finish or release anything) and reap it."""
        proc = self.procs[slot]
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            self.kills += 1

    def restart(self, slot: int) -> None:
        """Start a fresh process in the slot."""
        self._spawn(slot)

    def check_alive(self) -> None:
        """Fail with the log of a worker that exited on its own."""
        for slot, proc in enumerate(self.procs):
            if proc is not None and proc.poll() is not None:
                logs = sorted(self.log_dir.glob(f"worker-{slot}-*.log"))
                tail = logs[-1].read_text(errors="replace")[-3000:] if logs else ""
                raise AssertionError(f"worker {slot} exited with {proc.returncode}:\n{tail}")

    def chaos(
        self,
        kills: int,
        rng: random.Random,
        *,
        done: Callable[[], bool],
        gap_s: tuple[float, float] = (0.2, 1.2),
        guard_s: float = 600.0,
    ) -> None:
        """Kill a random slot at random moments ``kills`` times (restarting it), then wait for ``done``."""
        deadline = time.monotonic() + guard_s
        while self.kills < kills:
            time.sleep(rng.uniform(*gap_s))
            self.check_alive()
            slot = rng.randrange(self.size)
            self.kill(slot)
            self.restart(slot)
            assert time.monotonic() < deadline, f"chaos did not finish: {self.kills} kills"
        while not done():
            self.check_alive()
            assert time.monotonic() < deadline, "the pipeline did not drain after the kills"
            time.sleep(0.05)

    def wait(self, done: Callable[[], bool], guard_s: float = 300.0) -> None:
        """Until ``done()`` (a hang guard fails the test rather than hanging it)."""
        deadline = time.monotonic() + guard_s
        while not done():
            self.check_alive()
            assert time.monotonic() < deadline, "the pipeline did not drain"
            time.sleep(0.05)

    def stop(self) -> None:
        """SIGTERM every process (they finish their job in hand) and reap them; exit codes in :attr:`exit_codes`."""
        for proc in self.procs:
            if proc is not None and proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            if proc is not None:
                try:
                    self.exit_codes.append(proc.wait(30))
                except subprocess.TimeoutExpired:
                    proc.kill()
                    self.exit_codes.append(proc.wait())

    def __enter__(self) -> Self:
        """Start on entry."""
        return self.start()

    def __exit__(self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        """Stop on exit."""
        self.stop()


__all__ = ["WorkerPool", "worker_env"]
