"""Rules on verzoeken and antwoorden (JW315, JW317, JW319) inside one message."""

from __future__ import annotations

from collections.abc import Iterator

from gateway.rules.registry import Doc, Violation, child, child_or, rule, text


@rule("TR383", "0001", ("JW315",), "ReferentieAanbieder is uniek voor elk AangevraagdProduct binnen het bericht.")
def referentie_aanbieder_uniek(doc: Doc) -> Iterator[Violation]:
    """Each requested product has its own ReferentieAanbieder; later repeats are reported."""
    seen: set[str] = set()
    for el in doc.iter("AangevraagdProduct"):
        ref = text(el, "ReferentieAanbieder")
        if ref is None:
            continue
        if ref in seen:
            yield child_or(el, "ReferentieAanbieder"), f"ReferentieAanbieder {ref!r} komt vaker voor."
        seen.add(ref)


@rule("CD043", "0001", ("JW315",), "BeschikkingIngangsdatum verplicht als BeschikkingNummer gevuld is, anders leeg.")
def beschikking_ingangsdatum(doc: Doc) -> Iterator[Violation]:
    """BeschikkingNummer and BeschikkingIngangsdatum come together."""
    for el in doc.iter("AangevraagdProduct"):
        nummer, datum = child(el, "BeschikkingNummer"), child(el, "BeschikkingIngangsdatum")
        if (nummer is None) != (datum is None):
            yield el, "BeschikkingNummer en BeschikkingIngangsdatum moeten samen voorkomen."


def _verzoek_has(doc: Doc, *names: str) -> bool:
    return any(next(doc.iter(name), None) is not None for name in names)


@rule("TR352", "0001", ("JW317",), "Een verzoek om wijziging bevat minstens 1 OngewijzigdProduct of TeWijzigenProduct.")
def verzoek_bevat_bestaand_product(doc: Doc) -> Iterator[Violation]:
    """A change request refers to at least one existing toewijzing."""
    verzoek = next(doc.iter("Verzoek"), None)
    if verzoek is not None and not _verzoek_has(doc, "OngewijzigdProduct", "TeWijzigenProduct"):
        yield verzoek, "Verzoek bevat geen OngewijzigdProduct of TeWijzigenProduct."


@rule("TR353", "0001", ("JW317",), "Een verzoek om wijziging bevat minstens 1 TeWijzigenProduct of NieuwProduct.")
def verzoek_wijzigt_iets(doc: Doc) -> Iterator[Violation]:
    """A change request changes or adds at least one product."""
    verzoek = next(doc.iter("Verzoek"), None)
    if verzoek is not None and not _verzoek_has(doc, "TeWijzigenProduct", "NieuwProduct"):
        yield verzoek, "Verzoek bevat geen TeWijzigenProduct of NieuwProduct."


@rule("TR377", "0001", ("JW319",), "Als RedenAfwijzingVerzoek 8 (woonplaatsbeginsel) is, Woonplaatsbeginsel opnemen.")
def woonplaatsbeginsel_bij_reden_8(doc: Doc) -> Iterator[Violation]:
    """Refusing on the woonplaatsbeginsel names the responsible gemeente."""
    antwoord = child(doc.root, "Antwoord")
    if antwoord is not None and text(antwoord, "RedenAfwijzingVerzoek") == "8" and not _has_wpb(antwoord):
        yield antwoord, "Woonplaatsbeginsel ontbreekt bij RedenAfwijzingVerzoek 8."


@rule("TR409", "0001", ("JW319",), "Als RedenAfwijzingVerzoek niet 8 is, Woonplaatsbeginsel weglaten.")
def geen_woonplaatsbeginsel_anders(doc: Doc) -> Iterator[Violation]:
    """Only a woonplaatsbeginsel refusal carries the Woonplaatsbeginsel class."""
    antwoord = child(doc.root, "Antwoord")
    if antwoord is not None and text(antwoord, "RedenAfwijzingVerzoek") != "8" and _has_wpb(antwoord):
        yield child_or(antwoord, "Woonplaatsbeginsel"), "Woonplaatsbeginsel mag alleen bij reden 8."


def _has_wpb(antwoord: object) -> bool:
    return child(antwoord, "Woonplaatsbeginsel") is not None  # type: ignore[arg-type]


@rule("CD085", "0001", ("JW319",), "Als VerzoekAntwoord 1 (verzoek afgewezen) is, RedenAfwijzingVerzoek vullen.")
def reden_bij_afwijzing(doc: Doc) -> Iterator[Violation]:
    """A refusal says why."""
    antwoord = child(doc.root, "Antwoord")
    if (
        antwoord is not None
        and text(antwoord, "VerzoekAntwoord") == "1"
        and text(antwoord, "RedenAfwijzingVerzoek") is None
    ):
        yield antwoord, "RedenAfwijzingVerzoek ontbreekt bij een afgewezen verzoek."


@rule(
    "CD086", "0001", ("JW319",), "Als VerzoekAntwoord 2 (aanvraag in onderzoek) is, RedenAfwijzingVerzoek leeg laten."
)
def geen_reden_in_onderzoek(doc: Doc) -> Iterator[Violation]:
    """A request under investigation has not been refused."""
    antwoord = child(doc.root, "Antwoord")
    reden = None if antwoord is None else child(antwoord, "RedenAfwijzingVerzoek")
    if antwoord is not None and text(antwoord, "VerzoekAntwoord") == "2" and reden is not None:
        yield reden, "RedenAfwijzingVerzoek moet leeg zijn bij een aanvraag in onderzoek."
