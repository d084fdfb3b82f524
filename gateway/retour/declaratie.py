"""JW325 declaratie-antwoord for a JW323 declaratie, as the procesbeschrijving prescribes.

Fully approved: Header 0200 and DeclaratieAntwoord 8001 with TotaalToegekendBedrag equal to the
ingediend total. A Header error: only the Header. A Declaratie error: DeclaratieAntwoord gets the
code and TotaalToegekendBedrag 0. Client/Prestatie errors: only the rejected Clients and Prestaties
come back (a Client error marks its Prestaties 0233), the toegekend total excludes them.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from datetime import date

from lxml import etree

from gateway.model import Finding
from gateway.retour.codes import sendable
from gateway.retour.header import build_antwoord_header
from gateway.retour.splice import Splicer

RETOURCODE_VOLLEDIG_TOEGEWEZEN = "8001"
NIET_BEOORDEELD = "0233"
_CLIENT = re.compile(r"/Clienten/Client(?:\[(\d+)\])?")
_PRESTATIE = re.compile(r"/Prestaties/Prestatie(?:\[(\d+)\])?")


def _sub(parent: etree._Element, ns: str, local: str, text: str | None = None) -> etree._Element:
    el = etree.SubElement(parent, f"{{{ns}}}{local}")
    if text is not None:
        el.text = text
    return el


def _move_into(parent: etree._Element, el: etree._Element, ns: str, heen_ns: str) -> etree._Element:
    """Copy ``el`` under ``parent`` with heen-namespace elements in ``ns``; SubElement keeps one nsmap."""
    prefix, new_prefix = f"{{{heen_ns}}}", f"{{{ns}}}"
    tags: dict[str, str] = {}

    def retag(tag: str) -> str:
        new = tags.get(tag)
        if new is None:
            new = tags[tag] = new_prefix + tag[len(prefix) :] if tag.startswith(prefix) else tag
        return new

    def copy_into(target: etree._Element, node: etree._Element) -> etree._Element:
        copy = etree.SubElement(target, retag(node.tag))
        if len(node):
            for child in node.iterchildren("{*}*"):
                copy_into(copy, child)
        else:
            copy.text = node.text
        return copy

    return copy_into(parent, el)


def _codes(parent: etree._Element, ns: str, codes: list[str]) -> None:
    box = _sub(parent, ns, "RetourCodes")
    for code in dict.fromkeys(codes):
        _sub(box, ns, "RetourCode", code)


def _signed(amount: etree._Element | None, value: str) -> int:
    """The amount in child ``value`` with the sign of its DebetCredit (children read directly: 20,000 calls)."""
    if amount is None:
        return 0
    number, credit = 0, False
    for c in amount.iterchildren("{*}*"):
        local = c.tag.rpartition("}")[2]
        if local == value:
            number = int(c.text or 0)
        elif local == "DebetCredit":
            credit = (c.text or "").strip() == "C"
    return -number if credit else number


def _bedrag(parent: etree._Element, ns: str, local: str, signed: int, base_ns: str) -> None:
    box = _sub(parent, ns, local)
    etree.SubElement(box, f"{{{base_ns}}}TotaalBedrag").text = str(abs(signed))
    etree.SubElement(box, f"{{{base_ns}}}DebetCredit").text = "C" if signed < 0 else "D"


def _place(
    findings: list[Finding],
) -> tuple[list[str], list[str], dict[int, list[str]], dict[tuple[int, int], list[str]]]:
    """Split findings into header, declaratie, client (by index) and prestatie (by index pair) codes."""
    header: list[str] = []
    declaratie: list[str] = []
    clients: dict[int, list[str]] = defaultdict(list)
    prestaties: dict[tuple[int, int], list[str]] = defaultdict(list)
    for f in findings:
        code = sendable(f.retourcode or "0001", "3.2")  # a code JW325 cannot carry goes out as 0001
        path = f.path or ""
        client = _CLIENT.search(path)
        if "/Declaratie" not in path:
            header.append(code)
        elif client is None:
            declaratie.append(code)
        else:
            ci = int(client.group(1) or 1)
            prestatie = _PRESTATIE.search(path, client.end())
            if prestatie is None:
                clients[ci].append(code)
            else:
                prestaties[(ci, int(prestatie.group(1) or 1))].append(code)
    return header, declaratie, clients, prestaties


def _header(
    root: etree._Element,
    heen_ns: str,
    ns: str,
    base_ns: str,
    ident: tuple[str, date],
    *,
    route: tuple[str | None, str | None] = (None, None),
) -> etree._Element:
    """Header: built from valid values (gateway.retour.header), never copied or computed from the declaratie's."""
    out = etree.Element(f"{{{ns}}}Bericht", nsmap={"jw325": ns, "ijw": base_ns})
    src = root.find(f"{{{heen_ns}}}Header")
    if src is None:
        src = etree.Element("none")
    build_antwoord_header(out, src, ns, base_ns, today=ident[1], ident=ident[0], route=route)
    return out


def _clienten(
    clienten: etree._Element,
    decl: etree._Element,
    heen_ns: str,
    ns: str,
    placed: tuple[dict[int, list[str]], dict[tuple[int, int], list[str]]],
    *,
    splicer: Splicer,
) -> int:
    """Fill ``clienten`` with the rejected Clients and Prestaties; return the signed sum of their amounts."""
    client_codes, prestatie_codes = placed
    rejected = 0
    all_clients = decl.findall(f"{{{heen_ns}}}Clienten/{{{heen_ns}}}Client")
    ingediend = f"{{{heen_ns}}}IngediendBedrag"
    prestatie_tag = f"{{{heen_ns}}}Prestatie"
    for ci in sorted(set(client_codes) | {ci for ci, _ in prestatie_codes}):
        if not 1 <= ci <= len(all_clients):
            continue
        src_client = all_clients[ci - 1]
        client = _sub(clienten, ns, "Client")
        _sub(client, ns, "Bsn", src_client.findtext(f"{{{heen_ns}}}Bsn"))
        src_prestaties = src_client.find(f"{{{heen_ns}}}Prestaties")
        src_list = [] if src_prestaties is None else list(src_prestaties.iterchildren(prestatie_tag))
        per = [
            [NIET_BEOORDEELD] if ci in client_codes else list(dict.fromkeys(prestatie_codes.get((ci, pi)) or ()))
            for pi in range(1, len(src_list) + 1)
        ]
        for src_p, codes in zip(src_list, per, strict=True):
            if codes:
                rejected += _signed(next(src_p.iterchildren(ingediend), None), "Bedrag")
        if src_prestaties is not None and all(per) and splicer.copy_children(client, src_prestaties, "Prestatie", per):
            pass  # every Prestatie of this Client goes back: one serialisation for all of them
        else:
            prestaties = _sub(client, ns, "Prestaties")
            for src_p, codes in zip(src_list, per, strict=True):
                if codes and not splicer.copy(prestaties, src_p, codes):
                    _codes(_move_into(prestaties, src_p, ns, heen_ns), ns, codes)
        _codes(client, ns, client_codes.get(ci) or ["0200"])
    return rejected


def _serialise(out: etree._Element) -> bytes:
    return etree.tostring(out, xml_declaration=True, encoding="UTF-8")


def build_jw325(
    root: etree._Element,
    findings: list[Finding],
    *,
    today: date,
    identificatie: str | None = None,
    parties: tuple[str | None, str | None] = (None, None),
) -> bytes:
    """The JW325 declaratie-antwoord on the JW323 ``root`` given the verdict ``findings``.

    ``parties``: the declaratie's Afzender and Ontvanger as the route knows them (for a corrupt header).
    """
    heen_ns = etree.QName(root).namespace or ""
    ns = heen_ns.replace("/jw323/", "/jw325/")
    base_ns = next((v for v in root.nsmap.values() if v.endswith("/basisschema/schema")), None) or (
        ns.rsplit("/", 2)[0] + "/basisschema/schema"
    )
    out = _header(root, heen_ns, ns, base_ns, (identificatie or uuid.uuid4().hex[:12], today), route=parties)
    header = out[0]
    technical = [f for f in findings if f.kind != "rule" or f.retourcode in (None, "0001")]
    header_codes, decl_codes, client_codes, prestatie_codes = _place([] if technical else findings)
    decl = root.find(f"{{{heen_ns}}}Declaratie")
    if technical or header_codes or decl is None:
        _codes(header, ns, header_codes if header_codes and not technical else ["0001"])
        return _serialise(out)
    _codes(header, ns, ["0200"])
    antwoord = _sub(out, ns, "DeclaratieAntwoord")
    _sub(antwoord, ns, "DeclaratieNummer", decl.findtext(f"{{{heen_ns}}}DeclaratieNummer"))
    ingediend = _signed(decl.find(f"{{{heen_ns}}}TotaalIngediendBedrag"), "TotaalBedrag")
    _bedrag(antwoord, ns, "TotaalIngediendBedrag", ingediend, base_ns)
    if decl_codes:
        _bedrag(antwoord, ns, "TotaalToegekendBedrag", 0, base_ns)
        _codes(antwoord, ns, decl_codes)
        return _serialise(out)
    # Clienten is built in place (moving a large detached subtree into the document is slow in lxml).
    clienten = _sub(antwoord, ns, "Clienten")
    splicer = Splicer(out, heen_ns)
    rejected = _clienten(clienten, decl, heen_ns, ns, (client_codes, prestatie_codes), splicer=splicer)
    toegekend = etree.Element(f"{{{ns}}}TotaalToegekendBedrag")
    clienten.addprevious(toegekend)
    amount = ingediend - rejected
    etree.SubElement(toegekend, f"{{{base_ns}}}TotaalBedrag").text = str(abs(amount))
    etree.SubElement(toegekend, f"{{{base_ns}}}DebetCredit").text = "C" if amount < 0 else "D"
    if not len(clienten):
        antwoord.remove(clienten)
    _codes(antwoord, ns, ["0200"] if len(clienten) else [RETOURCODE_VOLLEDIG_TOEGEWEZEN])
    return splicer.serialise(out)


__all__ = ["build_jw325"]
