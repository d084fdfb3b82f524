"""The dead-letter page's query: each dead message with its attempts and last error, on both backends."""

from __future__ import annotations

from pathlib import Path

from gateway.generate.ijw import small_jw301
from gateway.intake import submit
from gateway.model import MessageStatus, Stage
from gateway.run_registry import read_meta, register
from gateway.store import Store
from gateway.store.dead_letters import DeadLetter, dead_letters
from workers.loop import Commit, Job, Worker


class StageBugError(RuntimeError):
    """What a stage bug looks like to the worker loop."""


def test_a_stage_that_keeps_failing_shows_its_error_and_stage(store: Store) -> None:
    """A message buried by a failing validate stage is listed with the job's error and the stage it failed in."""
    mid = submit(store, small_jw301(3), sender=None).message_id

    def broken(job: Job) -> Commit | None:
        raise StageBugError("boom")

    Worker(store, {Stage.VALIDATE: broken}, max_attempts=1).run(until_idle=True)
    view = store.get_message(mid)
    assert view is not None and view.status is MessageStatus.DEAD
    [row] = dead_letters(store)
    assert row.id == mid and row.last_status_code is None and row.stage == "validate"
    assert row.reason == "StageBugError (stap validate)"


def test_reason_prefers_the_receivers_answer() -> None:
    """The receiver's HTTP status comes first, without repeating it when the error already says it."""
    base = {"id": "m", "sender": None, "receiver": None, "message_type": None, "relay_attempts": 3,
            "updated_at": None, "job_error": None, "stage": None}  # fmt: skip
    assert DeadLetter(**base, last_status_code=400, last_error="HTTP 400 Bad Request").reason == "HTTP 400 Bad Request"
    assert DeadLetter(**base, last_status_code=503, last_error="overloaded").reason == "HTTP 503: overloaded"
    assert DeadLetter(**base, last_status_code=None, last_error="connect timeout").reason == "connect timeout"
    assert DeadLetter(**base, last_status_code=None, last_error=None).reason == "onbekend"


def test_a_run_inside_the_runs_directory_is_registered_in_place(tmp_path: Path) -> None:
    """`reconcile --out <data_dir>/reconcile/NAME` is listed under NAME itself, with no copy."""
    from datetime import date

    run = tmp_path / "reconcile" / "mijn-run"
    run.mkdir(parents=True)
    (run / "bridge.json").write_text("[]")
    run_id = register(run, tmp_path, source="cli", gemeente="0034", perioden=["2018JJ"], peildatum=date(2019, 3, 1))
    assert run_id == "mijn-run" and sorted(p.name for p in (tmp_path / "reconcile").iterdir()) == ["mijn-run"]
    assert read_meta(run)["bron"] == "cli" and read_meta(run)["perioden"] == ["2018JJ"]
