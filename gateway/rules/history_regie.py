"""Berichtoverstijgende rules on start and stop (JW305, JW307): each line against the earlier starts and stops.

One batched :meth:`MessageHistory.regieregels` look-up per message (gemeente = Ontvanger,
aanbieder = Afzender). The message's own lines are then replayed in document order on top of the
history: a line is checked against what is current just before it, then applied (StatusAanlevering
1 adds it, 3 removes the line with the same logical key). So a removal and its replacement in one
message (IV008) are judged as the catalogue describes: the replacement sees the removal.

Logical keys (IV008): a start is client, ToewijzingNummer, Product and Begindatum; a stop adds its
Einddatum and RedenBeeindiging (TR414 allows a final stop on the day of an earlier stop with reason
20, so the reason must tell the two apart). "Actueel" start: one not removed and without a current stop
with its key.
RedenBeeindiging 20 ends care for a while; TR413..TR415 say what may follow such a stop.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from gateway.rules.context import Regieregel
from gateway.rules.registry import Doc, Violation, child, child_or, parse_date, rule, text

START, STOP = "start", "stop"
VERWIJDEREN = "3"
TIJDELIJK = "20"
"""RedenBeeindiging 20: care stopped for a while (JZ588), so a further stop may follow."""
_EERSTE = frozenset({"1", "2"})


@dataclass(frozen=True, slots=True)
class _Line:
    """One StartProduct or StopProduct of the message, with what was current just before it."""

    element: etree._Element
    regel: Regieregel
    before: tuple[Regieregel, ...]
    """The current starts and stops on the same ToewijzingNummer and client before this line."""


def _start_key(r: Regieregel) -> tuple[object, ...]:
    return (r.client, r.toewijzingnummer, r.productcategorie, r.productcode, r.begindatum)


def _key(r: Regieregel) -> tuple[object, ...]:
    return (*_start_key(r), r.einddatum, r.reden_beeindiging) if r.soort == STOP else _start_key(r)


def _regel(doc: Doc, el: etree._Element, soort: str, client: str) -> Regieregel | None:
    nummer, begin = text(el, "ToewijzingNummer"), parse_date(text(el, "Begindatum"))
    if not nummer or begin is None:
        return None
    return Regieregel(
        soort=soort,
        client=client,
        toewijzingnummer=nummer,
        productcategorie=text(el, "Product/Categorie") or None,
        productcode=text(el, "Product/Code") or None,
        begindatum=begin,
        einddatum=parse_date(text(el, "Einddatum")) if soort == STOP else None,
        status_aanlevering=text(el, "StatusAanlevering") or "1",
        reden_beeindiging=text(el, "RedenBeeindiging") or None,
    )


def _lines(doc: Doc) -> list[_Line]:
    cached = doc.memo.get("regie")
    if cached is not None:
        return cached  # type: ignore[return-value]
    history = doc.context.history
    assert history is not None  # the runner only calls history rules with a history
    soort, name = (START, "StartProduct") if doc.kind.message_type == "JW305" else (STOP, "StopProduct")
    own: list[tuple[etree._Element, Regieregel]] = []
    keys: dict[str, str] = {}
    for client in doc.iter("Client"):
        bsn = text(client, "Bsn")
        if not bsn:
            continue
        key = keys[bsn] if bsn in keys else keys.setdefault(bsn, history.client_key(bsn))
        for el in client.iter("{*}" + name):
            regel = _regel(doc, el, soort, key)
            if regel is not None:
                own.append((el, regel))
    current: dict[tuple[str, str], list[Regieregel]] = {}
    if own:
        gemeente, aanbieder = doc.header_text("Ontvanger") or "", doc.header_text("Afzender") or ""
        nummers = {r.toewijzingnummer for _, r in own}
        for earlier in history.regieregels(gemeente, aanbieder, nummers, doc.context.message_id):
            _apply(current, earlier)
    lines = []
    for el, regel in own:
        lines.append(_Line(el, regel, tuple(current.get((regel.client, regel.toewijzingnummer), ()))))
        _apply(current, regel)
    doc.memo["regie"] = lines
    return lines


def _apply(current: dict[tuple[str, str], list[Regieregel]], regel: Regieregel) -> None:
    """Add a first delivery; let a removal take away the current line of the same kind and key."""
    known = current.setdefault((regel.client, regel.toewijzingnummer), [])
    if regel.status_aanlevering != VERWIJDEREN:
        known.append(regel)
        return
    for i, other in enumerate(known):
        if other.soort == regel.soort and _key(other) == _key(regel):
            del known[i]
            return


def _same(line: _Line) -> list[Regieregel]:
    """The current lines of the same kind and logical key as ``line``."""
    return [r for r in line.before if r.soort == line.regel.soort and _key(r) == _key(line.regel)]


def _stops_of(line: _Line) -> list[Regieregel]:
    """The current stops on the same client, ToewijzingNummer and Begindatum (TR413..TR415)."""
    r = line.regel
    return [s for s in line.before if s.soort == STOP and s.begindatum == r.begindatum]


@rule(
    "TR063",
    "9063",
    ("JW305", "JW307"),
    "Bij StatusAanlevering 3 is eerder een aanlevering met dezelfde logische sleutel verstuurd.",
    history=True,
)
def verwijderen_na_aanlevering(doc: Doc) -> Iterator[Violation]:
    """A removal names a start or stop that was delivered before and is not removed already."""
    for line in _lines(doc):
        if line.regel.status_aanlevering == VERWIJDEREN and not _same(line):
            yield child_or(line.element, "StatusAanlevering"), "Er is geen eerdere aanlevering met deze sleutel."


@rule(
    "TR071",
    "9071",
    ("JW305",),
    "Een start mag niet verwijderd worden (StatusAanlevering 3) als er al een stop voor is verstuurd.",
    history=True,
)
def geen_verwijderen_na_stop(doc: Doc) -> Iterator[Violation]:
    """A start that has a current stop with its key cannot be removed (remove the stop first)."""
    for line in _lines(doc):
        r = line.regel
        if r.status_aanlevering != VERWIJDEREN:
            continue
        if any(s.soort == STOP and _start_key(s) == _start_key(r) for s in line.before):
            yield child_or(line.element, "StatusAanlevering"), "Voor deze start is al een stop verstuurd."


@rule(
    "TR074",
    "9074",
    ("JW305", "JW307"),
    "Bij StatusAanlevering 1 is de logische sleutel uniek, ook over alle eerder ontvangen berichten.",
    history=True,
)
def sleutel_uniek_over_berichten(doc: Doc) -> Iterator[Violation]:
    """A first delivery does not repeat the key of a current earlier start or stop.

    Within one message TR101 already refuses a repeated line; this rule adds the earlier messages.
    """
    for line in _lines(doc):
        if line.regel.status_aanlevering in _EERSTE and _same(line):
            yield child_or(line.element, "StatusAanlevering"), "Er is al eerder een aanlevering met deze sleutel."


def _actuele_starts(line: _Line) -> list[Regieregel]:
    stops = {_start_key(s) for s in line.before if s.soort == STOP}
    return [r for r in line.before if r.soort == START and _start_key(r) not in stops]


@rule(
    "TR326",
    "9326",
    ("JW305",),
    "Een start pas als er geen actueel startbericht bij het ToegewezenProduct is.",
    history=True,
)
def geen_tweede_actuele_start(doc: Doc) -> Iterator[Violation]:
    """A new start on a toewijzing waits until the current start on it has been stopped (or removed)."""
    for line in _lines(doc):
        if line.regel.status_aanlevering in _EERSTE and _actuele_starts(line):
            yield line.element, "Er is al een actuele start voor dit toegewezen product zonder stop."


@rule(
    "TR382",
    "9069",
    ("JW307",),
    "De sleutelelementen uit het startbericht worden ongewijzigd in het stopbericht overgenomen.",
    history=True,
)
def stop_bij_start(doc: Doc) -> Iterator[Violation]:
    """A stop names a current start by its key: same client, ToewijzingNummer, Product and Begindatum."""
    for line in _lines(doc):
        r = line.regel
        if r.status_aanlevering not in _EERSTE:
            continue
        if not any(s.soort == START and _start_key(s) == _start_key(r) for s in line.before):
            yield line.element, "Er is geen actueel startbericht met dezelfde sleutel."


@rule(
    "TR413",
    "9413",
    ("JW307",),
    "Na een stop met RedenBeeindiging 20 heeft een volgende stop (zelfde client, toewijzing, begin) een andere reden.",
    history=True,
)
def niet_twee_keer_tijdelijk(doc: Doc) -> Iterator[Violation]:
    """Care stopped for a while (20) is not stopped for a while again under the same start."""
    for line in _lines(doc):
        r = line.regel
        if r.status_aanlevering not in _EERSTE or r.reden_beeindiging != TIJDELIJK:
            continue
        if any(s.reden_beeindiging == TIJDELIJK and _key(s) != _key(r) for s in _stops_of(line)):
            yield child_or(line.element, "RedenBeeindiging"), "Er is al een stop met RedenBeeindiging 20."


@rule(
    "TR414",
    "9414",
    ("JW307",),
    "Einddatum ligt op of na de Einddatum van de actuele stop met dezelfde client, toewijzing en Begindatum.",
    history=True,
)
def einde_niet_voor_vorige_stop(doc: Doc) -> Iterator[Violation]:
    """A further stop under the same start does not end before the latest one (the actuele stop)."""
    for line in _lines(doc):
        r = line.regel
        stops = _stops_of(line)
        if r.status_aanlevering not in _EERSTE or r.einddatum is None or not stops:
            continue
        latest = stops[-1].einddatum
        if latest is not None and r.einddatum < latest:
            el = child(line.element, "Einddatum")
            yield (el if el is not None else line.element), "Einddatum ligt voor de Einddatum van de actuele stop."


@rule(
    "TR415",
    "9415",
    ("JW307",),
    "Geen stop als er al een stop (zelfde client, toewijzing, Begindatum) is met RedenBeeindiging anders dan 20.",
    history=True,
)
def geen_stop_na_definitieve_stop(doc: Doc) -> Iterator[Violation]:
    """After a stop for good (any reason but 20) no further stop follows under the same start."""
    for line in _lines(doc):
        r = line.regel
        if r.status_aanlevering not in _EERSTE:
            continue
        if any(s.reden_beeindiging != TIJDELIJK and _key(s) != _key(r) for s in _stops_of(line)):
            yield child_or(line.element, "RedenBeeindiging"), "Er is al een definitieve stop voor deze start."
