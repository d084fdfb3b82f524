"""The ports: every interface the core needs of the world outside it, in one leaf module.

The pipeline, the rules, the API and the workers reach the store, the relay's transport and
the clock only through these Protocols. :class:`gateway.store.Store` (SQLite, PostgreSQL) and
:class:`gateway.store.memory.MemoryStore` implement the store ports; a test checks that both
satisfy them (mypy does too, wherever a store is passed as one of them).

This module imports nothing from the package at run time: the value types its signatures name
(jobs, findings, facts, views) are imported for the type checker only, so any layer may depend
on a port without depending on what implements it (``tests/test_ports.py`` proves it in a fresh
interpreter; import-linter's layers contract ignores exactly these annotation-only imports).

Groups:

* time: :class:`Clock`;
* intake and the queue: :class:`IntakeStore`, :class:`BatchIntakeStore`, :class:`WriteBatch`,
  :class:`JobQueue`, :class:`PipelineStore`, :class:`RetourStore`, :class:`RetentionStore`,
  :class:`RemoteRefusals`, :class:`GgkStore`;
* the read side (API, dashboard, CLI): :class:`ReadStore`, :class:`OperatorStore`;
* the rules' message history: :class:`MessageHistory` and its optional extensions
  :class:`TariefHistory`, :class:`ClientToewijzingHistory`, :class:`DeclaratieHistory`,
  :class:`DeclaratieXsdHistory`, :class:`ReferentieHistory`;
* the relay's transport: :class:`Poster`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import date, datetime
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    import httpx

    from gateway.audit import VerifyResult
    from gateway.contracts import Job, RelayDecision, RetourToSend, StoredMessage
    from gateway.facts import Fact, FactKind
    from gateway.intake import IntakeRecord, SubmitResult
    from gateway.model import Finding, MessageStatus, Stage
    from gateway.relay.transport import Answer, Timeouts
    from gateway.rules.context import EerderePrestatie, PrestatieSleutel, Regieregel, ToegewezenProduct
    from gateway.rules.referentie_context import Referentie
    from gateway.store.views import AuditView, DeliveryView, MessageView
    from gateway.tarieven import Tarief

Commit = Callable[[], None]
"""The second half of a prepared write: records what was prepared (see :meth:`PipelineStore.prepare_validate`)."""


# -- time ---------------------------------------------------------------------------------------


class Clock(Protocol):
    """Where the store reads the time: epoch seconds. The :mod:`time` module is one; tests inject a fake."""

    def time(self) -> float:
        """Seconds since the epoch, now."""
        ...


# -- intake and the queue -----------------------------------------------------------------------


class IntakeStore(Protocol):
    """The store operation intake needs."""

    def intake(self, record: IntakeRecord) -> SubmitResult:
        """Store ``record`` and its first job in one transaction, or return the earlier message."""
        ...


class BatchIntakeStore(IntakeStore, Protocol):
    """A store that can take many records with one commit."""

    def intake_many(self, records: Sequence[IntakeRecord]) -> list[SubmitResult]:
        """Store ``records`` (each as :meth:`intake` would) with one durable commit."""
        ...


class WriteBatch(Protocol):
    """A group commit in progress (see :meth:`JobQueue.batch`)."""

    def flush(self) -> None:
        """Commit what was written so far."""
        ...


class JobQueue(Protocol):
    """The queue operations the worker loop needs."""

    def claim_many(self, stages: Sequence[Stage], worker_id: str, lease_s: float, limit: int) -> list[Job]:
        """Lease up to ``limit`` due jobs of ``stages``, oldest due first; empty when none is due."""
        ...

    def batch(self) -> AbstractContextManager[WriteBatch]:
        """Within the block, this thread's writes share one transaction, committed on leaving or flush."""
        ...

    def release(self, jobs: Sequence[Job]) -> None:
        """Give back claimed jobs that were not run (their leases end now); done jobs are left alone."""
        ...

    def hold_back(self, jobs: Sequence[Job]) -> list[Job]:
        """Those of these claimed jobs that must wait for an earlier job of their conversation (deferred now)."""
        ...

    def fail(self, job: Job, error: str, delay_s: float) -> None:
        """Give the job back after an unexpected error, to run again after ``delay_s``."""
        ...

    def bury(self, job: Job, error: str) -> None:
        """The job's stage failed too often: finish the job and put its message in the dead-letter queue."""
        ...


class PipelineStore(IntakeStore, JobQueue, Protocol):
    """The store operations the pipeline's stages need beyond intake and the queue."""

    def message(self, message_id: str) -> StoredMessage | None:
        """The message a job is about."""
        ...

    def messages(self, message_ids: Sequence[str]) -> dict[str, StoredMessage]:
        """The messages of a batch of jobs, by id (the ones that exist)."""
        ...

    def payload_sizes(self, message_ids: Sequence[str]) -> dict[str, int]:
        """The payload sizes of these messages, by id (the ones that exist), without reading the payloads."""
        ...

    def history(self) -> MessageHistory | None:
        """Earlier messages, for berichtoverstijgende rules."""
        ...

    def prepare_validate(
        self,
        job: Job,
        status: MessageStatus,
        findings: Sequence[Finding],
        retour: bytes | None,
        facts: Sequence[Fact] | None = None,
        *,
        counts: Mapping[str, int] | None = None,
        retour_job: bool = False,
    ) -> Commit:
        """Prepare the verdict's writes now (no lock needed); the returned call records the verdict and retour:
        accepted → a map job, or with ``facts`` (mapped already) a relay job; with ``retour_job`` and a
        retour, also a retour job (the retour goes back to the sender). ``counts``: every finding per
        rule or XSD error type, when ``findings`` holds only the first of them (see gateway.findings)."""
        ...

    def finish_map(self, job: Job, facts: Sequence[Fact]) -> None:
        """Keep the facts; → a relay job."""
        ...

    def prepare_relay(self, job: Job, decision: RelayDecision) -> Commit:
        """Prepare the attempt's writes now (no lock needed); the returned call records it (delivery row):
        delivered, dead, or the job again after ``decision.delay_s``."""
        ...

    def skip(self, job: Job) -> None:
        """Finish a job whose message already moved on."""
        ...


class RetourStore(Protocol):
    """What the retour stage needs of the store."""

    def retour_to_send(self, message_id: str) -> RetourToSend | None:
        """The retour and its earlier attempts."""
        ...

    def prepare_retour(self, job: Job, decision: RelayDecision) -> Commit:
        """The writes of one attempt."""
        ...

    def skip(self, job: Job) -> None:
        """Finish a job that has nothing to do."""
        ...


@runtime_checkable
class RetentionStore(Protocol):
    """What the retention stage needs of the store."""

    def purge(self, payload_before: datetime, metadata_before: datetime, *, refused_before: datetime) -> object:
        """Drop payloads of messages delivered (refused) before their horizon, metadata before the second."""
        ...

    def finish_retention(self, job: Job) -> None:
        """Finish the retention job and schedule the next run."""
        ...


class RemoteRefusals(Protocol):
    """The store operation a partner's Fo01 needs."""

    def record_remote_refusal(self, candidates: Sequence[str], *, channel: str, code: str, text: str) -> str | None:
        """Record the refusal on the existing one of ``candidates``; its id or None."""
        ...


class GgkStore(IntakeStore, RemoteRefusals, Protocol):
    """What the GGk endpoint needs of the store."""


class CorvStore(IntakeStore, Protocol):
    """What the CORV endpoint needs of the store: intake, and the first message a duplicate names."""

    def get_message(self, message_id: str) -> MessageView | None:
        """One message's view, or None."""
        ...


# -- the read side ------------------------------------------------------------------------------


class ReadStore(Protocol):
    """What the API, the dashboard and the CLI read: messages, their trail, counts and facts."""

    def get_message(self, message_id: str) -> MessageView | None:
        """One message's view, or None."""
        ...

    def list_messages(
        self,
        *,
        parties: Collection[str] | None = None,
        status: MessageStatus | str | None = None,
        since: datetime | None = None,
        cursor: str | None = None,
        limit: int = 50,
    ) -> tuple[list[MessageView], str | None]:
        """One keyset page, newest first, and the next cursor."""
        ...

    def audit_events(self, message_id: str) -> list[AuditView]:
        """The message's audit trail, oldest first."""
        ...

    def deliveries(self, message_id: str) -> list[DeliveryView]:
        """The message's delivery attempts, oldest first."""
        ...

    def dead_letters(self, limit: int = 1000) -> list[MessageView]:
        """The dead-letter queue, newest first."""
        ...

    def status_counts(self) -> dict[str, int]:
        """Messages per status."""
        ...

    def job_counts(self) -> dict[str, int]:
        """Jobs due, waiting and leased."""
        ...

    def throughput(self, bucket: str = "minute", *, periods: int = 60) -> list[tuple[str, int]]:
        """Messages received per ``bucket`` over the last ``periods``."""
        ...

    def iter_facts(
        self,
        *,
        gemeente: str | None = None,
        aanbieder: str | None = None,
        kind: FactKind | None = None,
        since: date | None = None,
        until: date | None = None,
        batch: int = 5000,
    ) -> Iterator[Fact]:
        """The facts kept by the map stage, filtered, streamed."""
        ...

    def facts_of(self, message_id: str) -> list[Fact]:
        """The facts of one message."""
        ...

    def verify_audit(self) -> VerifyResult:
        """Verify the whole audit chain."""
        ...

    def migrations_current(self) -> bool:
        """True when the schema is at the packaged head."""
        ...


class OperatorStore(ReadStore, Protocol):
    """The read side plus what an operator may change: replaying dead letters."""

    def replay(self, message_id: str, *, actor: str) -> None:
        """Run a dead message's failed stage again."""
        ...

    def replay_all(self, *, actor: str) -> list[str]:
        """Replay every dead letter; their ids."""
        ...


# -- the rules' message history -----------------------------------------------------------------


@runtime_checkable
class MessageHistory(Protocol):
    """Earlier messages, as the berichtoverstijgende rules need them (implemented by the store).

    ``exclude_message_id`` is the store's id of the message being checked, so that a message
    that is already stored does not collide with itself.
    """

    def seen_identificatie(
        self,
        sender: str,
        identificatie: str,
        exclude_message_id: str | None,
        *,
        message_type: str | None = None,
    ) -> bool:
        """TR056: has ``sender`` sent a message (of ``message_type``) with this Identificatie before?"""
        ...

    def seen_declaratienummer(self, aanbieder: str, declaratienummer: str, exclude_message_id: str | None) -> bool:
        """TR333: has ``aanbieder`` sent a declaration with this DeclaratieNummer before?"""
        ...

    def client_key(self, bsn: str) -> str:
        """The key under which the store files a client (e.g. its pseudonym), for TR304."""
        ...

    def toegewezen_producten(
        self, gemeente: str, aanbieder: str, toewijzingnummers: Collection[str]
    ) -> Mapping[str, ToegewezenProduct]:
        """The current toegewezen products with these ToewijzingNummers; unknown ones are absent."""
        ...

    def eerdere_prestaties(
        self, aanbieder: str, referentienummers: Collection[str], exclude_message_id: str | None
    ) -> Mapping[str, EerderePrestatie]:
        """Earlier Prestaties of ``aanbieder`` with these ReferentieNummers; unknown ones are absent."""
        ...

    def regieregels(self, gemeente: str, aanbieder: str, toewijzingnummers: Collection[str],
                    exclude_message_id: str | None) -> Sequence[Regieregel]:  # fmt: skip
        """TR063..TR415: the earlier starts and stops on these ToewijzingNummers, in the order received."""
        ...

    def open_debetten(
        self, aanbieder: str, sleutels: Collection[PrestatieSleutel], exclude_message_id: str | None
    ) -> Collection[PrestatieSleutel]:
        """TR389: those ``sleutels`` for which an earlier debet Prestatie exists that is not credited."""
        ...


@runtime_checkable
class TariefHistory(Protocol):
    """TR418: the contract tariffs a store holds per gemeente (an optional extension of a history)."""

    def contract_tarieven(self, gemeente: str, aanbieder: str) -> Sequence[Tarief] | None:
        """The gemeente's tariffs for ``aanbieder`` ([] if none); None when the gemeente has no tariff table."""
        ...


@runtime_checkable
class ClientToewijzingHistory(Protocol):
    """TR349 and TR373: every toewijzing of one client (an optional extension of a history).

    A history without it (a hand-fed one in a test) switches those rules off rather than guessing.
    """

    def client_key(self, bsn: str) -> str:
        """The key under which the store files a client."""
        ...

    def toewijzingen_van_client(self, gemeente: str, aanbieder: str, client: str) -> Sequence[ToegewezenProduct]:
        """The current state of every toegewezen product of ``client`` (a store key) from ``gemeente`` to
        ``aanbieder``, one per ToewijzingNummer, in ToewijzingNummer order."""
        ...


@runtime_checkable
class DeclaratieHistory(Protocol):
    """TR318 and TR385: what an aanbieder declared earlier (an optional extension of a history)."""

    def gedeclareerde_toewijzingen(
        self, gemeente: str, aanbieder: str, toewijzingnummers: Collection[str], exclude_message_id: str | None
    ) -> Collection[str]:
        """TR385: those ``toewijzingnummers`` with a debet Prestatie from an accepted JW323 that no credit
        Prestatie with the same key (product and ProductPeriode) has cancelled."""
        ...

    def laatste_productperiode(
        self, gemeente: str, aanbieder: str, ontvangen_tot: date, exclude_message_id: str | None
    ) -> date | None:
        """TR318: the latest ProductPeriode Einddatum in the accepted JW323s of ``aanbieder`` to ``gemeente``
        that the gateway received on or before ``ontvangen_tot``; None when there are none."""
        ...


@runtime_checkable
class DeclaratieXsdHistory(Protocol):
    """TR371: the XsdVersie of an earlier declaratie (an optional extension of a history)."""

    def declaratie_xsd_versie(
        self, aanbieder: str, identificatie: str, exclude_message_id: str | None
    ) -> tuple[str | None, str | None] | None:
        """(BasisschemaXsdVersie, BerichtXsdVersie) of the earlier, not rejected JW323 of ``aanbieder`` with this
        Identificatie; None when there is none, None inside for what intake could not read (unknown)."""
        ...


@runtime_checkable
class ReferentieHistory(Protocol):
    """The look-up the verzoek/antwoord rules need (an optional extension of a history)."""

    def client_key(self, bsn: str) -> str:
        """The key under which the store files a client."""
        ...

    def referenties(
        self, aanbieder: str, referenties: Collection[str], clients: Collection[str], exclude_message_id: str | None
    ) -> Sequence[Referentie]:
        """Earlier parts of ``aanbieder`` with these ReferentieAanbieders, and earlier verzoeken for these
        clients with what answered them (antwoorden, toewijzingen with their referentie), oldest first."""
        ...


# -- the relay's transport ----------------------------------------------------------------------


class Poster(Protocol):
    """POSTs a body and gives back the answer; failures are httpx's exception types."""

    def post(self, url: httpx.URL, body: bytes, headers: Sequence[tuple[str, str]], timeouts: Timeouts) -> Answer:
        """Send ``body`` to ``url`` with ``headers`` (Host and Content-Length are added)."""
        ...

    def close(self) -> None:
        """Close the connections kept alive."""
        ...


__all__ = [
    "BatchIntakeStore",
    "ClientToewijzingHistory",
    "Clock",
    "Commit",
    "CorvStore",
    "DeclaratieHistory",
    "DeclaratieXsdHistory",
    "GgkStore",
    "IntakeStore",
    "JobQueue",
    "MessageHistory",
    "OperatorStore",
    "PipelineStore",
    "Poster",
    "ReadStore",
    "ReferentieHistory",
    "RemoteRefusals",
    "RetentionStore",
    "RetourStore",
    "TariefHistory",
    "WriteBatch",
]
