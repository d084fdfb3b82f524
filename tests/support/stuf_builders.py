"""Builders for StUF-Jeugdzorg 1.0.9 (CORV) messages that the official schemas accept.

``build_di01(root, ...)`` returns a minimal but realistic Di01 message for any of the
thirteen message roots of the four official message groups; ``build_bv03`` and
``build_fo03`` build the StUF acknowledgement and error replies. ``STUF_DI01_ROOTS`` maps
each Di01 root to the folder of the official resolved schema set that declares it (the
jr group's roots are also repeated in the vt set; the jr folder is the canonical one).

The bodies hold exactly the content the official schemas require (plus the attributes
they require), with plausible values; envelope values come from the caller. Every
document is checked against the official schemas in ``tests/schemas/test_stuf_jz_envelope.py``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from xml.sax.saxutils import escape

from lxml import etree

__all__ = [
    "BG_NS",
    "JZ_NS",
    "STUF_DI01_ROOTS",
    "STUF_NS",
    "ZKN_NS",
    "build_bv03",
    "build_di01",
    "build_fo03",
    "stuf_tijdstip",
]

JZ_NS = "http://www.stufstandaarden.nl/koppelvlak/jz0100"
STUF_NS = "http://www.egem.nl/StUF/StUF0301"
ZKN_NS = "http://www.egem.nl/StUF/sector/zkn/0310"
BG_NS = "http://www.egem.nl/StUF/sector/bg/0310"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"

STUF_DI01_ROOTS: dict[str, str] = {
    "vtoDi01": "jrberichten",
    "notificatieDi01": "jrberichten",
    "notificatiejrDi01": "jrberichten",
    "zorgmeldingDi01": "jrberichten",
    "zorgmeldingTerugkoppelingDi01": "jrberichten",
    "vtMeldingDi01": "vtberichten",
    "vtTerugkoppelingDi01": "vtberichten",
    "vcobDi01": "vvberichten",
    "ucobDi01": "vvberichten",
    "vciDi01": "vvberichten",
    "uciDi01": "vvberichten",
    "meldingGeneriekDi01": "gmberichten",
    "uitkomstMeldingGeneriekDi01": "gmberichten",
}

# Di01 roots whose official stuurgegevens carry a mandatory crossRefnummer.
_CROSSREF_ROOTS = frozenset({"ucobDi01", "uciDi01"})

_NS_DECL = f'xmlns:JZ="{JZ_NS}" xmlns:StUF="{STUF_NS}" xmlns:ZKN="{ZKN_NS}" xmlns:BG="{BG_NS}" xmlns:xsi="{XSI_NS}"'

# Message content after <stuurgegevens>, per root (prefixes JZ, StUF, ZKN, BG as above).
_BODIES: dict[str, str] = {
    "vtoDi01": """\
<JZ:object StUF:entiteittype="ZAK">
  <ZKN:identificatie>JZ-2026-000123</ZKN:identificatie>
  <ZKN:startdatum>20260115</ZKN:startdatum>
  <ZKN:registratiedatum>20260115</ZKN:registratiedatum>
  <StUF:extraElementen>
    <StUF:extraElement naam="verzoeker">verzoeker</StUF:extraElement>
  </StUF:extraElementen>
  <ZKN:isVan StUF:entiteittype="ZAKZKT">
    <ZKN:gerelateerde StUF:entiteittype="ZKT">
      <ZKN:omschrijvingGeneriek>Overwegen kinderbeschermingsmaatregel</ZKN:omschrijvingGeneriek>
    </ZKN:gerelateerde>
  </ZKN:isVan>
  <ZKN:heeftBetrekkingOp StUF:entiteittype="ZAKOBJ">
    <ZKN:gerelateerde StUF:entiteittype="OBJ">
      <ZKN:natuurlijkPersoon StUF:entiteittype="NPS"/>
    </ZKN:gerelateerde>
    <ZKN:omschrijving>Client (kind)</ZKN:omschrijving>
  </ZKN:heeftBetrekkingOp>
  <ZKN:heeftAlsBelanghebbende StUF:entiteittype="ZAKBTRBLH">
    <ZKN:gerelateerde StUF:entiteittype="BTR">
      <ZKN:natuurlijkPersoon StUF:entiteittype="NPS">
        <BG:geslachtsnaam>Jansen</BG:geslachtsnaam>
      </ZKN:natuurlijkPersoon>
    </ZKN:gerelateerde>
    <ZKN:omschrijving>broer of zus</ZKN:omschrijving>
  </ZKN:heeftAlsBelanghebbende>
  <ZKN:heeftAlsUitvoerende StUF:entiteittype="ZAKBTRUTV">
    <ZKN:gerelateerde StUF:entiteittype="BTR">
      <ZKN:medewerker StUF:entiteittype="MDW">
        <ZKN:achternaam>de Vries</ZKN:achternaam>
      </ZKN:medewerker>
      <ZKN:medewerker StUF:entiteittype="MDW">
        <ZKN:achternaam>de Vries</ZKN:achternaam>
      </ZKN:medewerker>
    </ZKN:gerelateerde>
  </ZKN:heeftAlsUitvoerende>
  <ZKN:heeftBetrekkingOpAndere StUF:entiteittype="ZAKZAKBTR">
    <ZKN:gerelateerde StUF:entiteittype="ZAK">
      <ZKN:isVan StUF:entiteittype="ZAKZKT">
        <ZKN:gerelateerde StUF:entiteittype="ZKT">
          <ZKN:omschrijvingGeneriek>Uitvoeren onderzoek kinderbeschermingsmaatregel</ZKN:omschrijvingGeneriek>
        </ZKN:gerelateerde>
      </ZKN:isVan>
    </ZKN:gerelateerde>
  </ZKN:heeftBetrekkingOpAndere>
  <ZKN:heeftRelevant StUF:entiteittype="ZAKEDC">
    <ZKN:gerelateerde StUF:entiteittype="EDC">
      <ZKN:identificatie>JZ-2026-000123</ZKN:identificatie>
      <ZKN:dct.omschrijving>Verzoek tot onderzoek RvdK</ZKN:dct.omschrijving>
      <ZKN:creatiedatum>20260115</ZKN:creatiedatum>
      <ZKN:inhoud StUF:bestandsnaam="verzoek.pdf">SGFsbG8=</ZKN:inhoud>
    </ZKN:gerelateerde>
  </ZKN:heeftRelevant>
</JZ:object>
""",
    "notificatieDi01": """\
<JZ:object StUF:entiteittype="ZAK">
  <ZKN:isVan StUF:entiteittype="ZAKZKT">
    <ZKN:gerelateerde StUF:entiteittype="ZKT">
      <ZKN:omschrijvingGeneriek>Uitvoeren onderzoek kinderbeschermingsmaatregel</ZKN:omschrijvingGeneriek>
    </ZKN:gerelateerde>
  </ZKN:isVan>
  <ZKN:heeftBetrekkingOp StUF:entiteittype="ZAKOBJ">
    <ZKN:gerelateerde StUF:entiteittype="OBJ">
      <ZKN:natuurlijkPersoon StUF:entiteittype="NPS"/>
    </ZKN:gerelateerde>
    <ZKN:omschrijving>Client (kind)</ZKN:omschrijving>
  </ZKN:heeftBetrekkingOp>
  <ZKN:heeft StUF:entiteittype="ZAKSTT">
    <ZKN:gerelateerde StUF:entiteittype="STT">
      <ZKN:omschrijving>Intake afgerond</ZKN:omschrijving>
    </ZKN:gerelateerde>
    <ZKN:datumStatusGezet>20260115093000000</ZKN:datumStatusGezet>
  </ZKN:heeft>
</JZ:object>
""",
    "notificatiejrDi01": """\
<JZ:object StUF:entiteittype="ZAK">
  <StUF:extraElementen>
    <StUF:extraElement naam="verzoeker">verzoeker</StUF:extraElement>
  </StUF:extraElementen>
  <ZKN:isVan StUF:entiteittype="ZAKZKT">
    <ZKN:gerelateerde StUF:entiteittype="ZKT">
      <ZKN:omschrijvingGeneriek>Signaal behandelen</ZKN:omschrijvingGeneriek>
    </ZKN:gerelateerde>
  </ZKN:isVan>
  <ZKN:heeftBetrekkingOp StUF:entiteittype="ZAKOBJ">
    <ZKN:gerelateerde StUF:entiteittype="OBJ">
      <ZKN:natuurlijkPersoon StUF:entiteittype="NPS"/>
    </ZKN:gerelateerde>
    <ZKN:omschrijving>jeugdige</ZKN:omschrijving>
  </ZKN:heeftBetrekkingOp>
</JZ:object>
""",
    "zorgmeldingDi01": """\
<JZ:object StUF:entiteittype="ZAK">
  <ZKN:kenmerk>
    <ZKN:kenmerk>ZM-2026-0042</ZKN:kenmerk>
    <ZKN:bron>Zorgmelding</ZKN:bron>
  </ZKN:kenmerk>
  <StUF:extraElementen>
    <StUF:extraElement naam="verzoeker">verzoeker</StUF:extraElement>
  </StUF:extraElementen>
  <ZKN:isVan StUF:entiteittype="ZAKZKT">
    <ZKN:gerelateerde StUF:entiteittype="ZKT">
      <ZKN:omschrijvingGeneriek>Signaal behandelen</ZKN:omschrijvingGeneriek>
    </ZKN:gerelateerde>
  </ZKN:isVan>
  <ZKN:heeftAlsInitiator StUF:entiteittype="ZAKBTRINI">
    <ZKN:heeftAlsAanspreekpunt StUF:entiteittype="ZAKBTRINICTP">
      <ZKN:gerelateerde StUF:entiteittype="CTP">
        <ZKN:naam>Team Jeugd Utrecht</ZKN:naam>
      </ZKN:gerelateerde>
    </ZKN:heeftAlsAanspreekpunt>
  </ZKN:heeftAlsInitiator>
  <ZKN:heeftRelevant StUF:entiteittype="ZAKEDC">
    <ZKN:gerelateerde StUF:entiteittype="EDC">
      <ZKN:dct.omschrijving>Zorgmelding</ZKN:dct.omschrijving>
      <ZKN:creatiedatum>20260115</ZKN:creatiedatum>
      <ZKN:inhoud>SGFsbG8=</ZKN:inhoud>
    </ZKN:gerelateerde>
  </ZKN:heeftRelevant>
</JZ:object>
""",
    "zorgmeldingTerugkoppelingDi01": """\
<JZ:object StUF:entiteittype="ZAK">
  <ZKN:identificatie>JZ-2026-000123</ZKN:identificatie>
  <ZKN:kenmerk>
    <ZKN:kenmerk>ZM-2026-0042</ZKN:kenmerk>
    <ZKN:bron>Zorgmelding</ZKN:bron>
  </ZKN:kenmerk>
  <ZKN:resultaat>
    <ZKN:omschrijving>Geen actie nodig</ZKN:omschrijving>
  </ZKN:resultaat>
  <ZKN:isVan StUF:entiteittype="ZAKZKT">
    <ZKN:gerelateerde>
      <ZKN:omschrijvingGeneriek>Signaal behandelen</ZKN:omschrijvingGeneriek>
    </ZKN:gerelateerde>
  </ZKN:isVan>
  <ZKN:heeftAlsInitiator StUF:entiteittype="ZAKBTRINI">
    <ZKN:heeftAlsAanspreekpunt StUF:entiteittype="ZAKBTRINICTP">
      <ZKN:gerelateerde StUF:entiteittype="CTP">
        <ZKN:naam>Team Jeugd Utrecht</ZKN:naam>
      </ZKN:gerelateerde>
    </ZKN:heeftAlsAanspreekpunt>
  </ZKN:heeftAlsInitiator>
</JZ:object>
""",
    "vtMeldingDi01": """\
<JZ:object StUF:entiteittype="VTM">
  <JZ:identificatieVtMelding>VT-2026-000017</JZ:identificatieVtMelding>
  <JZ:datumMelding>20260115</JZ:datumMelding>
  <JZ:datumIncident>20260115</JZ:datumIncident>
  <JZ:locatieIncident>Utrecht</JZ:locatieIncident>
  <JZ:omschrijvingIncident>Huiselijk geweld gemeld door politie</JZ:omschrijvingIncident>
  <JZ:indicatieAgenderingAfstemmingsoverlegGewenst>Ja</JZ:indicatieAgenderingAfstemmingsoverlegGewenst>
  <JZ:contactgegevensVerdiepingOpInfo/>
  <JZ:indicatieSASHIngevuld>Ja</JZ:indicatieSASHIngevuld>
  <JZ:betreft StUF:entiteittype="VTMZOS">
    <JZ:gerelateerde StUF:entiteittype="ZOS">
      <JZ:omschrijvingZorgelijkeSituatie>Zorgen over de thuissituatie</JZ:omschrijvingZorgelijkeSituatie>
      <JZ:heeftBetrokken StUF:entiteittype="ZOSNPS">
        <JZ:gerelateerde>
          <BG:geslachtsnaam>Jansen</BG:geslachtsnaam>
          <BG:geslachtsaanduiding>M</BG:geslachtsaanduiding>
        </JZ:gerelateerde>
        <JZ:jeugzorgrol>broer of zus</JZ:jeugzorgrol>
      </JZ:heeftBetrokken>
    </JZ:gerelateerde>
  </JZ:betreft>
  <JZ:isIngediendDoor StUF:entiteittype="VTMBTR">
    <JZ:gerelateerde/>
  </JZ:isIngediendDoor>
</JZ:object>
""",
    "vtTerugkoppelingDi01": """\
<JZ:object StUF:entiteittype="ZAK">
  <ZKN:status>melding niet ontvankelijk</ZKN:status>
  <ZKN:naarAanleidingVan StUF:entiteittype="ZAKVTM">
    <ZKN:gerelateerde StUF:entiteittype="VTM">
      <JZ:identificatieVtMelding>VT-2026-000017</JZ:identificatieVtMelding>
    </ZKN:gerelateerde>
  </ZKN:naarAanleidingVan>
  <ZKN:isUitgevoerdDoor StUF:entiteittype="ZAKBTR">
    <ZKN:gerelateerde>
      <ZKN:naam>Team Jeugd Utrecht</ZKN:naam>
      <ZKN:oinNummer>00000000000000000001</ZKN:oinNummer>
    </ZKN:gerelateerde>
  </ZKN:isUitgevoerdDoor>
</JZ:object>
""",
    "vcobDi01": """\
<JZ:object StUF:entiteittype="VVZ">
  <JZ:identificatie>JZ-2026-000123</JZ:identificatie>
  <JZ:soortVerzoeker>01</JZ:soortVerzoeker>
  <JZ:redenVerzoek>
    <JZ:code>01</JZ:code>
  </JZ:redenVerzoek>
  <JZ:heeftBetrekkingOp>
    <ZKN:gerelateerde>
      <ZKN:natuurlijkPersoon StUF:entiteittype="NPS">
        <BG:geslachtsnaam>Jansen</BG:geslachtsnaam>
      </ZKN:natuurlijkPersoon>
    </ZKN:gerelateerde>
  </JZ:heeftBetrekkingOp>
  <JZ:heeftAlsInitiator StUF:entiteittype="ZAKBTRINI">
    <ZKN:gerelateerde StUF:entiteittype="BTR">
      <ZKN:organisatorischeEenheid>
        <ZKN:identificatie>JZ-2026-000123</ZKN:identificatie>
        <ZKN:naam>Team Jeugd Utrecht</ZKN:naam>
      </ZKN:organisatorischeEenheid>
    </ZKN:gerelateerde>
  </JZ:heeftAlsInitiator>
</JZ:object>
""",
    "ucobDi01": """\
<JZ:object StUF:entiteittype="VVZ">
  <JZ:identificatie>JZ-2026-000123</JZ:identificatie>
  <JZ:verzoekidentificatie>VZ-2026-000045</JZ:verzoekidentificatie>
  <JZ:heeftBetrekkingOp StUF:entiteittype="ZAKOBJ">
    <ZKN:gerelateerde>
      <ZKN:natuurlijkPersoon StUF:entiteittype="NPS">
        <BG:geslachtsnaam>Jansen</BG:geslachtsnaam>
      </ZKN:natuurlijkPersoon>
    </ZKN:gerelateerde>
    <ZKN:indicatieBekend>J</ZKN:indicatieBekend>
  </JZ:heeftBetrekkingOp>
  <JZ:heeftAlsInitiator StUF:entiteittype="ZAKBTRINI">
    <ZKN:gerelateerde StUF:entiteittype="BTR">
      <ZKN:organisatorischeEenheid>
        <ZKN:identificatie>JZ-2026-000123</ZKN:identificatie>
        <ZKN:naam>Team Jeugd Utrecht</ZKN:naam>
      </ZKN:organisatorischeEenheid>
    </ZKN:gerelateerde>
  </JZ:heeftAlsInitiator>
  <JZ:heeftAlsUitvoerende>
    <ZKN:gerelateerde>
      <ZKN:organisatorischeEenheid>
        <ZKN:identificatie>JZ-2026-000123</ZKN:identificatie>
        <ZKN:naam>Team Jeugd Utrecht</ZKN:naam>
      </ZKN:organisatorischeEenheid>
    </ZKN:gerelateerde>
  </JZ:heeftAlsUitvoerende>
</JZ:object>
""",
    "vciDi01": """\
<JZ:object StUF:entiteittype="VVZ">
  <JZ:identificatie>JZ-2026-000123</JZ:identificatie>
  <JZ:soortVerzoeker>01</JZ:soortVerzoeker>
  <JZ:redenVerzoek>
    <JZ:code>01</JZ:code>
  </JZ:redenVerzoek>
  <JZ:specifiekeVraag>
    <JZ:code>01</JZ:code>
  </JZ:specifiekeVraag>
  <JZ:heeftBetrekkingOp>
    <ZKN:gerelateerde>
      <ZKN:natuurlijkPersoon StUF:entiteittype="NPS">
        <BG:geslachtsnaam>Jansen</BG:geslachtsnaam>
      </ZKN:natuurlijkPersoon>
    </ZKN:gerelateerde>
  </JZ:heeftBetrekkingOp>
  <JZ:heeftAlsInitiator StUF:entiteittype="ZAKBTRINI">
    <ZKN:gerelateerde StUF:entiteittype="BTR">
      <ZKN:organisatorischeEenheid>
        <ZKN:identificatie>JZ-2026-000123</ZKN:identificatie>
        <ZKN:naam>Team Jeugd Utrecht</ZKN:naam>
      </ZKN:organisatorischeEenheid>
    </ZKN:gerelateerde>
  </JZ:heeftAlsInitiator>
</JZ:object>
""",
    "uciDi01": """\
<JZ:object StUF:entiteittype="VVZ">
  <JZ:identificatie>JZ-2026-000123</JZ:identificatie>
  <JZ:verzoekidentificatie>VZ-2026-000045</JZ:verzoekidentificatie>
  <JZ:heeftBetrekkingOp StUF:entiteittype="ZAKOBJ">
    <ZKN:gerelateerde>
      <ZKN:natuurlijkPersoon StUF:entiteittype="NPS">
        <BG:geslachtsnaam>Jansen</BG:geslachtsnaam>
      </ZKN:natuurlijkPersoon>
    </ZKN:gerelateerde>
    <ZKN:indicatieBekend>J</ZKN:indicatieBekend>
  </JZ:heeftBetrekkingOp>
  <JZ:heeftAlsInitiator StUF:entiteittype="ZAKBTRINI">
    <ZKN:gerelateerde StUF:entiteittype="BTR">
      <ZKN:organisatorischeEenheid>
        <ZKN:identificatie>JZ-2026-000123</ZKN:identificatie>
        <ZKN:naam>Team Jeugd Utrecht</ZKN:naam>
      </ZKN:organisatorischeEenheid>
    </ZKN:gerelateerde>
  </JZ:heeftAlsInitiator>
  <JZ:heeftAlsUitvoerende>
    <ZKN:gerelateerde>
      <ZKN:organisatorischeEenheid>
        <ZKN:identificatie>JZ-2026-000123</ZKN:identificatie>
        <ZKN:naam>Team Jeugd Utrecht</ZKN:naam>
      </ZKN:organisatorischeEenheid>
    </ZKN:gerelateerde>
  </JZ:heeftAlsUitvoerende>
</JZ:object>
""",
    "meldingGeneriekDi01": """\
<JZ:object StUF:entiteittype="ZAK">
  <ZKN:identificatie>JZ-2026-000123</ZKN:identificatie>
  <ZKN:heeftBetrekkingOp>
    <ZKN:gerelateerde>
      <ZKN:natuurlijkPersoon>
        <BG:geslachtsnaam>Jansen</BG:geslachtsnaam>
        <BG:voornamen>Sanne</BG:voornamen>
        <BG:geslachtsaanduiding>M</BG:geslachtsaanduiding>
        <BG:adres>
          <BG:soortadres>01</BG:soortadres>
          <BG:nederlandsadres>
            <BG:wpl.woonplaatsNaam>Utrecht</BG:wpl.woonplaatsNaam>
            <BG:aoa.postcode>1234AB</BG:aoa.postcode>
          </BG:nederlandsadres>
        </BG:adres>
      </ZKN:natuurlijkPersoon>
    </ZKN:gerelateerde>
    <ZKN:hoedanigheid>001</ZKN:hoedanigheid>
  </ZKN:heeftBetrekkingOp>
  <ZKN:heeftAlsInitiator StUF:entiteittype="ZAKBTRINI">
    <ZKN:gerelateerde StUF:entiteittype="BTR">
      <ZKN:organisatorischeEenheid>
        <ZKN:identificatie>JZ-2026-000123</ZKN:identificatie>
        <ZKN:naam>Team Jeugd Utrecht</ZKN:naam>
      </ZKN:organisatorischeEenheid>
    </ZKN:gerelateerde>
  </ZKN:heeftAlsInitiator>
  <ZKN:heeftAlsUitvoerende>
    <ZKN:gerelateerde>
      <ZKN:organisatorischeEenheid>
        <ZKN:identificatie>JZ-2026-000123</ZKN:identificatie>
        <ZKN:naam>Team Jeugd Utrecht</ZKN:naam>
      </ZKN:organisatorischeEenheid>
    </ZKN:gerelateerde>
  </ZKN:heeftAlsUitvoerende>
  <ZKN:betreft StUF:entiteittype="ZAKZOS">
    <ZKN:gerelateerde StUF:entiteittype="ZOS">
      <JZ:omschrijvingZorgelijkeSituatie>Zorgen over de thuissituatie</JZ:omschrijvingZorgelijkeSituatie>
    </ZKN:gerelateerde>
  </ZKN:betreft>
  <JZ:datumTijdMelding>20260115093000000</JZ:datumTijdMelding>
  <JZ:soortmeldingCode>NAZ</JZ:soortmeldingCode>
  <JZ:redenMelding/>
  <JZ:verzoekOmschrijving>Verzoek om afstemming</JZ:verzoekOmschrijving>
</JZ:object>
""",
    "uitkomstMeldingGeneriekDi01": """\
<JZ:object StUF:entiteittype="ZAK">
  <ZKN:identificatie>JZ-2026-000123</ZKN:identificatie>
  <ZKN:heeftAlsInitiator StUF:entiteittype="ZAKBTRINI">
    <ZKN:gerelateerde StUF:entiteittype="BTR">
      <ZKN:organisatorischeEenheid>
        <ZKN:identificatie>JZ-2026-000123</ZKN:identificatie>
        <ZKN:naam>Team Jeugd Utrecht</ZKN:naam>
      </ZKN:organisatorischeEenheid>
    </ZKN:gerelateerde>
  </ZKN:heeftAlsInitiator>
  <ZKN:heeftAlsUitvoerende>
    <ZKN:gerelateerde>
      <ZKN:organisatorischeEenheid>
        <ZKN:identificatie>JZ-2026-000123</ZKN:identificatie>
        <ZKN:naam>Team Jeugd Utrecht</ZKN:naam>
      </ZKN:organisatorischeEenheid>
    </ZKN:gerelateerde>
  </ZKN:heeftAlsUitvoerende>
  <JZ:uwIdentificatie>GM-2026-000321</JZ:uwIdentificatie>
  <JZ:soortmeldingCode>NAZ</JZ:soortmeldingCode>
  <JZ:statuscode>VT-00</JZ:statuscode>
</JZ:object>
""",
}


def stuf_tijdstip(moment: datetime | None = None) -> str:
    """A StUF ``Tijdstip`` (yyyymmddhhmmssmmm, 17 digits) for ``moment`` (default: now, UTC)."""
    moment = moment or datetime.now(UTC)
    return moment.strftime("%Y%m%d%H%M%S") + f"{moment.microsecond // 1000:03d}"


def _systeem(tag: str, organisatie: str | None, applicatie: str) -> str:
    org = f"<StUF:organisatie>{escape(organisatie)}</StUF:organisatie>" if organisatie else ""
    return f"<StUF:{tag}>{org}<StUF:applicatie>{escape(applicatie)}</StUF:applicatie></StUF:{tag}>"


def _serialise(text: str) -> bytes:
    root = etree.fromstring(text.encode("utf-8"))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def build_di01(
    root: str,
    *,
    zender_oin: str,
    ontvanger_oin: str,
    referentienummer: str,
    tijdstip: str | None = None,
    cross_refnummer: str | None = None,
    zender_applicatie: str = "Ketenpoort",
    ontvanger_applicatie: str = "CORV",
) -> bytes:
    """Return a Di01 message of type ``root`` that the official 1.0.9 schema of its group accepts.

    ``zender_oin`` and ``ontvanger_oin`` fill ``organisatie`` of zender and ontvanger;
    ``tijdstip`` defaults to now; ``cross_refnummer`` is only written for the roots whose
    official stuurgegevens require it (ucobDi01, uciDi01) and defaults to
    ``referentienummer`` there.
    """
    if root not in _BODIES:
        raise KeyError(f"unknown StUF-Jeugdzorg Di01 root: {root!r}")
    cross = ""
    if root in _CROSSREF_ROOTS:
        cross = f"<StUF:crossRefnummer>{escape(cross_refnummer or referentienummer)}</StUF:crossRefnummer>"
    stuurgegevens = (
        "<JZ:stuurgegevens>"
        "<StUF:berichtcode>Di01</StUF:berichtcode>"
        + _systeem("zender", zender_oin, zender_applicatie)
        + _systeem("ontvanger", ontvanger_oin, ontvanger_applicatie)
        + f"<StUF:referentienummer>{escape(referentienummer)}</StUF:referentienummer>"
        + f"<StUF:tijdstipBericht>{escape(tijdstip or stuf_tijdstip())}</StUF:tijdstipBericht>"
        + cross
        + f"<StUF:functie>{root}</StUF:functie>"
        "</JZ:stuurgegevens>"
    )
    return _serialise(f"<JZ:{root} {_NS_DECL}>{stuurgegevens}\n{_BODIES[root]}</JZ:{root}>")


def _stuf_reply(
    berichtcode: str,
    *,
    zender_oin: str,
    ontvanger_oin: str,
    referentienummer: str,
    cross_refnummer: str,
    tijdstip: str | None,
    zender_applicatie: str,
    ontvanger_applicatie: str,
    body: str,
) -> bytes:
    return _serialise(
        f'<StUF:{berichtcode}Bericht xmlns:StUF="{STUF_NS}">'
        "<StUF:stuurgegevens>"
        f"<StUF:berichtcode>{berichtcode}</StUF:berichtcode>"
        + _systeem("zender", zender_oin, zender_applicatie)
        + _systeem("ontvanger", ontvanger_oin, ontvanger_applicatie)
        + f"<StUF:referentienummer>{escape(referentienummer)}</StUF:referentienummer>"
        + f"<StUF:tijdstipBericht>{escape(tijdstip or stuf_tijdstip())}</StUF:tijdstipBericht>"
        + f"<StUF:crossRefnummer>{escape(cross_refnummer)}</StUF:crossRefnummer>"
        "</StUF:stuurgegevens>"
        f"{body}</StUF:{berichtcode}Bericht>"
    )


def build_bv03(
    *,
    zender_oin: str,
    ontvanger_oin: str,
    referentienummer: str,
    cross_refnummer: str,
    tijdstip: str | None = None,
    zender_applicatie: str = "Ketenpoort",
    ontvanger_applicatie: str = "CORV",
) -> bytes:
    """Return a StUF Bv03 acknowledgement of the message ``cross_refnummer`` (official schema valid)."""
    return _stuf_reply(
        "Bv03",
        zender_oin=zender_oin,
        ontvanger_oin=ontvanger_oin,
        referentienummer=referentienummer,
        cross_refnummer=cross_refnummer,
        tijdstip=tijdstip,
        zender_applicatie=zender_applicatie,
        ontvanger_applicatie=ontvanger_applicatie,
        body="",
    )


def build_fo03(
    *,
    zender_oin: str,
    ontvanger_oin: str,
    referentienummer: str,
    cross_refnummer: str,
    code: str = "StUF058",
    plek: str = "client",
    omschrijving: str = "Bericht voldoet niet aan het schema",
    details: str | None = None,
    tijdstip: str | None = None,
    zender_applicatie: str = "Ketenpoort",
    ontvanger_applicatie: str = "CORV",
) -> bytes:
    """Return a StUF Fo03 error reply to ``cross_refnummer`` (official schema valid for valid field values).

    ``code`` is at most 7 characters, ``plek`` is ``client`` or ``server``, ``omschrijving``
    at most 200 and ``details`` at most 1000 characters, as the official Foutbericht requires.
    """
    detail = f"<StUF:details>{escape(details)}</StUF:details>" if details else ""
    body = (
        "<StUF:body>"
        f"<StUF:code>{escape(code)}</StUF:code>"
        f"<StUF:plek>{escape(plek)}</StUF:plek>"
        f"<StUF:omschrijving>{escape(omschrijving)}</StUF:omschrijving>"
        f"{detail}</StUF:body>"
    )
    return _stuf_reply(
        "Fo03",
        zender_oin=zender_oin,
        ontvanger_oin=ontvanger_oin,
        referentienummer=referentienummer,
        cross_refnummer=cross_refnummer,
        tijdstip=tijdstip,
        zender_applicatie=zender_applicatie,
        ontvanger_applicatie=ontvanger_applicatie,
        body=body,
    )
