"""Deterministic (seeded) builders of realistic StUF-Jeugdzorg 1.0.9 messages.

``build_di01`` writes one Di01 message of any of the thirteen roots of the four official
message groups (jz/jr, vt, vv, gm); ``build_bv03`` and ``build_fo03`` the StUF acknowledgement
and error replies. ``generate_di01`` fills a message with values drawn from a seeded
``random.Random`` (zaak ids, names, dates, an elfproef test BSN where the schema allows one),
and ``stuf_traffic`` yields a stream of such files with a few exact duplicates (same zender and
referentienummer) for StUF016 testing. Every document is accepted by the official schemas
(proved in ``tests/schemas_stuf``). OINs are plausible 20-digit values of our own.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from xml.sax.saxutils import escape

from lxml import etree

from gateway.generate._stuf_bodies import BODIES

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
"""Each Di01 root and the folder of the official resolved schema set that declares it."""

# Plausible OIN-shaped identifiers (20 digits) of our own, for gemeenten, Raad and CORV.
DEFAULT_OINS: tuple[str, ...] = (
    "00000001823288444000",
    "00000001003214345000",
    "00000001002220647000",
    "00000004000000059000",
    "00000001812483297000",
    "00000001001589623000",
)

# Di01 roots whose official stuurgegevens carry a mandatory crossRefnummer.
_CROSSREF_ROOTS = frozenset({"ucobDi01", "uciDi01"})
# Di01 roots where the official schema allows a BG:inp.bsn before BG:geslachtsnaam.
_BSN_ROOTS = frozenset({"vcobDi01", "vciDi01", "meldingGeneriekDi01"})
_NS_DECL = f'xmlns:JZ="{JZ_NS}" xmlns:StUF="{STUF_NS}" xmlns:ZKN="{ZKN_NS}" xmlns:BG="{BG_NS}" xmlns:xsi="{XSI_NS}"'
_ACHTERNAMEN = ("Jansen", "de Vries", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "Yilmaz", "El Amrani")
_VOORNAMEN = ("Sanne", "Daan", "Emma", "Noah", "Fatima", "Liam", "Julia", "Mohamed", "Tess", "Sem")
_TEAMS = ("Team Jeugd Utrecht", "Wijkteam Almere Haven", "Jeugdteam Zwolle Zuid", "Veilig Thuis Flevoland")
_PLAATSEN = (("Utrecht", "3511AB"), ("Almere", "1351KA"), ("Zwolle", "8011CW"), ("Lelystad", "8232ZZ"))
_BSN_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)
_EPOCH = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)

__all__ = [
    "BG_NS",
    "DEFAULT_OINS",
    "JZ_NS",
    "STUF_DI01_ROOTS",
    "STUF_NS",
    "ZKN_NS",
    "build_bv03",
    "build_di01",
    "build_fo03",
    "generate_di01",
    "stuf_tijdstip",
    "stuf_traffic",
    "test_bsn",
]


def stuf_tijdstip(moment: datetime | None = None) -> str:
    """A StUF ``Tijdstip`` (yyyymmddhhmmssmmm, 17 digits) for ``moment`` (default: now, UTC)."""
    moment = moment or datetime.now(UTC)
    return moment.strftime("%Y%m%d%H%M%S") + f"{moment.microsecond // 1000:03d}"


def test_bsn(rng: random.Random) -> str:
    """A nine-digit number that passes the elfproef, starting with 9 (a test range, not a real person)."""
    while True:
        digits = [9, *(rng.randrange(10) for _ in range(7))]
        partial = sum(d * w for d, w in zip(digits, _BSN_WEIGHTS[:8], strict=True))
        last = partial % 11
        if last <= 9:
            return "".join(map(str, digits)) + str(last)


test_bsn.__test__ = False  # type: ignore[attr-defined]  # not a pytest test when imported into tests


def _systeem(tag: str, organisatie: str | None, applicatie: str) -> str:
    org = f"<StUF:organisatie>{escape(organisatie)}</StUF:organisatie>" if organisatie else ""
    return f"<StUF:{tag}>{org}<StUF:applicatie>{escape(applicatie)}</StUF:applicatie></StUF:{tag}>"


def _serialise(text: str) -> bytes:
    root = etree.fromstring(text.encode("utf-8"))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _default_values() -> dict[str, str]:
    return {
        "zaak_id": "JZ-2026-000123",
        "achternaam": "Jansen",
        "voornaam": "Sanne",
        "medewerker": "de Vries",
        "tijdstip": "20260115093000000",
        "datum": "20260115",
        "team": "Team Jeugd Utrecht",
        "vt_id": "VT-2026-000017",
        "kenmerk": "ZM-2026-0042",
        "verzoek_id": "VZ-2026-000045",
        "uw_id": "GM-2026-000321",
        "plaats": "Utrecht",
        "postcode": "1234AB",
        "bsn": "",
    }


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
    values: dict[str, str] | None = None,
) -> bytes:
    """Return a Di01 message of type ``root`` that the official 1.0.9 schema of its group accepts.

    ``tijdstip`` defaults to now; ``cross_refnummer`` is only written for the roots whose official
    stuurgegevens require it (ucobDi01, uciDi01) and defaults to ``referentienummer`` there.
    ``values`` overrides body fields (see ``_default_values``); they are XML-escaped here.
    """
    if root not in BODIES:
        raise KeyError(f"unknown StUF-Jeugdzorg Di01 root: {root!r}")
    fields = {k: escape(v) for k, v in {**_default_values(), **(values or {})}.items()}
    bsn = (values or {}).get("bsn", "")
    fields["bsn"] = f"<BG:inp.bsn>{escape(bsn)}</BG:inp.bsn>" if bsn and root in _BSN_ROOTS else ""
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
    body = BODIES[root].format(**fields)
    return _serialise(f"<JZ:{root} {_NS_DECL}>{stuurgegevens}\n{body}</JZ:{root}>")


def _stuf_reply(berichtcode: str, *, zender_oin: str, ontvanger_oin: str, referentienummer: str,
                cross_refnummer: str, tijdstip: str | None, zender_applicatie: str, ontvanger_applicatie: str,
                body: str) -> bytes:  # fmt: skip
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
    """Return a StUF Fo03 error reply to ``cross_refnummer``.

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


def generate_di01(
    root: str,
    rng: random.Random,
    *,
    sequence: int,
    oins: Sequence[str] = DEFAULT_OINS,
) -> tuple[str, str, bytes]:
    """A realistic Di01 of ``root`` with seeded values: (zender OIN, referentienummer, bytes).

    ``sequence`` makes the referentienummer unique within one run.
    """
    zender, ontvanger = rng.sample(list(oins), 2)
    moment = _EPOCH + timedelta(minutes=7 * sequence, seconds=rng.randrange(60), milliseconds=rng.randrange(1000))
    plaats, postcode = rng.choice(_PLAATSEN)
    day = moment.strftime("%Y%m%d")
    values = {
        "zaak_id": f"JZ-{moment.year}-{rng.randrange(10**6):06d}",
        "achternaam": rng.choice(_ACHTERNAMEN),
        "voornaam": rng.choice(_VOORNAMEN),
        "medewerker": rng.choice(_ACHTERNAMEN),
        "tijdstip": stuf_tijdstip(moment),
        "datum": day,
        "team": rng.choice(_TEAMS),
        "vt_id": f"VT-{moment.year}-{rng.randrange(10**6):06d}",
        "kenmerk": f"ZM-{moment.year}-{rng.randrange(10**4):04d}",
        "verzoek_id": f"VZ-{moment.year}-{rng.randrange(10**6):06d}",
        "uw_id": f"GM-{moment.year}-{rng.randrange(10**6):06d}",
        "plaats": plaats,
        "postcode": postcode,
        "bsn": test_bsn(rng),
    }
    referentienummer = f"KP{day}{sequence:08d}"
    data = build_di01(
        root,
        zender_oin=zender,
        ontvanger_oin=ontvanger,
        referentienummer=referentienummer,
        tijdstip=stuf_tijdstip(moment),
        values=values,
    )
    return zender, referentienummer, data


def stuf_traffic(
    n: int,
    seed: int,
    duplicate_ratio: float = 0.02,
    *,
    oins: Sequence[str] = DEFAULT_OINS,
    roots: Sequence[str] = tuple(STUF_DI01_ROOTS),
) -> Iterator[tuple[str, bytes]]:
    """Yield ``n`` (file name, bytes) Di01 messages; about ``duplicate_ratio`` of them repeat an earlier one exactly.

    A duplicate has the same bytes, hence the same zender and referentienummer (StUF016); its
    file name differs. Same ``seed``, same stream.
    """
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    sent: list[bytes] = []
    for index in range(n):
        if sent and rng.random() < duplicate_ratio:
            yield f"stuf-{index:06d}-dup.xml", rng.choice(sent)
            continue
        root = roots[index % len(roots)] if index < len(roots) else rng.choice(list(roots))
        _, _, data = generate_di01(root, rng, sequence=index, oins=oins)
        sent.append(data)
        yield f"stuf-{index:06d}-{root}.xml", data
