"""Intake reads sender, receiver, kind and external id from a safe parse; refused bytes are kept as rejected."""

from __future__ import annotations

import hashlib
import random

from lxml import etree

from gateway.generate.stuf import STUF_DI01_ROOTS, generate_di01
from gateway.intake import IntakeRecord, SubmitResult, prepare, submit
from gateway.model import MessageStatus
from tests.support.reference import reference_path


class DictStore:
    """The smallest store honouring the intake contract: one message per (sender, external id)."""

    def __init__(self) -> None:
        self.rows: dict[str, IntakeRecord] = {}
        self.by_key: dict[tuple[str, str], str] = {}

    def intake(self, record: IntakeRecord) -> SubmitResult:
        key = record.dedup_key
        if key is not None and key in self.by_key:
            return SubmitResult(self.by_key[key], MessageStatus.DUPLICATE, False, retour=record.duplicate_retour)
        message_id = f"m{len(self.rows)}"
        self.rows[message_id] = record
        if key is not None:
            self.by_key[key] = message_id
        return SubmitResult(message_id, record.status, True, record.findings)


def test_stuf_header_is_read_and_a_duplicate_retour_carries_stuf016() -> None:
    root_name = next(iter(STUF_DI01_ROOTS))
    zender, referentie, data = generate_di01(root_name, random.Random(7), sequence=3)
    record = prepare(data, sender=None)
    assert record.status is MessageStatus.RECEIVED
    assert record.standard == "stuf-jz"
    assert record.message_type is not None and record.message_type.endswith("Di01")
    assert (record.sender, record.external_id) == (zender, referentie)
    assert record.payload_sha256 == hashlib.sha256(data).hexdigest()
    assert record.duplicate_retour is not None
    fo03 = etree.fromstring(record.duplicate_retour)
    assert etree.QName(fo03).localname == "Fo03Bericht"
    assert b"StUF016" in record.duplicate_retour


def test_ijw_example_gets_its_bericht_identificatie_and_explicit_sender_wins() -> None:
    data = reference_path("ijw-3.2", "berichten", "JW315.xml").read_bytes()
    record = prepare(data, sender="AGB-authenticated")
    assert record.standard == "ijw"
    assert record.message_type == "JW315"
    assert record.sender == "AGB-authenticated"
    assert record.external_id is not None and record.external_id in data.decode()
    assert record.duplicate_retour is None


def test_malformed_and_doctype_documents_are_kept_as_rejected_with_their_finding() -> None:
    for data, expected in ((b"<a><b></a>", "not well-formed"), (b'<!DOCTYPE a [<!ENTITY x "y">]><a/>', "DTD")):
        record = prepare(data, sender="s1")
        assert record.status is MessageStatus.REJECTED
        assert record.payload == data
        assert len(record.findings) == 1 and expected in record.findings[0].message
        assert record.dedup_key is None


def test_submit_is_idempotent_per_sender_and_external_id() -> None:
    _, _, data = generate_di01(next(iter(STUF_DI01_ROOTS)), random.Random(1), sequence=1)
    store = DictStore()
    first = submit(store, data, sender=None)
    again = submit(store, data, sender=None)
    assert first.created and not again.created
    assert again.message_id == first.message_id
    assert again.status is MessageStatus.DUPLICATE and again.retour is not None and b"StUF016" in again.retour
    assert len(store.rows) == 1


def test_unknown_root_is_received_for_the_validate_stage_to_judge() -> None:
    record = prepare(b"<onbekend xmlns='urn:x'/>", sender="s")
    assert record.status is MessageStatus.RECEIVED and record.standard is None
