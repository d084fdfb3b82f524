"""Retour stage: deliver a message's retour back to its sender over the sender's route (GGk: a ggk_Du01).

One attempt per job, decided like the relay stage (:func:`workers.stages.relay.decide`): Bv03
delivered, a permanent refusal dead, the rest retried with backoff under the same budget. The
request carries its own Idempotency-Key (``<message id>.retour``), so a receiver that deduplicates
never mistakes it for the heenbericht.
"""

from __future__ import annotations

import time
from functools import partial

from gateway.contracts import Job
from gateway.ports import RetourStore
from gateway.relay import Deliverer, Outbound
from workers.loop import Commit, Handler
from workers.stages.relay import decide


def retour_handler(store: RetourStore, deliverer: Deliverer) -> Handler:
    """The handler of :attr:`Stage.RETOUR` jobs."""

    def run(job: Job) -> Commit:
        mid = job.message_id or ""
        todo = store.retour_to_send(mid)
        if todo is None or todo.retour is None or not todo.sender:
            return partial(store.skip, job)
        now = time.time()
        outbound = Outbound(
            f"{mid}.retour",
            todo.sender,
            todo.retour,
            todo.attempts + 1,
            kind="retour",
            refers_to=mid,
            meta={"referentienummer": todo.referentienummer or ""},
        )
        result = deliverer.deliver_outbound(outbound)
        first = todo.first_attempt_at if todo.first_attempt_at is not None else now
        decision = decide(
            result, attempts_before=todo.attempts, first_attempt_at=first, now=now, policy=deliverer.policy
        )
        return store.prepare_retour(job, decision)

    return run


__all__ = ["RetourStore", "retour_handler"]
