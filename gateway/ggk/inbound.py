"""GGk envelopes into the one intake: ggk_Di01 and ggk_Du01 carry iJw messages, a Fo01 reports on an earlier one.

The iJw message is unwrapped from ``parameters/bericht`` and taken in by
:func:`gateway.intake.prepare` exactly as ``POST /v1/berichten`` takes it, with the envelope's
zender and ontvanger organisatie as sender and receiver and its referentienummer as the
idempotency key: a resent envelope is the same message (the answer is Bv03 again), and the
verdict, the retour and the audit events are those of any other message. The answer is a Bv03
once the message is stored; an envelope error is a :class:`GgkRefusalError` (a Fo03 in a SOAP Fault),
and then nothing is stored.

A Fo01 names our ggk_Di01 by its referentienummer (``crossRefnummer``); it is recorded on that
message (:meth:`RemoteRefusals.record_remote_refusal`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import structlog
from lxml import etree

from gateway import intake
from gateway.errors import InputError
from gateway.ggk.envelope import (
    ACTION_FO01,
    Envelope,
    EnvelopeError,
    Party,
    bv03,
    expected_root,
    fo03,
    read_envelope,
    read_fo01,
)
from gateway.ggk.ijw import NotIjwError, read_ijw_header
from gateway.ggk.refs import message_ids_for
from gateway.model import MessageStatus
from gateway.ports import GgkStore, RemoteRefusals

log = structlog.get_logger("gateway.ggk")

KETENPOORT = "Ketenpoort"
UNKNOWN_REF = "onbekend"


class GgkRefusalError(InputError):
    """An envelope refused with a Fo03 (``fo03`` is the Fault's detail); nothing was stored."""

    def __init__(self, error: EnvelopeError, fo03: etree._Element) -> None:
        super().__init__(str(error))
        self.error = error
        self.fo03 = fo03


@dataclass(frozen=True, slots=True)
class Taken:
    """An accepted envelope: the Bv03 to answer and the message it became (None for a Fo01)."""

    bv03: etree._Element
    message_id: str | None
    created: bool


def refusal(
    error: EnvelopeError, *, zender: Party | None = None, ontvanger: Party | None = None, ref: str = ""
) -> GgkRefusalError:
    """The Fo03 for ``error``, answering the envelope of ``zender`` to ``ontvanger`` (from Ketenpoort)."""
    me = Party(ontvanger.organisatie if ontvanger else "", KETENPOORT)
    them = zender if zender is not None else Party("", "onbekend")
    return GgkRefusalError(error, fo03(error, zender=me, ontvanger=them, cross_ref=ref or UNKNOWN_REF))


def _refs(root: etree._Element) -> tuple[Party | None, Party | None, str]:
    """Whatever parties and referentienummer can be read from a refused envelope, for its Fo03."""
    stuf = "{http://www.egem.nl/StUF/StUF0301}"

    def party(tag: str) -> Party | None:
        node = root.find(f".//{stuf}{tag}")
        if node is None:
            return None
        organisatie = (node.findtext(f"{stuf}organisatie") or "").strip()[:200]
        return Party(organisatie, ((node.findtext(f"{stuf}applicatie") or "").strip() or "onbekend")[:50])

    ref = (root.findtext(f".//{stuf}referentienummer") or "").strip()[:40]
    return party("zender"), party("ontvanger"), ref


def take_in(
    store: GgkStore,
    root: etree._Element,
    action: str,
    *,
    max_bytes: int,
    may_send_as: Callable[[str], bool],
) -> Taken:
    """Take one GGk request body in; :class:`GgkRefusalError` for an envelope error (nothing stored then)."""
    try:
        if root.tag != expected_root(action):
            raise EnvelopeError("IB240", "de SOAPAction past niet bij het bericht in de Body")
        if action == ACTION_FO01:
            return _fo01(store, root)
        envelope = read_envelope(root, max_bytes)
        if not may_send_as(envelope.zender.organisatie):
            raise EnvelopeError("IB002", "de zendende organisatie is niet geautoriseerd")
        return _message(store, envelope, max_bytes)
    except EnvelopeError as exc:
        zender, ontvanger, ref = _refs(root)
        raise refusal(exc, zender=zender, ontvanger=ontvanger, ref=ref) from None


def _answer(zender: Party, ontvanger: Party, ref: str) -> etree._Element:
    """The Bv03 for the envelope from ``zender`` to ``ontvanger`` with referentienummer ``ref``."""
    return bv03(zender=Party(ontvanger.organisatie, KETENPOORT), ontvanger=zender, cross_ref=ref)


def _message(store: GgkStore, envelope: Envelope, max_bytes: int) -> Taken:
    try:
        header = read_ijw_header(envelope.payload, max_bytes)
    except NotIjwError:
        raise EnvelopeError("StUF055", "parameters/bericht bevat geen iJw-bericht") from None
    if header.functie != envelope.functie.upper():
        raise EnvelopeError("IB240", f"functie {envelope.functie!r} past niet bij het bericht ({header.functie})")
    record = intake.prepare(
        envelope.payload,
        sender=envelope.zender.organisatie,
        receiver=envelope.ontvanger.organisatie,
        idempotency_key=envelope.referentienummer,
        source="ggk",
        max_bytes=max_bytes,
    )
    if record.status is MessageStatus.REJECTED:  # not acceptable XML: refused like /v1/berichten's 400
        raise EnvelopeError("StUF055", "parameters/bericht is geen acceptabel XML-document")
    result = store.intake(record)
    log.info("ggk.received", message_id=result.message_id, berichtcode=envelope.berichtcode, created=result.created)
    answer = _answer(envelope.zender, envelope.ontvanger, envelope.referentienummer)
    return Taken(answer, str(result.message_id), result.created)


def _fo01(store: GgkStore, root: etree._Element) -> Taken:
    report = read_fo01(root)
    mid = store.record_remote_refusal(
        message_ids_for(report.cross_ref), channel="ggk", code=report.code, text=report.omschrijving
    )
    if mid is None:
        log.warning("ggk.fo01_unmatched", code=report.code)
    else:
        log.info("ggk.fo01_recorded", message_id=mid, code=report.code)
    return Taken(_answer(report.zender, report.ontvanger, report.referentienummer), mid, False)


__all__ = ["GgkRefusalError", "GgkStore", "RemoteRefusals", "Taken", "refusal", "take_in"]
