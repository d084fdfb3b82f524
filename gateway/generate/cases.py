"""The people, parties and products behind generated iJw messages: one `Case` is one client's toewijzing.

A case carries everything the messages of one care trajectory share (JW315 verzoek, JW301
toewijzing, JW305 start, JW317/JW319 wijziging, JW323 declaratie, JW307 stop), so a generated
stream is coherent: the start refers to the toewijzing's number, the declaratie to its product.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from gateway.generate.ijw import agb_code, elfproef_bsn

GEMEENTEN: tuple[tuple[str, str], ...] = (
    ("0034", "Almere"),
    ("0363", "Amsterdam"),
    ("0599", "Rotterdam"),
    ("0518", "'s-Gravenhage"),
    ("0344", "Utrecht"),
    ("0014", "Groningen"),
    ("0772", "Eindhoven"),
    ("0855", "Tilburg"),
)


@dataclass(frozen=True, slots=True)
class Product:
    """A national JZ21 product with the unit (Eenheid), frequency and tariff (cents) it is toegewezen in."""

    categorie: str
    code: str
    eenheid: str
    frequentie: str
    tarief: int


PRODUCTS: tuple[Product, ...] = (
    Product("45", "45A03", "04", "2", 1250),
    Product("45", "45A04", "04", "2", 1400),
    Product("43", "43A01", "14", "4", 9500),
    Product("41", "41A03", "04", "2", 7800),
    Product("40", "40A03", "04", "2", 6500),
    Product("42", "42A03", "04", "2", 5600),
    Product("44", "44A01", "14", "4", 15000),
    Product("47", "47A01", "14", "4", 12000),
)

_ACHTERNAMEN = ("Jansen", "Vries", "Bakker", "Visser", "Smit", "Meijer", "Mulder", "Bos", "Dijkstra", "Bergh")
_VOORVOEGSELS = ("", "", "", "de", "van", "van den")
_LETTERS = "ABCDEGHJKLMNPRSTVWXZ"
_VOORNAMEN = ("Tom", "Sanne", "Daan", "Emma", "Noah", "Julia", "Sem", "Mila", "Lucas", "Noor", "Finn", "Zoë")


@dataclass(frozen=True, slots=True)
class Client:
    """A jeugdige with a test BSN (9999 prefix, passes the elfproef)."""

    bsn: str
    geboren: date
    geslacht: str
    achternaam: str
    voorvoegsel: str
    voornaam: str
    huisnummer: int
    postcode: str

    @property
    def voorletters(self) -> str:
        """The initial of the first name."""
        return self.voornaam[0]


@dataclass(frozen=True, slots=True)
class Case:
    """One toewijzing: who (gemeente, aanbieder, client), what (product, volume) and when."""

    gemeente: str
    plaats: str
    aanbieder: str
    client: Client
    product: Product
    toewijzingnummer: int
    referentie: str
    volume: int
    ingang: date
    einde: date


def month_end(first: date) -> date:
    """The last day of ``first``'s month."""
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def next_month(first: date) -> date:
    """The first day of the month after ``first``'s month."""
    return month_end(first) + timedelta(days=1)


def make_client(rng: random.Random) -> Client:
    """A random client between 2 and 17 years old."""
    return Client(
        bsn=elfproef_bsn(rng),
        geboren=date(rng.randrange(2008, 2023), rng.randrange(1, 13), rng.randrange(1, 29)),
        geslacht=rng.choice("12"),
        achternaam=rng.choice(_ACHTERNAMEN),
        voorvoegsel=rng.choice(_VOORVOEGSELS),
        voornaam=rng.choice(_VOORNAMEN),
        huisnummer=rng.randrange(1, 300),
        postcode=f"{rng.randrange(1000, 10000)}{rng.choice(_LETTERS)}{rng.choice(_LETTERS)}",
    )


def make_case(
    rng: random.Random,
    *,
    toewijzingnummer: int,
    referentie: str,
    gemeente: tuple[str, str] | None = None,
    aanbieder: str | None = None,
) -> Case:
    """A toewijzing for a year that starts on the first of a month in January..June 2025."""
    code, plaats = gemeente if gemeente is not None else rng.choice(GEMEENTEN)
    ingang = date(2025, rng.randrange(1, 7), 1)
    return Case(
        gemeente=code,
        plaats=plaats,
        aanbieder=aanbieder if aanbieder is not None else agb_code(rng),
        client=make_client(rng),
        product=rng.choice(PRODUCTS),
        toewijzingnummer=toewijzingnummer,
        referentie=referentie,
        volume=rng.randrange(1, 20),
        ingang=ingang,
        einde=date(ingang.year + 1, ingang.month, 1) - timedelta(days=1),
    )


__all__ = ["GEMEENTEN", "PRODUCTS", "Case", "Client", "Product", "make_case", "make_client", "month_end", "next_month"]
