"""SQLite's writer lock across processes and threads: one holder at a time, the next one in as soon as it is free."""

from __future__ import annotations

import multiprocessing
import stat
import threading
import time
from pathlib import Path

from gateway.store.writer_lock import WriterLock


def _hold(database: str, log: str, name: str, seconds: float) -> None:
    lock = WriterLock(Path(database))
    with lock.held():
        with Path(log).open("a") as out:
            out.write(f"{name} in\n")
        time.sleep(seconds)
        with Path(log).open("a") as out:
            out.write(f"{name} out\n")
    lock.close()


def _wait_for(path: Path, text: str) -> None:
    while text not in (path.read_text() if path.exists() else ""):
        time.sleep(0.01)


def test_a_second_process_waits_until_the_first_releases(tmp_path: Path) -> None:
    database, log = tmp_path / "kp.db", tmp_path / "log"
    context = multiprocessing.get_context("fork")  # a forked child must open its own descriptor
    lock = WriterLock(database)
    with lock.held():  # this process holds it first: the child forked now inherits the open file
        first = context.Process(target=_hold, args=(str(database), str(log), "child", 0.0))
        first.start()
        time.sleep(0.3)
        assert not log.exists()  # the child is still waiting
    first.join(30)
    assert first.exitcode == 0 and log.read_text() == "child in\nchild out\n"
    holder = context.Process(target=_hold, args=(str(database), str(log), "A", 0.3))
    holder.start()
    _wait_for(log, "A in")
    with lock.held():
        log.write_text(log.read_text() + "parent in\n")
    holder.join(30)
    assert log.read_text().splitlines()[2:] == ["A in", "A out", "parent in"]
    assert stat.S_IMODE(lock.path.stat().st_mode) == 0o600  # beside a database that holds BSNs
    lock.close()


def test_threads_of_one_process_take_turns(tmp_path: Path) -> None:
    lock = WriterLock(tmp_path / "kp.db")
    inside: list[int] = []
    most = [0]

    def work() -> None:
        for _ in range(50):
            with lock.held():
                inside.append(1)
                most[0] = max(most[0], len(inside))
                time.sleep(0.0005)
                inside.pop()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert most[0] == 1  # flock alone would let threads sharing a descriptor in together
    lock.close()


def test_wait_and_hold_times_are_counted(tmp_path: Path) -> None:
    """The metrics that say whether the pipeline is bound by this lock: a holder's time is counted
    as held, and a thread that queued behind it counts its wait."""
    from prometheus_client import REGISTRY

    def value(name: str) -> float:
        return REGISTRY.get_sample_value(f"ketenpoort_sqlite_write_lock_{name}_seconds_total") or 0.0

    lock = WriterLock(tmp_path / "kp.db")
    held_before, wait_before = value("held"), value("wait")
    entered = threading.Event()
    waited: list[float] = []

    def second() -> None:
        entered.wait(5)
        started = time.perf_counter()
        with lock.held():
            waited.append(time.perf_counter() - started)

    thread = threading.Thread(target=second)
    thread.start()
    with lock.held():
        entered.set()
        time.sleep(0.2)
    thread.join(5)
    lock.close()
    assert value("held") - held_before >= 0.2
    assert value("wait") - wait_before >= 0.15 and waited[0] >= 0.15
