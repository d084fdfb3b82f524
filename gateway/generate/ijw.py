"""Seeded builders of realistic, XSD-valid iJw 3.2 messages (test BSNs that pass the elfproef)."""

from __future__ import annotations

import random
from datetime import date, timedelta

NS_BASIS = "http://www.istandaarden.nl/ijw/3_2/basisschema/schema"
GEMEENTEN = ("0034", "0363", "0599")
_PRODUCTS = (("45", "45A03", "04", 1250), ("45", "45A04", "04", 1400), ("43", "43A01", "14", 9500))


def elfproef_bsn(rng: random.Random) -> str:
    """A nine-digit test-style number starting with 9999 that passes the elfproef."""
    while True:
        digits = [9, 9, 9, 9] + [rng.randrange(10) for _ in range(4)]
        total = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True))
        last = total % 11
        if last < 10:
            return "".join(map(str, digits)) + str(last)


def agb_code(rng: random.Random) -> str:
    """An eight-digit AGB code of a jeugdhulpaanbieder."""
    return f"{rng.randrange(10_000_000, 100_000_000):08d}"


def _month(rng: random.Random) -> tuple[date, date]:
    first = date(2025, rng.randrange(1, 13), 1)
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return first, last


def header(prefix: str, code: str, *, afzender: str, ontvanger: str, ident: str, dag: date) -> str:
    """The iJw 3.2 Header of a message whose elements use namespace prefix ``prefix``."""
    return (
        f"<{prefix}:Header><{prefix}:BerichtCode>{code}</{prefix}:BerichtCode>"
        f"<{prefix}:BerichtVersie>3</{prefix}:BerichtVersie><{prefix}:BerichtSubversie>2</{prefix}:BerichtSubversie>"
        f"<{prefix}:Afzender>{afzender}</{prefix}:Afzender><{prefix}:Ontvanger>{ontvanger}</{prefix}:Ontvanger>"
        f"<{prefix}:BerichtIdentificatie><ijw:Identificatie>{ident}</ijw:Identificatie>"
        f"<ijw:Dagtekening>{dag.isoformat()}</ijw:Dagtekening></{prefix}:BerichtIdentificatie>"
        f"<{prefix}:XsdVersie><ijw:BasisschemaXsdVersie>1.0.0</ijw:BasisschemaXsdVersie>"
        f"<ijw:BerichtXsdVersie>1.0.0</ijw:BerichtXsdVersie></{prefix}:XsdVersie></{prefix}:Header>"
    )


def large_jw323(prestaties: int, seed: int = 0) -> bytes:
    """A JW323 declaratie over one month with `prestaties` Prestatie lines spread over clients."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not security
    begin, end = _month(rng)
    dag = end + timedelta(days=rng.randrange(1, 20))
    per_client = 5
    parts: list[str] = []
    total = 0
    for start in range(0, prestaties, per_client):
        lines: list[str] = []
        for i in range(start, min(start + per_client, prestaties)):
            cat, code, eenheid, tarief = _PRODUCTS[rng.randrange(len(_PRODUCTS))]
            volume = rng.randrange(1, 20)
            bedrag = volume * tarief
            total += bedrag
            lines.append(
                f"<jw323:Prestatie><jw323:ProductReferentie><ijw:ReferentieNummer>R{seed}x{i}</ijw:ReferentieNummer>"
                f"</jw323:ProductReferentie><jw323:ToewijzingNummer>{100000 + i}</jw323:ToewijzingNummer>"
                f"<jw323:ProductCategorie>{cat}</jw323:ProductCategorie><jw323:ProductCode>{code}</jw323:ProductCode>"
                f"<jw323:ProductPeriode><ijw:Begindatum>{begin}</ijw:Begindatum><ijw:Einddatum>{end}</ijw:Einddatum>"
                f"</jw323:ProductPeriode><jw323:GeleverdVolume>{volume}</jw323:GeleverdVolume>"
                f"<jw323:Eenheid>{eenheid}</jw323:Eenheid><jw323:ProductTarief>{tarief}</jw323:ProductTarief>"
                f"<jw323:IngediendBedrag><ijw:Bedrag>{bedrag}</ijw:Bedrag><ijw:DebetCredit>D</ijw:DebetCredit>"
                f"</jw323:IngediendBedrag></jw323:Prestatie>"
            )
        parts.append(f"<jw323:Client><jw323:Bsn>{elfproef_bsn(rng)}</jw323:Bsn><jw323:Prestaties>")
        parts.extend(lines)
        parts.append("</jw323:Prestaties></jw323:Client>")
    doc = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<jw323:Bericht xmlns:ijw="{NS_BASIS}" xmlns:jw323="http://www.istandaarden.nl/ijw/3_2/jw323/schema">'
        + header(
            "jw323",
            "490",
            afzender=agb_code(rng),
            ontvanger=rng.choice(GEMEENTEN),
            ident=str(rng.randrange(10**8, 10**9)),
            dag=dag,
        )
        + f"<jw323:Declaratie><jw323:DeclaratieNummer>D{seed}N{rng.randrange(10**6)}</jw323:DeclaratieNummer>"
        f"<jw323:DeclaratiePeriode><ijw:Begindatum>{begin}</ijw:Begindatum><ijw:Einddatum>{end}</ijw:Einddatum>"
        f"</jw323:DeclaratiePeriode><jw323:DeclaratieDagtekening>{dag}</jw323:DeclaratieDagtekening>"
        f"<jw323:TotaalIngediendBedrag><ijw:TotaalBedrag>{total}</ijw:TotaalBedrag>"
        f"<ijw:DebetCredit>D</ijw:DebetCredit></jw323:TotaalIngediendBedrag><jw323:Clienten>"
        + "".join(parts)
        + "</jw323:Clienten></jw323:Declaratie></jw323:Bericht>\n"
    )
    return doc.encode("utf-8")


_ACHTERNAMEN = ("Jansen", "de Vries", "Bakker", "Visser", "Smit", "Meijer", "Mulder", "Bos")
_PLAATSEN = (("0034", "Almere"), ("0363", "Amsterdam"), ("0599", "Rotterdam"))


def small_jw301(seed: int = 0) -> bytes:
    """A JW301 toewijzing (~2 KB) for one client with one toegewezen product."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not security
    gemeente, plaats = _PLAATSEN[rng.randrange(len(_PLAATSEN))]
    begin, _ = _month(rng)
    einde = date(begin.year + 1, begin.month, 1) - timedelta(days=1)
    dag = begin - timedelta(days=rng.randrange(1, 15))
    geboren = date(rng.randrange(2008, 2022), rng.randrange(1, 13), rng.randrange(1, 29))
    cat, code, eenheid, _tarief = _PRODUCTS[rng.randrange(len(_PRODUCTS))]
    naam = rng.choice(_ACHTERNAMEN)
    doc = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<jw301:Bericht xmlns:ijw="{NS_BASIS}" xmlns:jw301="http://www.istandaarden.nl/ijw/3_2/jw301/schema">'
        + header(
            "jw301",
            "436",
            afzender=gemeente,
            ontvanger=agb_code(rng),
            ident=str(rng.randrange(10**8, 10**9)),
            dag=dag,
        )
        + f"<jw301:Client><jw301:Bsn>{elfproef_bsn(rng)}</jw301:Bsn>"
        f"<jw301:Geboortedatum><ijw:Datum>{geboren}</ijw:Datum></jw301:Geboortedatum>"
        f"<jw301:Geslacht>{rng.choice('12')}</jw301:Geslacht>"
        f"<jw301:Naam><ijw:Geslachtsnaam><ijw:Achternaam>{naam}</ijw:Achternaam></ijw:Geslachtsnaam>"
        f"<ijw:Voorletters>{rng.choice('ABJKLMS')}</ijw:Voorletters><ijw:NaamGebruik>1</ijw:NaamGebruik></jw301:Naam>"
        f"<jw301:Contactgegevens><jw301:Contact><jw301:Soort>01</jw301:Soort><jw301:Adres>"
        f"<ijw:Huis><ijw:Huisnummer>{rng.randrange(1, 300)}</ijw:Huisnummer></ijw:Huis>"
        f"<ijw:Postcode>{rng.randrange(1000, 9999)}AB</ijw:Postcode><ijw:Straatnaam>Dorpsstraat</ijw:Straatnaam>"
        f"<ijw:Plaatsnaam>{plaats}</ijw:Plaatsnaam><ijw:LandCode>NL</ijw:LandCode></jw301:Adres></jw301:Contact></jw301:Contactgegevens>"
        f"<jw301:ToegewezenProducten><jw301:ToegewezenProduct>"
        f"<jw301:ToewijzingNummer>{rng.randrange(10**5, 10**6)}</jw301:ToewijzingNummer>"
        f"<jw301:Product><ijw:Categorie>{cat}</ijw:Categorie><ijw:Code>{code}</ijw:Code></jw301:Product>"
        f"<jw301:Toewijzingsdatum>{dag}</jw301:Toewijzingsdatum><jw301:Toewijzingstijd>09:30:00</jw301:Toewijzingstijd>"
        f"<jw301:Ingangsdatum>{begin}</jw301:Ingangsdatum>"
        f"<jw301:Einddatum>{einde}</jw301:Einddatum>"
        f"<jw301:Omvang><ijw:Volume>{rng.randrange(1, 20)}</ijw:Volume><ijw:Eenheid>{eenheid}</ijw:Eenheid>"
        f"<ijw:Frequentie>2</ijw:Frequentie></jw301:Omvang>"
        "</jw301:ToegewezenProduct></jw301:ToegewezenProducten></jw301:Client></jw301:Bericht>\n"
    )
    return doc.encode("utf-8")
