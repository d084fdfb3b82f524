"""Body templates of the thirteen StUF-Jeugdzorg 1.0.9 Di01 roots, after ``<stuurgegevens>``.

Each holds what the official schema of its group requires, with ``str.format`` fields for the
values a generator varies (``{bsn}`` is an optional ``<BG:inp.bsn>`` element or empty).
Prefixes: JZ, StUF, ZKN, BG as declared by ``gateway.generate.stuf``.
"""

from __future__ import annotations

_INITIATOR = """\
  <JZ:heeftAlsInitiator StUF:entiteittype="ZAKBTRINI">
    <ZKN:gerelateerde StUF:entiteittype="BTR">
      <ZKN:organisatorischeEenheid>
        <ZKN:identificatie>{zaak_id}</ZKN:identificatie>
        <ZKN:naam>{team}</ZKN:naam>
      </ZKN:organisatorischeEenheid>
    </ZKN:gerelateerde>
  </JZ:heeftAlsInitiator>
"""
"""The team that started the verzoek, the same in every verzoek message."""

_UITKOMST_VERZOEK = (
    """\
<JZ:object StUF:entiteittype="VVZ">
  <JZ:identificatie>{zaak_id}</JZ:identificatie>
  <JZ:verzoekidentificatie>{verzoek_id}</JZ:verzoekidentificatie>
  <JZ:heeftBetrekkingOp StUF:entiteittype="ZAKOBJ">
    <ZKN:gerelateerde>
      <ZKN:natuurlijkPersoon StUF:entiteittype="NPS">
        {bsn}<BG:geslachtsnaam>{achternaam}</BG:geslachtsnaam>
      </ZKN:natuurlijkPersoon>
    </ZKN:gerelateerde>
    <ZKN:indicatieBekend>J</ZKN:indicatieBekend>
  </JZ:heeftBetrekkingOp>
"""
    + _INITIATOR
    + """\
  <JZ:heeftAlsUitvoerende>
    <ZKN:gerelateerde>
      <ZKN:organisatorischeEenheid>
        <ZKN:identificatie>{zaak_id}</ZKN:identificatie>
        <ZKN:naam>{team}</ZKN:naam>
      </ZKN:organisatorischeEenheid>
    </ZKN:gerelateerde>
  </JZ:heeftAlsUitvoerende>
</JZ:object>
"""
)
"""The body of both uitkomst messages (ucob, uci): the same required parts."""

BODIES: dict[str, str] = {
    "vtoDi01": """\
<JZ:object StUF:entiteittype="ZAK">
  <ZKN:identificatie>{zaak_id}</ZKN:identificatie>
  <ZKN:startdatum>{datum}</ZKN:startdatum>
  <ZKN:registratiedatum>{datum}</ZKN:registratiedatum>
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
        {bsn}<BG:geslachtsnaam>{achternaam}</BG:geslachtsnaam>
      </ZKN:natuurlijkPersoon>
    </ZKN:gerelateerde>
    <ZKN:omschrijving>broer of zus</ZKN:omschrijving>
  </ZKN:heeftAlsBelanghebbende>
  <ZKN:heeftAlsUitvoerende StUF:entiteittype="ZAKBTRUTV">
    <ZKN:gerelateerde StUF:entiteittype="BTR">
      <ZKN:medewerker StUF:entiteittype="MDW">
        <ZKN:achternaam>{medewerker}</ZKN:achternaam>
      </ZKN:medewerker>
      <ZKN:medewerker StUF:entiteittype="MDW">
        <ZKN:achternaam>{medewerker}</ZKN:achternaam>
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
      <ZKN:identificatie>{zaak_id}</ZKN:identificatie>
      <ZKN:dct.omschrijving>Verzoek tot onderzoek RvdK</ZKN:dct.omschrijving>
      <ZKN:creatiedatum>{datum}</ZKN:creatiedatum>
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
    <ZKN:datumStatusGezet>{tijdstip}</ZKN:datumStatusGezet>
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
    <ZKN:kenmerk>{kenmerk}</ZKN:kenmerk>
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
        <ZKN:naam>{team}</ZKN:naam>
      </ZKN:gerelateerde>
    </ZKN:heeftAlsAanspreekpunt>
  </ZKN:heeftAlsInitiator>
  <ZKN:heeftRelevant StUF:entiteittype="ZAKEDC">
    <ZKN:gerelateerde StUF:entiteittype="EDC">
      <ZKN:dct.omschrijving>Zorgmelding</ZKN:dct.omschrijving>
      <ZKN:creatiedatum>{datum}</ZKN:creatiedatum>
      <ZKN:inhoud>SGFsbG8=</ZKN:inhoud>
    </ZKN:gerelateerde>
  </ZKN:heeftRelevant>
</JZ:object>
""",
    "zorgmeldingTerugkoppelingDi01": """\
<JZ:object StUF:entiteittype="ZAK">
  <ZKN:identificatie>{zaak_id}</ZKN:identificatie>
  <ZKN:kenmerk>
    <ZKN:kenmerk>{kenmerk}</ZKN:kenmerk>
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
        <ZKN:naam>{team}</ZKN:naam>
      </ZKN:gerelateerde>
    </ZKN:heeftAlsAanspreekpunt>
  </ZKN:heeftAlsInitiator>
</JZ:object>
""",
    "vtMeldingDi01": """\
<JZ:object StUF:entiteittype="VTM">
  <JZ:identificatieVtMelding>{vt_id}</JZ:identificatieVtMelding>
  <JZ:datumMelding>{datum}</JZ:datumMelding>
  <JZ:datumIncident>{datum}</JZ:datumIncident>
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
          {bsn}<BG:geslachtsnaam>{achternaam}</BG:geslachtsnaam>
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
      <JZ:identificatieVtMelding>{vt_id}</JZ:identificatieVtMelding>
    </ZKN:gerelateerde>
  </ZKN:naarAanleidingVan>
  <ZKN:isUitgevoerdDoor StUF:entiteittype="ZAKBTR">
    <ZKN:gerelateerde>
      <ZKN:naam>{team}</ZKN:naam>
      <ZKN:oinNummer>00000000000000000001</ZKN:oinNummer>
    </ZKN:gerelateerde>
  </ZKN:isUitgevoerdDoor>
</JZ:object>
""",
    "vcobDi01": """\
<JZ:object StUF:entiteittype="VVZ">
  <JZ:identificatie>{zaak_id}</JZ:identificatie>
  <JZ:soortVerzoeker>01</JZ:soortVerzoeker>
  <JZ:redenVerzoek>
    <JZ:code>01</JZ:code>
  </JZ:redenVerzoek>
  <JZ:heeftBetrekkingOp>
    <ZKN:gerelateerde>
      <ZKN:natuurlijkPersoon StUF:entiteittype="NPS">
        {bsn}<BG:geslachtsnaam>{achternaam}</BG:geslachtsnaam>
      </ZKN:natuurlijkPersoon>
    </ZKN:gerelateerde>
  </JZ:heeftBetrekkingOp>
"""
    + _INITIATOR
    + """\
</JZ:object>
""",
    "ucobDi01": _UITKOMST_VERZOEK,
    "vciDi01": """\
<JZ:object StUF:entiteittype="VVZ">
  <JZ:identificatie>{zaak_id}</JZ:identificatie>
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
        {bsn}<BG:geslachtsnaam>{achternaam}</BG:geslachtsnaam>
      </ZKN:natuurlijkPersoon>
    </ZKN:gerelateerde>
  </JZ:heeftBetrekkingOp>
"""
    + _INITIATOR
    + """\
</JZ:object>
""",
    "uciDi01": _UITKOMST_VERZOEK,
    "meldingGeneriekDi01": """\
<JZ:object StUF:entiteittype="ZAK">
  <ZKN:identificatie>{zaak_id}</ZKN:identificatie>
  <ZKN:heeftBetrekkingOp>
    <ZKN:gerelateerde>
      <ZKN:natuurlijkPersoon>
        {bsn}<BG:geslachtsnaam>{achternaam}</BG:geslachtsnaam>
        <BG:voornamen>{voornaam}</BG:voornamen>
        <BG:geslachtsaanduiding>M</BG:geslachtsaanduiding>
        <BG:adres>
          <BG:soortadres>01</BG:soortadres>
          <BG:nederlandsadres>
            <BG:wpl.woonplaatsNaam>{plaats}</BG:wpl.woonplaatsNaam>
            <BG:aoa.postcode>{postcode}</BG:aoa.postcode>
          </BG:nederlandsadres>
        </BG:adres>
      </ZKN:natuurlijkPersoon>
    </ZKN:gerelateerde>
    <ZKN:hoedanigheid>001</ZKN:hoedanigheid>
  </ZKN:heeftBetrekkingOp>
  <ZKN:heeftAlsInitiator StUF:entiteittype="ZAKBTRINI">
    <ZKN:gerelateerde StUF:entiteittype="BTR">
      <ZKN:organisatorischeEenheid>
        <ZKN:identificatie>{zaak_id}</ZKN:identificatie>
        <ZKN:naam>{team}</ZKN:naam>
      </ZKN:organisatorischeEenheid>
    </ZKN:gerelateerde>
  </ZKN:heeftAlsInitiator>
  <ZKN:heeftAlsUitvoerende>
    <ZKN:gerelateerde>
      <ZKN:organisatorischeEenheid>
        <ZKN:identificatie>{zaak_id}</ZKN:identificatie>
        <ZKN:naam>{team}</ZKN:naam>
      </ZKN:organisatorischeEenheid>
    </ZKN:gerelateerde>
  </ZKN:heeftAlsUitvoerende>
  <ZKN:betreft StUF:entiteittype="ZAKZOS">
    <ZKN:gerelateerde StUF:entiteittype="ZOS">
      <JZ:omschrijvingZorgelijkeSituatie>Zorgen over de thuissituatie</JZ:omschrijvingZorgelijkeSituatie>
    </ZKN:gerelateerde>
  </ZKN:betreft>
  <JZ:datumTijdMelding>{tijdstip}</JZ:datumTijdMelding>
  <JZ:soortmeldingCode>NAZ</JZ:soortmeldingCode>
  <JZ:redenMelding/>
  <JZ:verzoekOmschrijving>Verzoek om afstemming</JZ:verzoekOmschrijving>
</JZ:object>
""",
    "uitkomstMeldingGeneriekDi01": """\
<JZ:object StUF:entiteittype="ZAK">
  <ZKN:identificatie>{zaak_id}</ZKN:identificatie>
  <ZKN:heeftAlsInitiator StUF:entiteittype="ZAKBTRINI">
    <ZKN:gerelateerde StUF:entiteittype="BTR">
      <ZKN:organisatorischeEenheid>
        <ZKN:identificatie>{zaak_id}</ZKN:identificatie>
        <ZKN:naam>{team}</ZKN:naam>
      </ZKN:organisatorischeEenheid>
    </ZKN:gerelateerde>
  </ZKN:heeftAlsInitiator>
  <ZKN:heeftAlsUitvoerende>
    <ZKN:gerelateerde>
      <ZKN:organisatorischeEenheid>
        <ZKN:identificatie>{zaak_id}</ZKN:identificatie>
        <ZKN:naam>{team}</ZKN:naam>
      </ZKN:organisatorischeEenheid>
    </ZKN:gerelateerde>
  </ZKN:heeftAlsUitvoerende>
  <JZ:uwIdentificatie>{uw_id}</JZ:uwIdentificatie>
  <JZ:soortmeldingCode>NAZ</JZ:soortmeldingCode>
  <JZ:statuscode>VT-00</JZ:statuscode>
</JZ:object>
""",
}

__all__ = ["BODIES"]
