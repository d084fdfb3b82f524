"""Cross-message rule tests through the real pipeline: submit in turn, run validate and map, read the verdict."""

from __future__ import annotations

from gateway.config import load_settings
from gateway.intake import submit
from gateway.model import MessageStatus, Stage
from gateway.pseudonym import Pseudonymiser
from gateway.store import Store
from tests.support.databases import TEST_PSEUDONYM_KEY
from workers.runtime import build_worker

Findings = list[tuple[str | None, str | None]]


def run_pipeline(store: Store) -> None:
    """Run every due validate and map job, as a worker built from the settings runs them."""
    worker, deliverer = build_worker(
        store, load_settings(), stages=(Stage.VALIDATE, Stage.MAP), pseudonymiser=Pseudonymiser(TEST_PSEUDONYM_KEY)
    )
    with deliverer:
        worker.run(until_idle=True)


def verdict(store: Store, messages: list[bytes]) -> tuple[MessageStatus, Findings, bytes]:
    """Submit and run each message in turn; the earlier ones must be accepted; the last one's verdict."""
    ids = []
    for data in messages:
        ids.append(submit(store, data, sender=None).message_id)
        run_pipeline(store)
    views = [store.get_message(mid) for mid in ids]
    assert all(v is not None for v in views)
    earlier = [(v.status, [f.rule for f in v.findings]) for v in views[:-1] if v is not None]
    assert all(status is not MessageStatus.REJECTED for status, _ in earlier), earlier
    last = views[-1]
    assert last is not None
    return last.status, [(f.rule, f.retourcode) for f in last.findings], last.retour or b""


def assert_rejected_and_twin_passes(
    store: Store, rule: str, code: str, failing: list[bytes], passing: list[bytes]
) -> None:
    """The failing sequence's last message is rejected with ``rule``, ``code`` in its retour; the twin passes."""
    status, findings, retour = verdict(store, failing)
    assert status is MessageStatus.REJECTED
    assert (rule, code) in findings, findings
    assert f">{code}<".encode() in retour
    status, findings, _ = verdict(store, passing)
    assert status is not MessageStatus.REJECTED, findings
    assert findings == []
