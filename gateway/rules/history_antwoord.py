"""Berichtoverstijgende rules on a JW325 declaratie-antwoord: it answers a declaratie the gateway received.

The JW325 goes from the gemeente (Afzender) to the aanbieder (Ontvanger), so the aanbieder whose
earlier JW323 is looked up is the Ontvanger. TR337, TR371 and TR376 have no retourcode of their own
in the catalogue ("n.v.t.": an antwoord has no retour); the gateway refuses with 0001.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from gateway.ports import DeclaratieXsdHistory, MessageHistory
from gateway.rules.context import EerderePrestatie
from gateway.rules.prestaties import rows
from gateway.rules.registry import Doc, Violation, child, child_or, rule, text

JW325 = ("JW325",)


def _history(doc: Doc) -> MessageHistory:
    history = doc.context.history
    assert history is not None  # the runner only calls history rules with a history
    return history


def _aanbieder(doc: Doc) -> str:
    return doc.header_text("Ontvanger") or ""


def _gedeclareerd(doc: Doc) -> Mapping[str, EerderePrestatie]:
    cached = doc.memo.get("gedeclareerd")
    if cached is None:
        nummers = {row.referentienummer for row in rows(doc) if row.referentienummer}
        cached = _history(doc).eerdere_prestaties(_aanbieder(doc), nummers, doc.context.message_id) if nummers else {}
        doc.memo["gedeclareerd"] = cached
    return cached  # type: ignore[return-value]


@rule(
    "TR337",
    "0001",
    JW325,
    "DeclaratieIdentificatie is de BerichtIdentificatie van een eerder ontvangen declaratiebericht.",
    history=True,
)
def antwoord_op_declaratie(doc: Doc) -> Iterator[Violation]:
    """The antwoord's DeclaratieIdentificatie names a JW323 the aanbieder sent earlier."""
    ident = None if doc.header is None else child(doc.header, "DeclaratieIdentificatie")
    nummer = None if ident is None else text(ident, "Identificatie")
    if ident is None or not nummer:
        return
    if not _history(doc).seen_identificatie(_aanbieder(doc), nummer, doc.context.message_id, message_type="JW323"):
        yield child_or(ident, "Identificatie"), f"Er is geen declaratiebericht met Identificatie {nummer!r}."


@rule(
    "TR371",
    "0001",
    JW325,
    "XsdVersieDeclaratie is de XsdVersie van het declaratiebericht met de DeclaratieIdentificatie.",
    history=True,
)
def xsd_versie_van_declaratie(doc: Doc) -> Iterator[Violation]:
    """The antwoord's XsdVersieDeclaratie repeats the XsdVersie the answered JW323 declared.

    Silent when the JW323 is unknown (TR337's finding), when the history cannot tell (a history
    without :class:`~gateway.ports.DeclaratieXsdHistory`) or intake could not read that XsdVersie.
    """
    history: object = doc.context.history  # a MessageHistory that may also be a DeclaratieXsdHistory
    header = doc.header
    if header is None or not isinstance(history, DeclaratieXsdHistory):
        return
    nummer = text(header, "DeclaratieIdentificatie/Identificatie")
    versie = child(header, "XsdVersieDeclaratie")
    if not nummer or versie is None:
        return
    found = history.declaratie_xsd_versie(_aanbieder(doc), nummer, doc.context.message_id)
    if found is None:
        return
    for name, expected in zip(("BasisschemaXsdVersie", "BerichtXsdVersie"), found, strict=True):
        given = text(versie, name)
        if expected is not None and given != expected:
            yield (
                child_or(versie, name),
                f"{name} {given!r} is niet de XsdVersie {expected!r} van declaratiebericht {nummer!r}.",
            )


@rule(
    "TR376",
    "0001",
    JW325,
    "DeclaratieNummer is het DeclaratieNummer van een eerder ontvangen declaratie.",
    history=True,
)
def antwoord_op_declaratienummer(doc: Doc) -> Iterator[Violation]:
    """The antwoord's DeclaratieNummer is one the aanbieder declared before."""
    el = None if doc.declaratie is None else child(doc.declaratie, "DeclaratieNummer")
    nummer = None if el is None else (el.text or "").strip()
    if el is None or not nummer:
        return
    if not _history(doc).seen_declaratienummer(_aanbieder(doc), nummer, doc.context.message_id):
        yield el, f"Er is geen declaratie met DeclaratieNummer {nummer!r}."


@rule(
    "TR366",
    "9366",
    JW325,
    "Iedere Prestatie in een declaratie-antwoord hoort bij een declaratiebericht op basis van ProductReferentie.",
    history=True,
)
def prestatie_uit_declaratie(doc: Doc) -> Iterator[Violation]:
    """Every answered Prestatie's ReferentieNummer was declared by the aanbieder."""
    found = _gedeclareerd(doc)
    for row in rows(doc):
        if row.referentienummer and row.referentienummer not in found:
            yield (
                row.at("ProductReferentie/ReferentieNummer", "ProductReferentie"),
                f"ReferentieNummer {row.referentienummer!r} komt in geen declaratie voor.",
            )


@rule(
    "TR367",
    "9367",
    JW325,
    "De waarden van de Prestatie zijn die uit het declaratiebericht met dezelfde ProductReferentie.",
    history=True,
)
def prestatie_zoals_gedeclareerd(doc: Doc) -> Iterator[Violation]:
    """An answered Prestatie repeats what was declared: toewijzing, product, period and debet/credit.

    The store keeps those values of a declared Prestatie (not its volume or tarief), so those are compared.
    """
    found = _gedeclareerd(doc)
    for row in rows(doc):
        declared = found.get(row.referentienummer or "")
        if declared is None:
            continue  # TR366's finding
        checks = (
            ("ToewijzingNummer", row.toewijzingnummer, declared.toewijzingnummer),
            ("ProductCategorie", row.categorie, declared.productcategorie),
            ("ProductCode", row.code, declared.productcode),
            ("ProductPeriode/Begindatum", row.begin, declared.begindatum),
            ("ProductPeriode/Einddatum", row.eind, declared.einddatum),
            ("IngediendBedrag/DebetCredit", row.debet_credit, declared.debet_credit),
        )
        for path, value, expected in checks:
            if expected is not None and value != expected:
                name = path.rpartition("/")[2]
                yield row.at(path, "ProductReferentie"), f"{name} wijkt af van de gedeclareerde Prestatie."
