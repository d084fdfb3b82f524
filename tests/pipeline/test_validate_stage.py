"""The validate stage accepts a valid message with its Bv03, rejects a faulty one with an Fo03 and its findings."""

from __future__ import annotations

import random

from lxml import etree

from gateway.generate.stuf import STUF_DI01_ROOTS, generate_di01
from gateway.model import MessageStatus
from workers.stages.validate import validate_payload


def test_valid_stuf_di01_is_accepted_with_a_bv03() -> None:
    _, _, data = generate_di01(next(iter(STUF_DI01_ROOTS)), random.Random(5), sequence=1)
    outcome = validate_payload(data)
    assert outcome.status is MessageStatus.ACCEPTED, outcome.findings
    assert outcome.findings == ()
    assert outcome.retour is not None and etree.QName(etree.fromstring(outcome.retour)).localname == "Bv03Bericht"


def test_schema_violation_is_rejected_with_findings_and_an_fo03() -> None:
    _, _, data = generate_di01(next(iter(STUF_DI01_ROOTS)), random.Random(5), sequence=2)
    root = etree.fromstring(data)
    stuur = root.find("{*}stuurgegevens")
    assert stuur is not None
    stuur.append(etree.Element("{http://www.egem.nl/StUF/StUF0301}onbekend"))
    outcome = validate_payload(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    assert outcome.status is MessageStatus.REJECTED
    assert outcome.findings and outcome.findings[0].kind == "xsd"
    assert outcome.retour is not None and b"Fo03" in outcome.retour


def test_malformed_payload_is_rejected_without_a_retour() -> None:
    outcome = validate_payload(b"<a>")
    assert outcome.status is MessageStatus.REJECTED and outcome.findings[0].kind == "xml"
    assert outcome.retour is None
