"""Rules on names, contact details, communication and the verwijzer (JW301, JW315) inside one message."""

from __future__ import annotations

import re
from collections.abc import Iterator

from gateway.rules.registry import Doc, Violation, child, child_or, rule, text

POSTCODE_NL = re.compile(r"[1-9][0-9]{3}[A-Z]{2}")
_VERWIJZER_MET_CODE = ("02", "03", "04", "05")


@rule("CS050", "0001", ("JW301",), "Met Partnernaam NaamGebruik 1, 2, 3 of 4 vullen, anders 1 of 6.")
def naamgebruik_bij_partnernaam(doc: Doc) -> Iterator[Violation]:
    """NaamGebruik says how a partner name is used; without one only 1 (eigen naam) or 6 are possible."""
    for naam in doc.iter("Naam"):
        gebruik = text(naam, "NaamGebruik")
        if gebruik is None:
            continue
        allowed = ("1", "2", "3", "4") if child(naam, "Partnernaam") is not None else ("1", "6")
        if gebruik not in allowed:
            yield child_or(naam, "NaamGebruik"), f"NaamGebruik {gebruik} past niet bij de (ontbrekende) Partnernaam."


@rule("CS318", "0001", ("JW301",), "NaamGebruik 6 (niet-natuurlijk persoon) niet vullen voor de client.")
def client_is_natuurlijk_persoon(doc: Doc) -> Iterator[Violation]:
    """The client is always a natural person."""
    client = child(doc.root, "Client")
    naam = None if client is None else child(client, "Naam")
    if naam is not None and text(naam, "NaamGebruik") == "6":
        yield child_or(naam, "NaamGebruik"), "NaamGebruik 6 is niet toegestaan voor de client."


@rule("CS089", "0001", ("JW301",), "Bij LandCode NL heeft de Postcode het formaat van een Nederlandse postcode.")
def nederlandse_postcode(doc: Doc) -> Iterator[Violation]:
    """A Dutch address has a postcode like 1234AB."""
    for adres in doc.iter("Adres"):
        postcode = text(adres, "Postcode")
        if text(adres, "LandCode") == "NL" and postcode is not None and not POSTCODE_NL.fullmatch(postcode):
            yield child_or(adres, "Postcode"), "Postcode heeft niet het formaat van een Nederlandse postcode."


@rule("CD007", "0001", ("JW301",), "Taal verplicht als Communicatie/Vorm 1 (tolk taal) is, anders leeg laten.")
def taal_bij_tolk(doc: Doc) -> Iterator[Violation]:
    """A language interpreter needs the language; other forms do not name one."""
    for communicatie in doc.iter("Communicatie"):
        vorm, taal = text(communicatie, "Vorm"), child(communicatie, "Taal")
        if vorm == "1" and taal is None:
            yield communicatie, "Taal ontbreekt bij Communicatie/Vorm 1 (tolk taal)."
        elif vorm is not None and vorm != "1" and taal is not None:
            yield taal, "Taal mag alleen gevuld zijn bij Communicatie/Vorm 1 (tolk taal)."


@rule("CD009", "0001", ("JW301",), "Contact/Periode alleen vullen als Soort adres 04 (tijdelijk adres) is.")
def periode_alleen_tijdelijk_adres(doc: Doc) -> Iterator[Violation]:
    """Only a temporary address has a period."""
    for contact in doc.iter("Contact"):
        periode = child(contact, "Periode")
        if periode is not None and text(contact, "Soort") != "04":
            yield periode, "Periode is alleen toegestaan bij een tijdelijk adres (Soort 04)."


@rule("CD066", "0001", ("JW315",), "Bij verwijzer 02-05 met ZorgverlenerCode is Naam (verwijzer) leeg.")
def geen_naam_bij_zorgverlenercode(doc: Doc) -> Iterator[Violation]:
    """A verwijzer identified by AGB code carries no name."""
    for verwijzer in doc.iter("Verwijzer"):
        met_code = child(verwijzer, "ZorgverlenerCode") is not None
        if text(verwijzer, "Type") in _VERWIJZER_MET_CODE and met_code and child(verwijzer, "Naam") is not None:
            yield child_or(verwijzer, "Naam"), "Naam verwijzer moet leeg zijn als ZorgverlenerCode gevuld is."


@rule("CD067", "0001", ("JW315",), "Bij verwijzer 02-05 zonder ZorgverlenerCode is Naam (verwijzer) gevuld.")
def naam_zonder_zorgverlenercode(doc: Doc) -> Iterator[Violation]:
    """A verwijzer without AGB code is named."""
    for verwijzer in doc.iter("Verwijzer"):
        zonder_code = child(verwijzer, "ZorgverlenerCode") is None
        if text(verwijzer, "Type") in _VERWIJZER_MET_CODE and zonder_code and child(verwijzer, "Naam") is None:
            yield verwijzer, "Naam verwijzer ontbreekt terwijl ZorgverlenerCode leeg is."


@rule("CD068", "0001", ("JW315",), "Bij een ander type verwijzer dan 02-05 is ZorgverlenerCode leeg.")
def geen_zorgverlenercode_anders(doc: Doc) -> Iterator[Violation]:
    """Only a medical verwijzer (02-05) has an AGB code."""
    for verwijzer in doc.iter("Verwijzer"):
        code = child(verwijzer, "ZorgverlenerCode")
        if code is not None and text(verwijzer, "Type") not in _VERWIJZER_MET_CODE:
            yield code, "ZorgverlenerCode moet leeg zijn bij dit type verwijzer."
