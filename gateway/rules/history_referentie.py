"""Berichtoverstijgende rules on ReferentieAanbieder: verzoeken (JW315/JW317), antwoorden (JW319), toewijzingen (JW301).

One batched :meth:`ReferentieHistory.referenties` look-up per message, for the message's aanbieder
(the Afzender of a verzoek, the Ontvanger of an antwoord or toewijzing). A verzoek is
"onderhanden" (TR374) until an antwoord with VerzoekAntwoord 1 (afgewezen) or a toewijzing with its
ReferentieAanbieder came (TR374's toelichting). Only the messages the gateway accepted count; a
gateway that starts mid-stream does not know the verzoeken sent before it, so TR355 and TR379 refuse
their answers until the history covers them (as TR019 and TR382 do for starts and stops).

Scope choices: TR347 holds per aanbieder over all gemeenten ("uniek voor de aanbieder binnen het
wettelijk domein"); TR374 per aanbieder and gemeente (the verzoek and what closes it go between the
two); TR379 checks what can be known: a filled ReferentieAanbieder on a ToewijzingNummer the aanbieder
had not been sent before must be that of an earlier verzoek of this aanbieder to this gemeente.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from lxml import etree

from gateway.mapping.tables import normalise_gemeente
from gateway.ports import ReferentieHistory
from gateway.rules.referentie_context import ANTWOORD, TOEWIJZING, VERZOEK, Referentie
from gateway.rules.registry import Doc, Violation, child_or, rule, text

VERZOEKEN = ("JW315", "JW317")
AFGEWEZEN, IN_ONDERZOEK = "1", "2"


def _gemeente(code: str | None) -> str:
    try:
        return normalise_gemeente(code or "")
    except ValueError:
        return code or ""


@dataclass(frozen=True, slots=True)
class _Own:
    """One ReferentieAanbieder of the message being checked, with its element and client key."""

    element: etree._Element
    referentie: str
    client: str


@dataclass(frozen=True, slots=True)
class _View:
    """The message's own referenties and the history found for them."""

    aanbieder: str
    gemeente: str
    own: tuple[_Own, ...]
    earlier: tuple[Referentie, ...]

    def of(self, referentie: str, *soort: str) -> list[Referentie]:
        """Earlier parts with this ReferentieAanbieder (of these kinds), oldest first."""
        return [r for r in self.earlier if r.referentie == referentie and r.soort in soort]


def _history(doc: Doc) -> ReferentieHistory | None:
    history = doc.context.history
    return history if isinstance(history, ReferentieHistory) else None


def _own(doc: Doc, history: ReferentieHistory) -> list[_Own]:
    message_type = doc.kind.message_type
    if message_type == "JW319":
        return [_Own(el, ref, "") for el in doc.iter("Antwoord") if (ref := text(el, "ReferentieAanbieder"))]
    item = {"JW315": "AangevraagdProduct", "JW317": "Verzoek", "JW301": "ToegewezenProduct"}[message_type]
    out: list[_Own] = []
    for client in doc.iter("Client"):
        bsn = text(client, "Bsn")
        key = history.client_key(bsn) if bsn else ""
        for el in client.iter("{*}" + item):
            ref = text(el, "ReferentieAanbieder") or ""
            if ref or (message_type != "JW301" and key):
                out.append(_Own(el, ref, key))
    return out


def _view(doc: Doc) -> _View | None:
    cached = doc.memo.get("referenties")
    if cached is not None:
        return cached  # type: ignore[return-value]
    history = _history(doc)
    if history is None:
        return None
    verzoek = doc.kind.message_type in VERZOEKEN
    afzender, ontvanger = doc.header_text("Afzender") or "", doc.header_text("Ontvanger") or ""
    aanbieder, gemeente = (afzender, ontvanger) if verzoek else (ontvanger, afzender)
    own = _own(doc, history)
    earlier: Sequence[Referentie] = ()
    if own:
        referenties = {o.referentie for o in own if o.referentie}
        clients = {o.client for o in own if o.client} if verzoek else set()
        earlier = history.referenties(aanbieder, referenties, clients, doc.context.message_id)
    view = _View(aanbieder, _gemeente(gemeente), tuple(own), tuple(earlier))
    doc.memo["referenties"] = view
    return view


def _here(view: _View, refs: list[Referentie]) -> list[Referentie]:
    """Those of ``refs`` between this aanbieder and this gemeente."""
    return [r for r in refs if _gemeente(r.gemeente) == view.gemeente]


@rule("TR347", "9347", VERZOEKEN, "ReferentieAanbieder is uniek voor de aanbieder binnen het wettelijk domein.",
      history=True)  # fmt: skip
def referentie_uniek(doc: Doc) -> Iterator[Violation]:
    """No earlier verzoek of this aanbieder (to any gemeente) used the same ReferentieAanbieder."""
    view = _view(doc)
    for own in () if view is None else view.own:
        if own.referentie and view is not None and view.of(own.referentie, VERZOEK):
            yield (
                child_or(own.element, "ReferentieAanbieder"),
                (f"ReferentieAanbieder {own.referentie!r} is al eerder in een verzoek gebruikt."),
            )


def _onderhanden(view: _View, client: str) -> list[str]:
    """The ReferentieAanbieders of the client's earlier verzoeken that no afwijzing or toewijzing closed."""
    open_refs: list[str] = []
    for r in _here(view, [r for r in view.earlier if r.soort == VERZOEK and r.client == client]):
        closing = [
            c for c in _here(view, view.of(r.referentie, ANTWOORD, TOEWIJZING))
            if c.soort == TOEWIJZING or c.verzoek_antwoord == AFGEWEZEN
        ]  # fmt: skip
        if not closing and r.referentie not in open_refs:
            open_refs.append(r.referentie)
    return open_refs


@rule("TR374", "9374", VERZOEKEN,
      "Een verzoek mag alleen worden verstuurd als er geen onderhanden verzoek is voor de betreffende client "
      "van dezelfde aanbieder.", history=True)  # fmt: skip
def geen_onderhanden_verzoek(doc: Doc) -> Iterator[Violation]:
    """A client has no earlier verzoek of this aanbieder that is still open (not afgewezen, not toegewezen)."""
    view = _view(doc)
    reported: set[str] = set()
    for own in () if view is None else view.own:
        if view is None or not own.client or own.client in reported:
            continue
        pending = [ref for ref in _onderhanden(view, own.client) if ref != own.referentie]
        if pending:
            reported.add(own.client)
            yield (
                child_or(own.element, "ReferentieAanbieder"),
                (f"Er is nog een onderhanden verzoek voor deze client (ReferentieAanbieder {pending[0]!r})."),
            )


def _antwoord(doc: Doc) -> tuple[_View, _Own] | None:
    view = _view(doc)
    if view is None or not view.own:
        return None
    return view, view.own[0]


@rule("TR355", "9355", ("JW319",),
      "ReferentieAanbieder in het antwoordbericht komt voor in een eerder verzoek om toewijzing of verzoek om "
      "wijziging.", history=True)  # fmt: skip
def antwoord_op_verzoek(doc: Doc) -> Iterator[Violation]:
    """The antwoord's ReferentieAanbieder is that of an earlier verzoek of the aanbieder to this gemeente."""
    found = _antwoord(doc)
    if found is not None and not _here(found[0], found[0].of(found[1].referentie, VERZOEK)):
        yield (
            child_or(found[1].element, "ReferentieAanbieder"),
            (f"Er is geen verzoek met ReferentieAanbieder {found[1].referentie!r}."),
        )


@rule("TR359", "9359", ("JW319",),
      "Als een antwoordbericht wordt verstuurd, mag er niet al eerder een toewijzingsbericht gestuurd zijn met "
      "dezelfde ReferentieAanbieder.", history=True)  # fmt: skip
def antwoord_na_toewijzing(doc: Doc) -> Iterator[Violation]:
    """No toewijzing with the antwoord's ReferentieAanbieder was sent before."""
    found = _antwoord(doc)
    if found is not None and _here(found[0], found[0].of(found[1].referentie, TOEWIJZING)):
        yield (
            child_or(found[1].element, "ReferentieAanbieder"),
            (f"Op ReferentieAanbieder {found[1].referentie!r} is al een toewijzing gestuurd."),
        )


def _eerdere_antwoorden(doc: Doc) -> tuple[_Own, list[Referentie]] | None:
    found = _antwoord(doc)
    if found is None:
        return None
    view, own = found
    return own, _here(view, view.of(own.referentie, ANTWOORD))


@rule("TR360", "9360", ("JW319",),
      "Een antwoordbericht met in VerzoekAntwoord de waarde 2 (Aanvraag in onderzoek), mag alleen gestuurd worden "
      "indien er nog geen antwoordbericht is met deze ReferentieAanbieder.", history=True)  # fmt: skip
def in_onderzoek_eenmaal(doc: Doc) -> Iterator[Violation]:
    """VerzoekAntwoord 2 only in the first antwoord on a ReferentieAanbieder."""
    found = _eerdere_antwoorden(doc)
    if found is None or not found[1]:
        return
    own = found[0]
    if text(own.element, "VerzoekAntwoord") == IN_ONDERZOEK:
        yield (
            child_or(own.element, "VerzoekAntwoord"),
            (f"Op ReferentieAanbieder {own.referentie!r} is al een antwoordbericht gestuurd."),
        )


@rule("TR365", "9365", ("JW319",),
      "Als er al een antwoordbericht is met dezelfde ReferentieAanbieder dan moet VerzoekAntwoord daar de waarde 2 "
      "(Aanvraag in onderzoek) hebben.", history=True)  # fmt: skip
def na_onderzoek(doc: Doc) -> Iterator[Violation]:
    """An earlier antwoord on the same ReferentieAanbieder said "in onderzoek" (2), never "afgewezen"."""
    found = _eerdere_antwoorden(doc)
    if found is None:
        return
    own, earlier = found
    if any(r.verzoek_antwoord != IN_ONDERZOEK for r in earlier):
        yield (
            child_or(own.element, "ReferentieAanbieder"),
            (f"Het eerdere antwoord op ReferentieAanbieder {own.referentie!r} was geen 'aanvraag in onderzoek'."),
        )


@rule("TR379", "9379", ("JW301",),
      "Indien ToegewezenProduct wordt verstuurd ter honorering van een VOT of VOW, dient ReferentieAanbieder te "
      "worden gevuld met ReferentieAanbieder uit die VOT of VOW, anders leeglaten.", history=True)  # fmt: skip
def honorering_van_verzoek(doc: Doc) -> Iterator[Violation]:
    """A first-sent ToegewezenProduct with a ReferentieAanbieder honours an earlier verzoek with that referentie.

    A ToewijzingNummer sent before (a changed toewijzing) may repeat its ReferentieAanbieder: the
    toelichting asks for it only "de eerste keer".
    """
    view = _view(doc)
    for own in () if view is None else view.own:
        if view is None or not own.referentie:
            continue
        nummer = text(own.element, "ToewijzingNummer")
        sent = [r for r in view.of(own.referentie, TOEWIJZING) if r.toewijzingnummer == nummer]
        if not sent and not _here(view, view.of(own.referentie, VERZOEK)):
            yield (
                child_or(own.element, "ReferentieAanbieder"),
                (f"ReferentieAanbieder {own.referentie!r} hoort bij geen verzoek van deze aanbieder."),
            )
