"""The GGk 0310 envelopes (v2.1): read ggk_Di01, ggk_Du01 and Fo01; build them and the StUF Bv03 / Fo03 answers.

Written from *Specificaties GGk0310 v2.1.04* and the 0310 WSDL; the tests hold what is built here
against the official schemas. The iJw message travels base64-encoded in ``parameters/bericht``
(``xmime:contentType`` ``application/xml``); the stuurgegevens carry the parties (organisatie:
CBS-gemeentecode or AGB code; ontvanger applicatie ``GGk``), a version-4 UUID as
``referentienummer``, ``tijdstipBericht`` (yyyymmddhhmmss), ``functie`` (e.g. ``JW301``), and for a
Du01 ``crossRefnummer``, the heenbericht's UUID. Versions (applicatie and functie) are four digits.

Envelope errors are :class:`EnvelopeError` with a code from the *Foutcodes asynchroon
berichtenverkeer ISD-keten 2.1* list (StUF055, IB007, IB009, IB240, IB002 ...), answered as Fo03.
"""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from lxml import etree

from gateway.errors import InputError

GGK_NS = "http://www.stufstandaarden.nl/sectormodel/ggk/0210"
STUF_NS = "http://www.egem.nl/StUF/StUF0301"
XMIME_NS = "http://www.w3.org/2005/05/xmlmime"
ACTION_DI01 = f"{GGK_NS}/ggk_Di01"
ACTION_DU01 = f"{GGK_NS}/ggk_Du01"
ACTION_FO01 = f"{STUF_NS}/Fo01"
ACTIONS = frozenset({ACTION_DI01, ACTION_DU01, ACTION_FO01})

DI01 = f"{{{GGK_NS}}}envelopHeenbericht-ggk_Di01"
DU01 = f"{{{GGK_NS}}}envelopRetourbericht-ggk_Du01"
FO01 = f"{{{STUF_NS}}}Fo01Bericht"
_ROOT_OF_ACTION = {ACTION_DI01: DI01, ACTION_DU01: DU01, ACTION_FO01: FO01}

GGK_APPLICATIE = "GGk"
"""stuurgegevens.ontvanger.applicatie: "Vaste waarde GGk"."""

_NSMAP = {"StUF": STUF_NS, "GGK": GGK_NS, "xmime": XMIME_NS}
_UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
_VERSION = re.compile(r"^[0-9]{4}$")
_TIJDSTIP = re.compile(r"^[0-9]{8,17}$")
_FILE_NAME = re.compile(r"^[0-9A-Za-z._-]{1,255}$")


class EnvelopeError(InputError):
    """An envelope that is refused with a Fo03: ``code`` from the Foutcodes list, ``plek`` client or server."""

    def __init__(self, code: str, text: str, plek: str = "client") -> None:
        super().__init__(f"{code}: {text}")
        self.code = code
        self.text = text
        self.plek = plek


@dataclass(frozen=True, slots=True)
class Party:
    """A zender or ontvanger: organisatie (gemeentecode, AGB code, "IB" ...) and applicatie."""

    organisatie: str
    applicatie: str
    administratie: str | None = None


@dataclass(frozen=True, slots=True)
class Envelope:
    """A ggk_Di01 or ggk_Du01 as read: its stuurgegevens, parameters and the decoded iJw message."""

    berichtcode: str
    zender: Party
    ontvanger: Party
    referentienummer: str
    tijdstip: str
    functie: str
    applicatie_versie: str
    applicatie_subversie: str
    functie_versie: str
    functie_subversie: str
    payload: bytes
    cross_ref: str | None = None


@dataclass(frozen=True, slots=True)
class Fo01Report:
    """An asynchronous error about an earlier message (``cross_ref``: that message's referentienummer)."""

    zender: Party
    ontvanger: Party
    referentienummer: str
    cross_ref: str
    code: str
    plek: str
    omschrijving: str
    details: str | None = None


def _s(name: str) -> str:
    return f"{{{STUF_NS}}}{name}"


def _g(name: str) -> str:
    return f"{{{GGK_NS}}}{name}"


def _text(parent: etree._Element, path: str, what: str, *, required: bool = True) -> str:
    found = parent.find(path)
    value = (found.text or "").strip() if found is not None else ""
    if required and not value:
        raise EnvelopeError("StUF055", f"de envelop mist {what}")
    return value


def _party(parent: etree._Element, tag: str) -> Party:
    node = parent.find(_s(tag))
    if node is None:
        raise EnvelopeError("StUF055", f"de envelop mist stuurgegevens/{tag}")
    administratie = _text(node, _s("administratie"), f"{tag}/administratie", required=False)
    return Party(
        _text(node, _s("organisatie"), f"{tag}/organisatie"),
        _text(node, _s("applicatie"), f"{tag}/applicatie"),
        administratie or None,
    )


def _uuid4(value: str, what: str) -> str:
    if not _UUID4.match(value.lower()):
        raise EnvelopeError("IB009", f"{what} is geen geldig UUID versie 4")
    return value


def expected_root(action: str) -> str:
    """The body element the SOAPAction ``action`` carries."""
    return _ROOT_OF_ACTION[action]


def read_envelope(root: etree._Element, max_payload_bytes: int) -> Envelope:
    """Read a ggk_Di01 or ggk_Du01; :class:`EnvelopeError` for anything the specification does not allow."""
    if root.tag not in (DI01, DU01):
        raise EnvelopeError(
            "StUF055", "het bericht is geen envelopHeenbericht-ggk_Di01 of envelopRetourbericht-ggk_Du01"
        )
    expected = "Di01" if root.tag == DI01 else "Du01"
    sg = root.find(_g("stuurgegevens"))
    params = root.find(_g("parameters"))
    if sg is None or params is None:
        raise EnvelopeError("StUF055", "de envelop mist stuurgegevens of parameters")
    code = _text(sg, _s("berichtcode"), "stuurgegevens/berichtcode")
    if code != expected:
        raise EnvelopeError("IB240", f"berichtcode {code[:10]!r} past niet bij deze envelop ({expected})")
    referentie = _uuid4(_text(sg, _s("referentienummer"), "referentienummer"), "referentienummer")
    cross = None
    if expected == "Du01":
        cross = _uuid4(_text(sg, _s("crossRefnummer"), "crossRefnummer"), "crossRefnummer")
    tijdstip = _text(sg, _s("tijdstipBericht"), "tijdstipBericht")
    if not _TIJDSTIP.match(tijdstip):
        raise EnvelopeError("StUF055", "tijdstipBericht is geen StUF-tijdstip")
    versions = [
        _text(params, _g(name), name)
        for name in ("applicatieVersie", "applicatieSubversie", "functieVersie", "functieSubversie")
    ]
    if not all(_VERSION.match(v) for v in versions):
        raise EnvelopeError("StUF055", "applicatie- en functieversies zijn vier cijfers")
    bericht = params.find(_g("bericht"))
    if bericht is None:
        raise EnvelopeError("StUF055", "de envelop mist parameters/bericht")
    if not bericht.get(f"{{{XMIME_NS}}}contentType"):
        raise EnvelopeError("StUF055", "parameters/bericht mist xmime:contentType")
    return Envelope(
        berichtcode=code,
        zender=_party(sg, "zender"),
        ontvanger=_party(sg, "ontvanger"),
        referentienummer=referentie,
        tijdstip=tijdstip,
        functie=_text(sg, _s("functie"), "functie")[:30],
        applicatie_versie=versions[0],
        applicatie_subversie=versions[1],
        functie_versie=versions[2],
        functie_subversie=versions[3],
        payload=_decode(bericht.text or "", max_payload_bytes),
        cross_ref=cross,
    )


def _decode(text: str, max_bytes: int) -> bytes:
    """The base64 payload, refused when it is empty, not base64, or decodes past ``max_bytes`` (IB007)."""
    compact = "".join(text.split())
    if not compact:
        raise EnvelopeError("StUF055", "parameters/bericht is leeg")
    if len(compact) // 4 * 3 > max_bytes + 2:
        raise EnvelopeError("IB007", f"het bericht is groter dan {max_bytes} bytes")
    try:
        data = base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        raise EnvelopeError("StUF055", "parameters/bericht is geen geldige base64") from None
    if len(data) > max_bytes:
        raise EnvelopeError("IB007", f"het bericht is groter dan {max_bytes} bytes")
    return data


def read_fo01(root: etree._Element) -> Fo01Report:
    """Read a StUF Fo01Bericht about an earlier GGk message."""
    if root.tag != FO01:
        raise EnvelopeError("StUF055", "het bericht is geen Fo01Bericht")
    sg = root.find(_s("stuurgegevens"))
    body = root.find(_s("body"))
    if sg is None or body is None:
        raise EnvelopeError("StUF055", "het Fo01-bericht mist stuurgegevens of body")
    code = _text(sg, _s("berichtcode"), "berichtcode")
    if code != "Fo01":
        raise EnvelopeError("IB240", f"berichtcode {code[:10]!r} is geen Fo01")
    details = _text(body, _s("details"), "details", required=False)
    return Fo01Report(
        _party(sg, "zender"),
        _party(sg, "ontvanger"),
        _uuid4(_text(sg, _s("referentienummer"), "referentienummer"), "referentienummer"),
        _uuid4(_text(sg, _s("crossRefnummer"), "crossRefnummer"), "crossRefnummer"),
        _text(body, _s("code"), "body/code")[:20],
        _text(body, _s("plek"), "body/plek").lower()[:10],
        _text(body, _s("omschrijving"), "body/omschrijving")[:500],
        details or None,
    )


# --- building ---------------------------------------------------------------------------------


def tijdstip(now: datetime | None = None) -> str:
    """A StUF tijdstip, yyyymmddhhmmss plus hundredths, in UTC."""
    moment = now if now is not None else datetime.now(UTC)
    return moment.strftime("%Y%m%d%H%M%S") + f"{moment.microsecond // 10_000:02d}"


def _add(parent: etree._Element, tag: str, text: str | None) -> etree._Element:
    node = etree.SubElement(parent, tag)
    node.text = text
    return node


def _add_party(parent: etree._Element, tag: str, party: Party) -> None:
    node = etree.SubElement(parent, _s(tag))
    if party.organisatie:
        _add(node, _s("organisatie"), party.organisatie)
    _add(node, _s("applicatie"), party.applicatie)
    if party.administratie:
        _add(node, _s("administratie"), party.administratie)


@dataclass(frozen=True, slots=True)
class Versions:
    """applicatieVersie/-Subversie (of the sending application) and functieVersie/-Subversie (of the message)."""

    applicatie: str
    applicatie_sub: str
    functie: str
    functie_sub: str


def build_envelope(
    berichtcode: str,
    *,
    zender: Party,
    ontvanger: Party,
    referentienummer: str,
    functie: str,
    versions: Versions,
    payload: bytes,
    cross_ref: str | None = None,
    bestandsnaam: str | None = None,
    now: datetime | None = None,
) -> etree._Element:
    """A ggk_Di01 (``berichtcode`` Di01) or ggk_Du01 (Du01, with ``cross_ref``) around the iJw ``payload``."""
    if berichtcode not in ("Di01", "Du01"):
        raise ValueError(f"GGk envelopes are Di01 or Du01, not {berichtcode!r}")
    if berichtcode == "Du01" and not cross_ref:
        raise ValueError("a Du01 needs the crossRefnummer of its heenbericht")
    if bestandsnaam is not None and not _FILE_NAME.match(bestandsnaam):
        raise ValueError("a bestandsnaam is 1-255 of [0-9A-Za-z._-]")
    root = etree.Element(DI01 if berichtcode == "Di01" else DU01, nsmap=_NSMAP)
    sg = etree.SubElement(root, _g("stuurgegevens"))
    _add(sg, _s("berichtcode"), berichtcode)
    _add_party(sg, "zender", zender)
    _add_party(sg, "ontvanger", ontvanger)
    _add(sg, _s("referentienummer"), referentienummer)
    _add(sg, _s("tijdstipBericht"), tijdstip(now))
    if cross_ref:
        _add(sg, _s("crossRefnummer"), cross_ref)
    _add(sg, _s("functie"), functie[:30])
    params = etree.SubElement(root, _g("parameters"))
    _add(params, _g("applicatieVersie"), versions.applicatie)
    _add(params, _g("applicatieSubversie"), versions.applicatie_sub)
    _add(params, _g("functieVersie"), versions.functie)
    _add(params, _g("functieSubversie"), versions.functie_sub)
    bericht = _add(params, _g("bericht"), base64.b64encode(payload).decode("ascii"))
    if bestandsnaam:
        bericht.set(_s("bestandsnaam"), bestandsnaam)
    bericht.set(f"{{{XMIME_NS}}}contentType", "application/xml")
    return root


def _answer_stuurgegevens(
    root: etree._Element, code: str, *, zender: Party, ontvanger: Party, cross_ref: str, now: datetime | None
) -> None:
    sg = etree.SubElement(root, _s("stuurgegevens"))
    _add(sg, _s("berichtcode"), code)
    _add_party(sg, "zender", zender)
    _add_party(sg, "ontvanger", ontvanger)
    _add(sg, _s("referentienummer"), str(uuid.uuid4()))
    _add(sg, _s("tijdstipBericht"), tijdstip(now))
    _add(sg, _s("crossRefnummer"), cross_ref[:40])


def bv03(*, zender: Party, ontvanger: Party, cross_ref: str, now: datetime | None = None) -> etree._Element:
    """A StUF Bv03Bericht: the receipt of the message whose referentienummer is ``cross_ref``."""
    root = etree.Element(_s("Bv03Bericht"), nsmap={"StUF": STUF_NS})
    _answer_stuurgegevens(root, "Bv03", zender=zender, ontvanger=ontvanger, cross_ref=cross_ref, now=now)
    return root


def fo03(
    error: EnvelopeError, *, zender: Party, ontvanger: Party, cross_ref: str, now: datetime | None = None
) -> etree._Element:
    """A StUF Fo03Bericht for ``error`` (the Fault's detail)."""
    root = etree.Element(_s("Fo03Bericht"), nsmap={"StUF": STUF_NS})
    _answer_stuurgegevens(root, "Fo03", zender=zender, ontvanger=ontvanger, cross_ref=cross_ref, now=now)
    body = etree.SubElement(root, _s("body"))
    _add(body, _s("code"), error.code)
    _add(body, _s("plek"), error.plek)
    _add(body, _s("omschrijving"), error.text[:200])
    return root


def fo01(
    *,
    zender: Party,
    ontvanger: Party,
    cross_ref: str,
    code: str,
    omschrijving: str,
    plek: str = "client",
    details: str | None = None,
    now: datetime | None = None,
) -> etree._Element:
    """A StUF Fo01Bericht about the message whose referentienummer is ``cross_ref``."""
    root = etree.Element(FO01, nsmap={"StUF": STUF_NS})
    _answer_stuurgegevens(root, "Fo01", zender=zender, ontvanger=ontvanger, cross_ref=cross_ref, now=now)
    body = etree.SubElement(root, _s("body"))
    _add(body, _s("code"), code)
    _add(body, _s("plek"), plek)
    _add(body, _s("omschrijving"), omschrijving)
    if details:
        _add(body, _s("details"), details)
    return root


__all__ = [
    "ACTIONS",
    "ACTION_DI01",
    "ACTION_DU01",
    "ACTION_FO01",
    "DI01",
    "DU01",
    "FO01",
    "GGK_APPLICATIE",
    "GGK_NS",
    "STUF_NS",
    "XMIME_NS",
    "Envelope",
    "EnvelopeError",
    "Fo01Report",
    "Party",
    "Versions",
    "build_envelope",
    "bv03",
    "expected_root",
    "fo01",
    "fo03",
    "read_envelope",
    "read_fo01",
    "tijdstip",
]
