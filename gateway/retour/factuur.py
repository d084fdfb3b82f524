"""JW304 retour for an iJw 2.3 JW303 declaratie/factuur.

Unlike the 3.2 JW325, the 2.3 retour gives every Client and Prestatie back, each Prestatie with the
gemeente's ToegekendeBedragPrestatie. Codes land where the error sits: a Header error (or an XSD,
technical or general 0001 finding) rejects the whole declaratie, so only the Header comes back with
a toegekend total of 0; a Client error marks each of its Prestaties 0233 (not beoordeeld) and
toekent nothing for them; a Prestatie error toekent 0 for that Prestatie. Every other level says
0200 and gets its DeclaratieFactuurBedrag toegekend.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from datetime import date
from functools import lru_cache

from lxml import etree

from gateway.model import Finding
from gateway.retour.codes import sendable
from gateway.retour.declaratie import NIET_BEOORDEELD, _move_into, _serialise
from gateway.retour.splice import Splicer

GEEN_OPMERKING = "0200"
TECHNISCH = "0001"
_ANTWOORD_CODE = {"432": "433", "450": "451"}
_HEADER_COPY = ("BerichtVersie", "BerichtSubversie", "Gemeente", "Servicebureau", "Aanbieder", "BetalingAanID")
_CLIENT = re.compile(r"^/Bericht/Clienten/Client(?:\[(\d+)\])?")
_PRESTATIE = re.compile(r"/Prestaties/Prestatie(?:\[(\d+)\])?")


def _sub(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    el = etree.SubElement(parent, tag)
    if text is not None:
        el.text = text
    return el


def _codes(parent: etree._Element, ns: str, codes: list[str]) -> None:
    box = _sub(parent, f"{{{ns}}}RetourCodes")
    for code in dict.fromkeys(codes):
        _sub(box, f"{{{ns}}}RetourCode", code)


def _amount(parent: etree._Element, tag: str, signed: int, base: str, value: str) -> None:
    box = _sub(parent, tag)
    _sub(box, f"{{{base}}}{value}", str(abs(signed)))
    _sub(box, f"{{{base}}}DebetCredit", "C" if signed < 0 else "D")


def _signed(amount: etree._Element | None, value: str) -> int:
    if amount is None:
        return 0
    number = int((amount.findtext(f"{{*}}{value}") or "0").strip() or 0)
    return -number if (amount.findtext("{*}DebetCredit") or "D").strip() == "C" else number


def _place(findings: list[Finding]) -> tuple[list[str], dict[int, list[str]], dict[tuple[int, int], list[str]]]:
    """Split findings by level: header, client (1-based index), prestatie (client, prestatie index)."""
    header: list[str] = []
    clients: dict[int, list[str]] = defaultdict(list)
    prestaties: dict[tuple[int, int], list[str]] = defaultdict(list)
    for f in findings:
        code = sendable(f.retourcode or TECHNISCH, "2.3")
        path = f.path or ""
        client = _CLIENT.match(path)
        if client is None:
            header.append(code)
            continue
        ci = int(client.group(1) or 1)
        prestatie = _PRESTATIE.match(path, client.end())
        if prestatie is None:
            clients[ci].append(code)
        else:
            prestaties[(ci, int(prestatie.group(1) or 1))].append(code)
    return header, clients, prestaties


def _header(root: etree._Element, heen: str, ns: str, base: str, ident: tuple[str, date]) -> etree._Element:
    """Bericht with the Header up to RetourHeader: code 433/451, parties and identificatie copied."""
    out = etree.Element(f"{{{ns}}}Bericht", nsmap={"jw304": ns, "ijw": base})
    src = root.find(f"{{{heen}}}Header")
    if src is None:
        src = etree.Element("none")
    header = _sub(out, f"{{{ns}}}Header")
    code = (src.findtext(f"{{{heen}}}BerichtCode") or "432").strip()
    _sub(header, f"{{{ns}}}BerichtCode", _ANTWOORD_CODE.get(code, "433"))
    for local in _HEADER_COPY:
        found = src.find(f"{{{heen}}}{local}")
        if found is not None:
            _sub(header, f"{{{ns}}}{local}", found.text)
    identificatie = src.find(f"{{{heen}}}DeclaratieFactuurIdentificatie")
    if identificatie is not None:
        _move_into(header, identificatie, ns, heen)
    retour = _sub(header, f"{{{ns}}}RetourHeader")
    _sub(retour, f"{{{base}}}GemeenteReferentieNummer", ident[0])
    _sub(retour, f"{{{base}}}RetourDagtekening", ident[1].isoformat())
    return out


def _bedrag_xml(local: str, signed: int) -> bytes:
    dc = b"C" if signed < 0 else b"D"
    return b"<ijw:%s><ijw:Bedrag>%d</ijw:Bedrag><ijw:DebetCredit>%s</ijw:DebetCredit></ijw:%s>" % (
        local.encode(),
        abs(signed),
        dc,
        local.encode(),
    )


@lru_cache(maxsize=4096)
def _toegekend(gemeente: int, toegekend: int) -> bytes:
    """ToegekendeBedragPrestatie as text for the splicer (prefixes as the JW304 root declares them)."""
    inner = _bedrag_xml("GemeenteBerekendBedrag", gemeente) + _bedrag_xml("ToegekendBedrag", toegekend)
    return b"<jw304:ToegekendeBedragPrestatie>%s</jw304:ToegekendeBedragPrestatie>" % inner


def _prestatie(
    prestaties: etree._Element,
    src: etree._Element,
    names: tuple[str, str, str],
    codes: list[str] | None,
    splicer: Splicer,
) -> int:
    """Copy one Prestatie with its toegekende bedragen; return the signed toegekend amount."""
    heen, ns, base = names
    ingediend = next(src.iterchildren(f"{{{heen}}}IngediendeBedragPrestatie"), None)
    bedrag = None if ingediend is None else next(ingediend.iterchildren(f"{{{base}}}DeclaratieFactuurBedrag"), None)
    berekend = None if ingediend is None else next(ingediend.iterchildren(f"{{{base}}}BerekendBedrag"), None)
    toegekend = 0 if codes else _signed(bedrag, "Bedrag")
    gemeente = _signed(berekend if berekend is not None else bedrag, "Bedrag")
    if splicer.copy(
        prestaties, src, codes or [GEEN_OPMERKING], after=("ProductReferentie", _toegekend(gemeente, toegekend))
    ):
        return toegekend
    p = _sub(prestaties, f"{{{ns}}}Prestatie")
    for c in src.iterchildren("{*}*"):
        _move_into(p, c, ns, heen)
        if c.tag == f"{{{heen}}}ProductReferentie":
            box = _sub(p, f"{{{ns}}}ToegekendeBedragPrestatie")
            _amount(box, f"{{{base}}}GemeenteBerekendBedrag", gemeente, base, "Bedrag")
            _amount(box, f"{{{base}}}ToegekendBedrag", toegekend, base, "Bedrag")
    _codes(p, ns, codes or [GEEN_OPMERKING])
    return toegekend


def _clienten(
    out: etree._Element,
    root: etree._Element,
    names: tuple[str, str, str],
    placed: tuple[dict[int, list[str]], dict[tuple[int, int], list[str]]],
    splicer: Splicer,
) -> int:
    """Every Client and Prestatie with their codes; return the signed toegekend total."""
    heen, ns, _ = names
    client_codes, prestatie_codes = placed
    total = 0
    clienten = _sub(out, f"{{{ns}}}Clienten")
    for ci, src in enumerate(root.iterfind(f"{{{heen}}}Clienten/{{{heen}}}Client"), 1):
        client = _sub(clienten, f"{{{ns}}}Client")
        for c in src.iterchildren("{*}*"):
            if c.tag != f"{{{heen}}}Prestaties":
                _move_into(client, c, ns, heen)
                continue
            prestaties = _sub(client, f"{{{ns}}}Prestaties")
            for pi, p in enumerate(c.iterchildren(f"{{{heen}}}Prestatie"), 1):
                codes = [NIET_BEOORDEELD] if ci in client_codes else prestatie_codes.get((ci, pi))
                total += _prestatie(prestaties, p, names, codes, splicer)
        _codes(client, ns, client_codes.get(ci) or [GEEN_OPMERKING])
    return total


def build_jw304(
    root: etree._Element, findings: list[Finding], *, today: date, identificatie: str | None = None
) -> bytes:
    """The JW304 retour on the 2.3 JW303 ``root`` given the verdict ``findings``."""
    heen = etree.QName(root).namespace or ""
    ns = heen.replace("/jw303/", "/jw304/")
    base = next((v for v in root.nsmap.values() if v.endswith("/basisschema/schema")), "")
    out = _header(root, heen, ns, base, (identificatie or uuid.uuid4().hex[:12], today))
    header = out[0]
    technical = any(f.kind != "rule" or f.retourcode in (None, TECHNISCH) for f in findings)
    header_codes, client_codes, prestatie_codes = _place([] if technical else findings)
    src_header = root.find(f"{{{heen}}}Header")
    totaal = None if src_header is None else src_header.find(f"{{{heen}}}DeclaratieFactuurBedragen")
    ingediend = _signed(
        None if totaal is None else totaal.find(f"{{{base}}}DeclaratieFactuurTotaalBedrag"), "TotaalBedrag"
    )
    bedragen = _sub(header, f"{{{ns}}}RetourBedragen")
    _amount(bedragen, f"{{{base}}}IngediendTotaalBedrag", ingediend, base, "TotaalBedrag")
    if technical or header_codes:
        _amount(bedragen, f"{{{base}}}ToegekendTotaalBedrag", 0, base, "TotaalBedrag")
        _codes(header, ns, [TECHNISCH] if technical else header_codes)
        return _serialise(out)
    toegekend_el = _sub(bedragen, f"{{{base}}}ToegekendTotaalBedrag")
    _codes(header, ns, [GEEN_OPMERKING])
    splicer = Splicer(out, heen)
    toegekend = _clienten(out, root, (heen, ns, base), (client_codes, prestatie_codes), splicer)
    _sub(toegekend_el, f"{{{base}}}TotaalBedrag", str(abs(toegekend)))
    _sub(toegekend_el, f"{{{base}}}DebetCredit", "C" if toegekend < 0 else "D")
    return splicer.serialise(out)


__all__ = ["build_jw304"]
