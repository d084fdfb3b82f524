"""Intake: turn raw bytes from a sender into one stored message and its first job, safely.

The header is read from a safe parse (:mod:`gateway.xmlsafe`); nothing is validated here
beyond well-formedness, that is the validate stage's job. A document that cannot be parsed
is still stored, as ``rejected`` with its finding and no job, so nothing handed to us is lost.

The store is reached through :class:`IntakeStore`, one method called in one transaction:
the store decides whether the record's key (:attr:`IntakeRecord.dedup_key`, or the sender's
Idempotency-Key) was seen before. The same key with the same bytes is a duplicate: no new message,
the answer names the first (StUF: with ``duplicate_retour``, an Fo03 with StUF016). The same iJw key
with other bytes is stored as a new message marked ``resend_of`` the first, which the validate
stage rejects with TR056 (retourcode 9056).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace

from lxml import etree

from gateway.bounds import Bounds
from gateway.config import MAX_MESSAGE_BYTES
from gateway.metrics import count_findings
from gateway.model import Finding, MessageStatus, Standard
from gateway.ports import BatchIntakeStore, IntakeStore
from gateway.schemas import SchemaRegistry, ijw_entry, registry_for
from gateway.standards import read_header
from gateway.xmlsafe import DocumentRefusedError, parse


@dataclass(frozen=True, slots=True)
class IntakeRecord:
    """Everything the store needs to write the message row and decide on its first job."""

    payload: bytes
    payload_sha256: str
    sender: str | None
    receiver: str | None
    standard: str | None
    message_type: str | None
    version: str | None
    external_id: str | None
    idempotency_key: str | None
    source: str
    status: MessageStatus
    findings: tuple[Finding, ...] = ()
    duplicate_retour: bytes | None = None

    @property
    def dedup_key(self) -> tuple[str, str, str] | None:
        """What makes a resubmission the same message; None when unknown.

        iJw: (sender, message type, identification): a retour carries its heenbericht's header and a
        JW307 may reuse its JW305's identification, so the type is part of the key. StUF-Jeugdzorg:
        (zender, referentienummer) whatever the type, the key StUF016 speaks of.
        """
        if self.sender is None or self.external_id is None:
            return None
        kind = "" if self.standard == Standard.STUF_JZ else (self.message_type or "")
        return (self.sender, kind, self.external_id)


@dataclass(frozen=True, slots=True)
class SubmitResult:
    """What happened to one submitted document."""

    message_id: str
    status: MessageStatus
    created: bool
    findings: tuple[Finding, ...] = field(default=())
    retour: bytes | None = None
    duplicate_of: str | None = None
    """For a duplicate (same key, same bytes): the first message, which is also ``message_id``."""
    resend_of: str | None = None
    """For a changed resend (same key, other bytes; iJw: rejected by TR056): the first message."""


DuplicateRetour = Callable[[etree._Element], bytes]


def _stuf_duplicate_retour() -> DuplicateRetour | None:
    """The retour helper's StUF016 builder, when that package is part of this build."""
    try:
        from gateway.retour import stuf_duplicate_fo03
    except ImportError:  # pragma: no cover - the retour package ships with the gateway
        return None
    return stuf_duplicate_fo03


def prepare(
    payload: bytes,
    *,
    sender: str | None,
    idempotency_key: str | None = None,
    source: str = "cli",
    max_bytes: int = MAX_MESSAGE_BYTES,
    registry: SchemaRegistry | None = None,
    bounds: Bounds | None = None,
    receiver: str | None = None,
) -> IntakeRecord:
    """Read what intake needs from ``payload``; never raises for bad input (``bounds``: see gateway.bounds).

    ``sender`` and ``receiver``, when given, are the parties an inbound channel's envelope named
    (GGk stuurgegevens, CORV's): they win over the message header's, and routing follows them.
    ``source`` names the channel it came in on (``api``, ``cli``, ``ggk``, ``corv``, ``vsp``).
    """
    unread = IntakeRecord(  # what is known before the header is read
        payload=payload,
        payload_sha256=hashlib.sha256(payload).hexdigest(),
        sender=sender,
        receiver=receiver,
        standard=None,
        message_type=None,
        version=None,
        external_id=None,
        idempotency_key=idempotency_key,
        source=source,
        status=MessageStatus.RECEIVED,
    )
    try:
        root = parse(payload, max_bytes, bounds)
    except DocumentRefusedError as exc:
        count_findings((exc.finding,))  # refused here, so the validate stage never sees it
        return replace(unread, status=MessageStatus.REJECTED, findings=(exc.finding,))
    qname = etree.QName(root)
    namespace, local = qname.namespace or "", qname.localname
    entry = ijw_entry(namespace, local) if registry is None else None  # iJw: no look for a StUF-JZ install
    if entry is None:
        entry = (registry if registry is not None else registry_for()).lookup(namespace, local)
    if entry is None:  # unknown root: the validate stage gives it its finding and retour
        return unread
    kind = entry.kind
    header = read_header(root, kind)
    duplicate_retour: bytes | None = None
    if kind.standard is Standard.STUF_JZ and kind.message_type.endswith("Di01"):
        builder = _stuf_duplicate_retour()
        duplicate_retour = builder(root) if builder is not None else None
    return replace(
        unread,
        sender=sender if sender is not None else header.sender,
        receiver=receiver if receiver is not None else header.receiver,
        standard=str(kind.standard),
        message_type=kind.message_type,
        version=kind.version,
        external_id=header.external_id,
        duplicate_retour=duplicate_retour,
    )


def submit(
    store: IntakeStore,
    payload: bytes,
    *,
    sender: str | None,
    idempotency_key: str | None = None,
    source: str = "cli",
    max_bytes: int = MAX_MESSAGE_BYTES,
) -> SubmitResult:
    """Store one document and its first job in one transaction; the API and the CLI both call this."""
    record = prepare(payload, sender=sender, idempotency_key=idempotency_key, source=source, max_bytes=max_bytes)
    return store.intake(record)


def submit_many(
    store: BatchIntakeStore,
    payloads: Iterable[bytes],
    *,
    sender: str | None,
    source: str = "cli",
    max_bytes: int = MAX_MESSAGE_BYTES,
    batch: int = 200,
) -> Iterator[SubmitResult]:
    """Store many documents, ``batch`` per commit (a commit is a disk flush), yielding a result per document.

    Each result is yielded once its batch is committed; a crash loses at most the uncommitted batch,
    whose documents the caller has not been told about yet.
    """
    chunk: list[IntakeRecord] = []
    for payload in payloads:
        chunk.append(prepare(payload, sender=sender, source=source, max_bytes=max_bytes))
        if len(chunk) >= batch:
            yield from store.intake_many(chunk)
            chunk = []
    if chunk:
        yield from store.intake_many(chunk)


__all__ = ["BatchIntakeStore", "IntakeRecord", "IntakeStore", "SubmitResult", "prepare", "submit", "submit_many"]
