"""Addresses and contact details in a toewijzing (JW301): TR006, TR061, CD005, CD025, CD034."""

from __future__ import annotations

from collections.abc import Iterator

from gateway.rules.registry import Doc, Violation, child, child_or, rule, text

CLIENT_ADRES = ("01", "02", "03")
POSTCODE_VERPLICHT = ("01", "03")


@rule(
    "TR006",
    "0001",
    ("JW301",),
    "Contact van een relatie bevat Telefoon en/of de combinatie Huis en Postcode.",
    versions=("3.2", "2.3"),
)
def relatie_bereikbaar(doc: Doc) -> Iterator[Violation]:
    """A relatie can be reached: by phone, or at an address with a house number and postcode (OP130)."""
    for relatie in doc.iter("Relatie"):
        contact = child(relatie, "Contact")
        if contact is None or child(contact, "Telefoon") is not None:
            continue
        adres = child(contact, "Adres")
        if adres is None or child(adres, "Huis") is None or child(adres, "Postcode") is None:
            yield contact, "Contact van de relatie heeft geen Telefoon en geen Huis met Postcode."


@rule(
    "TR061",
    "0001",
    ("JW301",),
    "Bij een Client komt minstens één Contact voor met Soort 01 (BRP), 02 (correspondentie) of 03 (verblijf).",
    versions=("3.2", "2.3"),
)
def client_heeft_adres(doc: Doc) -> Iterator[Violation]:
    """The client's contact details include a BRP, correspondence or residence address (OP091)."""
    client = child(doc.root, "Client")
    gegevens = None if client is None else child(client, "Contactgegevens")
    if gegevens is None:
        return
    if not any(text(c, "Soort") in CLIENT_ADRES for c in gegevens.iterchildren("{*}Contact")):
        yield gegevens, "Geen Contact met Soort 01, 02 of 03 bij de client."


@rule("CD005", "0001", ("JW301",), "LandCode verplicht als Postcode gevuld is, anders leeg laten.")
def landcode_bij_postcode(doc: Doc) -> Iterator[Violation]:
    """An address with a postcode says which country; one without a postcode names none."""
    for adres in doc.iter("Adres"):
        postcode, landcode = child(adres, "Postcode"), child(adres, "LandCode")
        if postcode is not None and landcode is None:
            yield adres, "LandCode ontbreekt terwijl Postcode gevuld is."
        elif postcode is None and landcode is not None:
            yield landcode, "LandCode moet leeg zijn als Postcode leeg is."


@rule("CD025", "0001", ("JW301",), "Huis verplicht als Adres/LandCode NL (Nederland) is.")
def huis_bij_nederlands_adres(doc: Doc) -> Iterator[Violation]:
    """A Dutch address has a house number."""
    for adres in doc.iter("Adres"):
        if text(adres, "LandCode") == "NL" and child(adres, "Huis") is None:
            yield adres, "Huis ontbreekt bij een adres in Nederland."


@rule("CD034", "0001", ("JW301",), "Postcode verplicht als Soort adres 01 (BRP-adres) of 03 (verblijfadres) is.")
def postcode_bij_brp_of_verblijf(doc: Doc) -> Iterator[Violation]:
    """A BRP or residence address has a postcode."""
    for contact in doc.iter("Contact"):
        if text(contact, "Soort") not in POSTCODE_VERPLICHT:
            continue
        adres = child(contact, "Adres")
        if adres is None or child(adres, "Postcode") is None:
            yield child_or(contact, "Adres"), "Postcode ontbreekt bij een BRP- of verblijfadres."
