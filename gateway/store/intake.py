"""Intake: a record becomes a stored message and its first job in one transaction, or answers as a duplicate.

The same key with the same bytes is a duplicate (no new message; the first is named). The same
iJw key with other bytes is a message of its own, marked ``resend_of`` the first, which the
validate stage rejects with TR056. Two intakes of one key at once: the loser's insert breaks the
unique index, and it answers with the winner's message.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from gateway.errors import StoreConflictError
from gateway.intake import IntakeRecord, SubmitResult
from gateway.model import MessageStatus, Stage, Standard
from gateway.store import statements as st
from gateway.store.database import Database
from gateway.store.ids import new_id
from gateway.store.text import MAX_RULES_IN_EVENT, finding_json
from gateway.store.tx import Tx
from gateway.store.xsd_versie import xsd_versie

_DECLARATIENUMMER = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?DeclaratieNummer>\s*([^<\s]{1,64})\s*</")


def declaratienummer(record: IntakeRecord) -> str | None:
    """The DeclaratieNummer of a JW323 (the first one, near the top), read without parsing the whole document."""
    if record.message_type != "JW323":
        return None
    found = _DECLARATIENUMMER.search(record.payload)
    return found.group(1).decode("utf-8", "replace") if found else None


class Intake:
    """:meth:`intake` and :meth:`intake_many`."""

    def __init__(self, db: Database) -> None:
        """Over ``db``."""
        self._db = db

    def intake(self, record: IntakeRecord) -> SubmitResult:
        """Store ``record`` and its first job in one transaction, or answer with the earlier message."""
        try:
            return self._intake_once(record)
        except StoreConflictError:  # a concurrent intake of the same key committed first: answer with it
            return self._intake_once(record)

    def intake_many(self, records: Sequence[IntakeRecord]) -> list[SubmitResult]:
        """Store ``records`` with one durable commit (each under its own savepoint); a batch submit uses this.

        A later record with the same key and bytes as an earlier one in the batch is its duplicate.
        """
        with self._db.batch():
            return [self.intake(record) for record in records]

    @staticmethod
    def _first_sending(tx: Tx, record: IntakeRecord) -> tuple[str, bool] | None:
        """The first message with the record's key, else with its (sender, Idempotency-Key); and is this a duplicate.

        A duplicate has the same bytes; for StUF also any message with the same (zender, referentienummer),
        which StUF016 answers. Otherwise the record is a changed resend of the message found.
        """
        key = record.dedup_key
        lookups: list[tuple[Any, dict[str, Any], bool]] = []
        if key is not None:
            sender, kind, value = key
            if record.standard == Standard.STUF_JZ:
                lookups.append((st.BY_STUF_REFERENTIE, {"b_sender": sender, "b_value": value}, True))
            else:
                lookups.append((st.BY_EXTERNAL_ID, {"b_sender": sender, "b_type": kind, "b_value": value}, False))
        if record.sender is not None and record.idempotency_key is not None:
            params = {"b_sender": record.sender, "b_value": record.idempotency_key}
            lookups.append((st.BY_IDEMPOTENCY_KEY, params, False))
        for statement, params, always_duplicate in lookups:
            found = tx.execute(statement, params).first()
            if found is not None:
                return str(found.id), always_duplicate or found.payload_sha256 == record.payload_sha256
        return None

    def _intake_once(self, record: IntakeRecord) -> SubmitResult:
        with self._db.write() as tx:
            first = self._first_sending(tx, record)
            resend_of: str | None = None
            if first is not None:
                first_id, duplicate = first
                if duplicate:
                    data = {"source": record.source, "sha256": record.payload_sha256}
                    tx.audit("message.duplicate", first_id, data=data)
                    return SubmitResult(
                        first_id, MessageStatus.DUPLICATE, False, retour=record.duplicate_retour, duplicate_of=first_id
                    )
                resend_of = first_id  # same key, other bytes: a message of its own, which TR056 rejects
            mid = new_id(int(tx.wall * 1000))
            basisschema_xsd, bericht_xsd = xsd_versie(record)
            tx.execute(
                st.INSERT_MESSAGE,
                {
                    "id": mid,
                    "sender": record.sender,
                    "receiver": record.receiver,
                    "standard": record.standard,
                    "type": record.message_type,
                    "version": record.version,
                    "external_id": record.external_id,
                    "idempotency_key": record.idempotency_key,
                    "source": record.source,
                    "status": str(record.status),
                    "payload": record.payload,
                    "payload_sha256": record.payload_sha256,
                    "payload_size": len(record.payload),
                    "declaratienummer": declaratienummer(record),
                    "resend_of": resend_of,
                    "basisschema_xsd": basisschema_xsd,
                    "bericht_xsd": bericht_xsd,
                    "findings": [finding_json(f) for f in record.findings],
                    "relay_attempts": 0,
                    "received_at": tx.now,
                    "updated_at": tx.now,
                },
            )
            if record.status is MessageStatus.RECEIVED:
                tx.enqueue(Stage.VALIDATE, mid)
            event: dict[str, Any] = {
                "sender": record.sender,
                "receiver": record.receiver,
                "type": record.message_type,
                "external_id": record.external_id,
                "source": record.source,
                "sha256": record.payload_sha256,
                "size": len(record.payload),
                "findings": [f.rule or f.kind for f in record.findings][:MAX_RULES_IN_EVENT],
            }
            if resend_of is not None:
                event["resend_of"] = resend_of
            tx.audit(f"message.{record.status}", mid, data=event)
            return SubmitResult(mid, record.status, True, tuple(record.findings), resend_of=resend_of)


__all__ = ["Intake", "declaratienummer"]
