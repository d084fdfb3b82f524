"""iJw 3.2 heenberichten built from a `Case`: JW301, JW305, JW307, JW315, JW317, JW319 and a JW323 over cases.

Every builder returns UTF-8 bytes that are valid against the bundled and the official XSD and
pass the single-message business rules; ``ident`` is the Header Identificatie (at most 12
characters) so a caller can keep identifications unique over a stream.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta
from xml.sax.saxutils import escape

from gateway.generate.cases import Case, Client, month_end
from gateway.generate.ijw import NS_BASIS, header
from gateway.rules.history_volume import periods_touched

BERICHTCODES = {
    "JW301": "436",
    "JW305": "438",
    "JW307": "440",
    "JW315": "446",
    "JW317": "486",
    "JW319": "488",
    "JW323": "490",
}
REDEN_BEEINDIGING = ("02", "20", "31", "32", "33", "34", "35", "36", "37", "38", "39")


def _open(message_type: str, afzender: str, ontvanger: str, ident: str, dag: date) -> str:
    p = message_type.lower()
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<{p}:Bericht xmlns:ijw="{NS_BASIS}" xmlns:{p}="http://www.istandaarden.nl/ijw/3_2/{p}/schema">'
        + header(p, BERICHTCODES[message_type], afzender=afzender, ontvanger=ontvanger, ident=ident, dag=dag)
    )


def _close(message_type: str) -> bytes:
    return f"</{message_type.lower()}:Bericht>\n".encode()


def _verkorte_client(p: str, client: Client) -> str:
    """Bsn, Geboortedatum, Geslacht and the short Naam (CDT_VerkorteNaam) of JW305/JW307/JW315."""
    voorvoegsel = f"<ijw:Voorvoegsel>{client.voorvoegsel}</ijw:Voorvoegsel>" if client.voorvoegsel else ""
    return (
        f"<{p}:Bsn>{client.bsn}</{p}:Bsn>"
        f"<{p}:Geboortedatum><ijw:Datum>{client.geboren}</ijw:Datum></{p}:Geboortedatum>"
        f"<{p}:Geslacht>{client.geslacht}</{p}:Geslacht>"
        f"<{p}:Naam><ijw:Geslachtsnaam><ijw:Achternaam>{client.achternaam}</ijw:Achternaam>{voorvoegsel}"
        f"</ijw:Geslachtsnaam><ijw:Voornamen>{client.voornaam}</ijw:Voornamen>"
        f"<ijw:Voorletters>{client.voorletters}</ijw:Voorletters></{p}:Naam>"
    )


def _product(p: str, case: Case) -> str:
    return (
        f"<{p}:Product><ijw:Categorie>{case.product.categorie}</ijw:Categorie>"
        f"<ijw:Code>{case.product.code}</ijw:Code></{p}:Product>"
    )


def _omvang(p: str, volume: int, case: Case) -> str:
    return (
        f"<{p}:Omvang><ijw:Volume>{volume}</ijw:Volume><ijw:Eenheid>{case.product.eenheid}</ijw:Eenheid>"
        f"<ijw:Frequentie>{case.product.frequentie}</ijw:Frequentie></{p}:Omvang>"
    )


def jw315(case: Case, *, ident: str, dag: date) -> bytes:
    """Verzoek om toewijzing (aanbieder → gemeente) for the case's product, referred by a huisarts."""
    p = "jw315"
    return (
        _open("JW315", case.aanbieder, case.gemeente, ident, dag)
        + f"<{p}:Client>{_verkorte_client(p, case.client)}<{p}:GezagsdragerBekend>1</{p}:GezagsdragerBekend>"
        f"<{p}:AangevraagdeProducten><{p}:AangevraagdProduct>"
        f"<{p}:ReferentieAanbieder>{case.referentie}</{p}:ReferentieAanbieder>"
        + _product(p, case)
        + f"<{p}:ToewijzingIngangsdatum>{case.ingang}</{p}:ToewijzingIngangsdatum>"
        f"<{p}:ToewijzingEinddatum>{case.einde}</{p}:ToewijzingEinddatum>"
        + _omvang(p, case.volume, case)
        + f"<{p}:Verwijzer><ijw:Type>01</ijw:Type><ijw:Naam>huisarts</ijw:Naam></{p}:Verwijzer>"
        f"</{p}:AangevraagdProduct></{p}:AangevraagdeProducten></{p}:Client>"
    ).encode() + _close("JW315")


def jw301(case: Case, *, ident: str, dag: date, honoreert: bool = False) -> bytes:
    """Toewijzing (gemeente → aanbieder) of the case's product for a year, with the client's address.

    ``honoreert``: it honours the case's JW315, so it carries that verzoek's ReferentieAanbieder (TR379:
    else it stays empty).
    """
    p, c = "jw301", case.client
    referentie = f"<{p}:ReferentieAanbieder>{case.referentie}</{p}:ReferentieAanbieder>" if honoreert else ""
    voorvoegsel = f"<ijw:Voorvoegsel>{c.voorvoegsel}</ijw:Voorvoegsel>" if c.voorvoegsel else ""
    return (
        _open("JW301", case.gemeente, case.aanbieder, ident, dag) + f"<{p}:Client><{p}:Bsn>{c.bsn}</{p}:Bsn>"
        f"<{p}:Geboortedatum><ijw:Datum>{c.geboren}</ijw:Datum></{p}:Geboortedatum>"
        f"<{p}:Geslacht>{c.geslacht}</{p}:Geslacht>"
        f"<{p}:Naam><ijw:Geslachtsnaam><ijw:Achternaam>{c.achternaam}</ijw:Achternaam>{voorvoegsel}"
        f"</ijw:Geslachtsnaam><ijw:Voorletters>{c.voorletters}</ijw:Voorletters>"
        f"<ijw:NaamGebruik>1</ijw:NaamGebruik></{p}:Naam>"
        f"<{p}:Contactgegevens><{p}:Contact><{p}:Soort>01</{p}:Soort><{p}:Adres>"
        f"<ijw:Huis><ijw:Huisnummer>{c.huisnummer}</ijw:Huisnummer></ijw:Huis>"
        f"<ijw:Postcode>{c.postcode}</ijw:Postcode><ijw:Straatnaam>Dorpsstraat</ijw:Straatnaam>"
        f"<ijw:Plaatsnaam>{escape(case.plaats)}</ijw:Plaatsnaam><ijw:LandCode>NL</ijw:LandCode></{p}:Adres></{p}:Contact></{p}:Contactgegevens>"
        f"<{p}:ToegewezenProducten><{p}:ToegewezenProduct>"
        f"<{p}:ToewijzingNummer>{case.toewijzingnummer}</{p}:ToewijzingNummer>{referentie}"
        + _product(p, case)
        + f"<{p}:Toewijzingsdatum>{dag}</{p}:Toewijzingsdatum><{p}:Toewijzingstijd>09:30:00</{p}:Toewijzingstijd>"
        f"<{p}:Ingangsdatum>{case.ingang}</{p}:Ingangsdatum><{p}:Einddatum>{case.einde}</{p}:Einddatum>"
        + _omvang(p, case.volume, case)
        + f"</{p}:ToegewezenProduct></{p}:ToegewezenProducten></{p}:Client>"
    ).encode() + _close("JW301")


def jw305(case: Case, *, ident: str, dag: date, begin: date) -> bytes:
    """Start zorg (aanbieder → gemeente) of the case's toewijzing on ``begin``."""
    p = "jw305"
    return (
        _open("JW305", case.aanbieder, case.gemeente, ident, dag)
        + f"<{p}:Client>{_verkorte_client(p, case.client)}<{p}:StartProducten><{p}:StartProduct>"
        f"<{p}:ToewijzingNummer>{case.toewijzingnummer}</{p}:ToewijzingNummer>"
        + _product(p, case)
        + f"<{p}:ToewijzingIngangsdatum>{case.ingang}</{p}:ToewijzingIngangsdatum>"
        f"<{p}:Begindatum>{begin}</{p}:Begindatum><{p}:StatusAanlevering>1</{p}:StatusAanlevering>"
        f"</{p}:StartProduct></{p}:StartProducten></{p}:Client>"
    ).encode() + _close("JW305")


def jw307(case: Case, *, ident: str, dag: date, begin: date, einde: date, reden: str) -> bytes:
    """Stop zorg (aanbieder → gemeente): care that started on ``begin`` ended on ``einde`` for ``reden``."""
    p = "jw307"
    return (
        _open("JW307", case.aanbieder, case.gemeente, ident, dag)
        + f"<{p}:Client>{_verkorte_client(p, case.client)}<{p}:StopProducten><{p}:StopProduct>"
        f"<{p}:ToewijzingNummer>{case.toewijzingnummer}</{p}:ToewijzingNummer>"
        + _product(p, case)
        + f"<{p}:ToewijzingIngangsdatum>{case.ingang}</{p}:ToewijzingIngangsdatum>"
        f"<{p}:Begindatum>{begin}</{p}:Begindatum><{p}:RedenBeeindiging>{reden}</{p}:RedenBeeindiging>"
        f"<{p}:Einddatum>{einde}</{p}:Einddatum><{p}:StatusAanlevering>1</{p}:StatusAanlevering>"
        f"</{p}:StopProduct></{p}:StopProducten></{p}:Client>"
    ).encode() + _close("JW307")


def jw317(case: Case, *, ident: str, dag: date, referentie: str, wijziging: date, nieuw: Case | None) -> bytes:
    """Verzoek om wijziging (aanbieder → gemeente): more volume from ``wijziging`` on, optionally a new product."""
    p = "jw317"
    nieuwe = ""
    if nieuw is not None:
        nieuwe = (
            f"<{p}:NieuweProducten><{p}:NieuwProduct>"
            + _product(p, nieuw)
            + f"<{p}:GewensteIngangsdatum>{wijziging}</{p}:GewensteIngangsdatum>"
            f"<{p}:Einddatum>{case.einde}</{p}:Einddatum>"
            + _omvang(p, nieuw.volume, nieuw)
            + f"</{p}:NieuwProduct></{p}:NieuweProducten>"
        )
    return (
        _open("JW317", case.aanbieder, case.gemeente, ident, dag)
        + f"<{p}:Client><{p}:Bsn>{case.client.bsn}</{p}:Bsn><{p}:Verzoek>"
        f"<{p}:ReferentieAanbieder>{referentie}</{p}:ReferentieAanbieder><{p}:RedenVerzoek>1</{p}:RedenVerzoek>"
        f"<{p}:TeWijzigenProducten><{p}:TeWijzigenProduct>"
        f"<{p}:ToewijzingNummer>{case.toewijzingnummer}</{p}:ToewijzingNummer>"
        f"<{p}:GewensteIngangsdatum>{wijziging}</{p}:GewensteIngangsdatum>"
        f"<{p}:Einddatum>{case.einde}</{p}:Einddatum>"
        + _omvang(p, case.volume + 2, case)
        + f"</{p}:TeWijzigenProduct></{p}:TeWijzigenProducten>{nieuwe}</{p}:Verzoek></{p}:Client>"
    ).encode() + _close("JW317")


def jw319(case: Case, *, ident: str, dag: date, referentie: str, antwoord: str, reden: str | None) -> bytes:
    """Antwoord op een verzoek (gemeente → aanbieder): ``antwoord`` 1 afgewezen (with ``reden``) or 2 in onderzoek.

    Reden 8 (woonplaatsbeginsel) names the gemeente that is responsible instead.
    """
    p = "jw319"
    extra = f"<{p}:RedenAfwijzingVerzoek>{reden}</{p}:RedenAfwijzingVerzoek>" if reden else ""
    if reden == "8":
        other = "0363" if case.gemeente != "0363" else "0599"
        extra += f"<{p}:Woonplaatsbeginsel><{p}:Gemeente>{other}</{p}:Gemeente></{p}:Woonplaatsbeginsel>"
    return (
        _open("JW319", case.gemeente, case.aanbieder, ident, dag)
        + f"<{p}:Antwoord><{p}:ReferentieAanbieder>{referentie}</{p}:ReferentieAanbieder>"
        f"<{p}:VerzoekAntwoord>{antwoord}</{p}:VerzoekAntwoord>{extra}</{p}:Antwoord>"
    ).encode() + _close("JW319")


def jw323(
    cases: Sequence[Case], *, ident: str, month: date, dag: date, nummer: str, rng: random.Random, reference: str
) -> bytes:
    """Declaratie (aanbieder → gemeente) over ``month`` for all ``cases`` of one aanbieder and gemeente.

    Each case gets one debet Prestatie over the whole month; ReferentieNummers are ``reference``
    plus a counter, so they are unique as long as ``reference`` is.
    """
    p = "jw323"
    first, last = month, month_end(month)
    parts: list[str] = []
    total = 0
    for i, case in enumerate(cases):
        product = case.product
        volume = rng.randrange(1, 40 if product.eenheid == "04" else 31)
        volume = min(volume, case.volume * (periods_touched(product.frequentie, first, last) or 1))  # TR321
        bedrag = volume * product.tarief
        total += bedrag
        parts.append(
            f"<{p}:Client><{p}:Bsn>{case.client.bsn}</{p}:Bsn><{p}:Prestaties><{p}:Prestatie>"
            f"<{p}:ProductReferentie><ijw:ReferentieNummer>{reference}x{i}</ijw:ReferentieNummer>"
            f"</{p}:ProductReferentie><{p}:ToewijzingNummer>{case.toewijzingnummer}</{p}:ToewijzingNummer>"
            f"<{p}:ProductCategorie>{product.categorie}</{p}:ProductCategorie>"
            f"<{p}:ProductCode>{product.code}</{p}:ProductCode>"
            f"<{p}:ProductPeriode><ijw:Begindatum>{first}</ijw:Begindatum><ijw:Einddatum>{last}</ijw:Einddatum>"
            f"</{p}:ProductPeriode><{p}:GeleverdVolume>{volume}</{p}:GeleverdVolume>"
            f"<{p}:Eenheid>{product.eenheid}</{p}:Eenheid><{p}:ProductTarief>{product.tarief}</{p}:ProductTarief>"
            f"<{p}:IngediendBedrag><ijw:Bedrag>{bedrag}</ijw:Bedrag><ijw:DebetCredit>D</ijw:DebetCredit>"
            f"</{p}:IngediendBedrag></{p}:Prestatie></{p}:Prestaties></{p}:Client>"
        )
    head = cases[0]
    return (
        _open("JW323", head.aanbieder, head.gemeente, ident, dag)
        + f"<{p}:Declaratie><{p}:DeclaratieNummer>{nummer}</{p}:DeclaratieNummer>"
        f"<{p}:DeclaratiePeriode><ijw:Begindatum>{first}</ijw:Begindatum><ijw:Einddatum>{last}</ijw:Einddatum>"
        f"</{p}:DeclaratiePeriode><{p}:DeclaratieDagtekening>{dag}</{p}:DeclaratieDagtekening>"
        f"<{p}:TotaalIngediendBedrag><ijw:TotaalBedrag>{total}</ijw:TotaalBedrag>"
        f"<ijw:DebetCredit>D</ijw:DebetCredit></{p}:TotaalIngediendBedrag><{p}:Clienten>"
        + "".join(parts)
        + f"</{p}:Clienten></{p}:Declaratie>"
    ).encode() + _close("JW323")


NS_BASIS_23 = "http://www.istandaarden.nl/ijw/2_3/basisschema/schema"


def jw303_v23(
    cases: Sequence[Case], *, nummer: str, month: date, dag: date, rng: random.Random, reference: str
) -> bytes:
    """iJw 2.3 declaratie/factuur (aanbieder → gemeente) over ``month``, BTW-vrijgesteld, one Prestatie per case.

    ``nummer`` is the DeclarantFactuurNummer (letters and digits, at most 12), which 2.3 uses
    where 3.2 has the Header Identificatie.
    """
    p = "jw303"
    first, last = month, month_end(month)
    parts: list[str] = []
    total = 0
    for i, case in enumerate(cases):
        product, c = case.product, case.client
        volume = rng.randrange(1, 40 if product.eenheid == "04" else 31)
        bedrag = volume * product.tarief
        total += bedrag
        voorvoegsel = f"<ijw:Voorvoegsel>{c.voorvoegsel}</ijw:Voorvoegsel>" if c.voorvoegsel else ""
        parts.append(
            f"<{p}:Client><{p}:Bsn>{c.bsn}</{p}:Bsn>"
            f"<{p}:Geboortedatum><ijw:Datum>{c.geboren}</ijw:Datum></{p}:Geboortedatum>"
            f"<{p}:Geslacht>{c.geslacht}</{p}:Geslacht>"
            f"<{p}:Naam><ijw:Geslachtsnaam><ijw:Achternaam>{c.achternaam}</ijw:Achternaam>{voorvoegsel}"
            f"</ijw:Geslachtsnaam><ijw:Voorletters>{c.voorletters}</ijw:Voorletters></{p}:Naam>"
            f"<{p}:Prestaties><{p}:Prestatie><{p}:ToewijzingNummer>{case.toewijzingnummer}</{p}:ToewijzingNummer>"
            f"<{p}:ProductCategorie>{product.categorie}</{p}:ProductCategorie>"
            f"<{p}:ProductCode>{product.code}</{p}:ProductCode>"
            f"<{p}:ProductPeriode><ijw:Begindatum>{first}</ijw:Begindatum><ijw:Einddatum>{last}</ijw:Einddatum>"
            f"</{p}:ProductPeriode><{p}:IngediendeBedragPrestatie><ijw:GeleverdVolume>{volume}</ijw:GeleverdVolume>"
            f"<ijw:Eenheid>{product.eenheid}</ijw:Eenheid><ijw:ProductTarief>{product.tarief}</ijw:ProductTarief>"
            f"<ijw:BerekendBedrag><ijw:Bedrag>{bedrag}</ijw:Bedrag><ijw:DebetCredit>D</ijw:DebetCredit>"
            f"</ijw:BerekendBedrag><ijw:BtwVrijstellingIndicatie>1</ijw:BtwVrijstellingIndicatie>"
            f"<ijw:DeclaratieFactuurBedrag><ijw:Bedrag>{bedrag}</ijw:Bedrag><ijw:DebetCredit>D</ijw:DebetCredit>"
            f"</ijw:DeclaratieFactuurBedrag></{p}:IngediendeBedragPrestatie>"
            f"<{p}:ProductReferentie><ijw:ReferentieNummer>{reference}x{i}</ijw:ReferentieNummer>"
            f"</{p}:ProductReferentie></{p}:Prestatie></{p}:Prestaties></{p}:Client>"
        )
    head = cases[0]
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<{p}:Bericht xmlns:ijw="{NS_BASIS_23}" xmlns:{p}="http://www.istandaarden.nl/ijw/2_3/{p}/schema">'
        f"<{p}:Header><{p}:BerichtCode>432</{p}:BerichtCode><{p}:BerichtVersie>2</{p}:BerichtVersie>"
        f"<{p}:BerichtSubversie>3</{p}:BerichtSubversie><{p}:Gemeente>{head.gemeente}</{p}:Gemeente>"
        f"<{p}:Aanbieder>{head.aanbieder}</{p}:Aanbieder><{p}:BetalingAanID>01</{p}:BetalingAanID>"
        f"<{p}:DeclaratieFactuurIdentificatie><ijw:DeclaratiePeriode><ijw:Begindatum>{first}</ijw:Begindatum>"
        f"<ijw:Einddatum>{last}</ijw:Einddatum></ijw:DeclaratiePeriode>"
        f"<ijw:DeclarantFactuurNummer>{nummer}</ijw:DeclarantFactuurNummer>"
        f"<ijw:FactuurDagtekening>{dag}</ijw:FactuurDagtekening><ijw:ValutaCode>EUR</ijw:ValutaCode>"
        f"</{p}:DeclaratieFactuurIdentificatie><{p}:DeclaratieFactuurBedragen><ijw:DeclaratieFactuurTotaalBedrag>"
        f"<ijw:TotaalBedrag>{total}</ijw:TotaalBedrag><ijw:DebetCredit>D</ijw:DebetCredit>"
        f"</ijw:DeclaratieFactuurTotaalBedrag></{p}:DeclaratieFactuurBedragen></{p}:Header>"
        f"<{p}:Clienten>" + "".join(parts) + f"</{p}:Clienten>"
    ).encode() + _close("JW303")


def days_after(start: date, rng: random.Random, low: int, high: int) -> date:
    """A date ``low``..``high`` days after ``start``."""
    return start + timedelta(days=rng.randrange(low, high + 1))


__all__ = [
    "BERICHTCODES",
    "REDEN_BEEINDIGING",
    "days_after",
    "jw301",
    "jw305",
    "jw307",
    "jw315",
    "jw317",
    "jw319",
    "jw323",
]
