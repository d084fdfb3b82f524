"""iJw retourberichten: the heenbericht copied into the retour namespace with retourcodes per berichtklasse.

Which elements are a berichtklasse (carry ``RetourCodes``) is read from the bundled retour XSD,
so the builder follows the schema rather than a hand-kept table.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date
from functools import cache

from lxml import etree

from gateway.findings import PathIndex
from gateway.model import Finding
from gateway.paths import schemas_dir
from gateway.retour.codes import sendable
from gateway.retour.header import build_header, header_fields, retour_header
from gateway.retour.written import written_retour

XS = "{http://www.w3.org/2001/XMLSchema}"
RETOUR_OF: dict[str, str] = {
    "JW301": "JW302",
    "JW305": "JW306",
    "JW307": "JW308",
    "JW315": "JW316",
    "JW317": "JW318",
    "JW319": "JW320",
}
GEEN_OPMERKING = "0200"
TECHNISCH = "0001"


@cache
def _level_elements(version: str, retour: str) -> frozenset[str]:
    """Local names of elements whose type carries RetourCodes in the bundled retour schema."""
    path = schemas_dir() / "ijw" / version / f"{retour}.xsd"
    doc = etree.parse(str(path))
    types = {
        ct.get("name")
        for ct in doc.iter(f"{XS}complexType")
        if any(el.get("name") == "RetourCodes" for el in ct.iter(f"{XS}element"))
    }
    names: set[str] = set()
    for el in doc.iter(f"{XS}element"):
        typ = (el.get("type") or "").split(":")[-1]
        if typ in types and el.get("name") not in (None, "Header"):
            names.add(str(el.get("name")))
    return frozenset(names)


def _retour_ns(ns: str, heen: str, retour: str) -> str:
    return ns.replace(f"/{heen.lower()}/", f"/{retour.lower()}/")


def _element_path(el: etree._Element, paths: PathIndex | None = None) -> str:
    """The /JW301/Client/... path of ``el`` in the heenbericht, with [n] for repeated siblings.

    ``paths``: one index for all the paths of a retour, so each parent's children are numbered once.
    """
    return (paths if paths is not None else PathIndex()).path(el)


def _normalise(path: str, root_local: str, heen: str) -> str:
    """Finding paths start with /JW323 or /Bericht; compare on the part after the root."""
    for prefix in (f"/{heen}", f"/{root_local}"):
        if path.startswith(prefix):
            return path[len(prefix) :]
    return path


def _strip_index1(path: str) -> str:
    return path.replace("[1]", "")


def _codes_by_level(
    findings: list[Finding], level_paths: list[str], version: str
) -> tuple[list[str], dict[str, list[str]]]:
    """Assign each finding to the deepest level whose path prefixes the finding's path; else the header."""
    header: list[str] = []
    per_level: dict[str, list[str]] = defaultdict(list)
    ordered = sorted(level_paths, key=len, reverse=True)
    for f in findings:
        code = sendable(f.retourcode or TECHNISCH, version)
        path = _strip_index1(f.path or "")
        target = next((lp for lp in ordered if path == lp or path.startswith(lp + "/")), None)
        if target is None or path.startswith("/Header"):
            header.append(code)
        else:
            per_level[target].append(code)
    return header, per_level


def _retourcodes(parent: etree._Element, ns: str, codes: list[str]) -> None:
    box = etree.SubElement(parent, f"{{{ns}}}RetourCodes")
    for code in dict.fromkeys(codes):
        etree.SubElement(box, f"{{{ns}}}RetourCode").text = code


def _header(
    parent: etree._Element,
    src: etree._Element,
    ns: str,
    *,
    today: date,
    ident: str,
    codes: list[str],
    version: str,
    retour: str,
    parties: tuple[str | None, str | None] = (None, None),
) -> None:
    if version != "2.3":  # 3.2: every field built from what is known to be valid (gateway.retour.header)
        spec = retour_header(version, retour)
        afzender, ontvanger = parties
        header = build_header(
            parent, src, ns, spec=spec, today=today, ident=ident, afzender=afzender, ontvanger=ontvanger
        )
        _retourcodes(header, ns, codes)
        return
    header = etree.SubElement(parent, f"{{{ns}}}Header")
    xsd_versie: etree._Element | None = None
    fixed = retour_header(version, retour).fixed
    for child in src.iterchildren("{*}*"):
        copy = _rename_into(header, child, ns)
        name = _split(child.tag)[1]
        if name in fixed:  # BerichtCode, BerichtVersie, BerichtSubversie: the retour schema's, never arithmetic
            copy.text = fixed[name]
        elif name == "XsdVersie":
            xsd_versie = copy
    etree.SubElement(header, f"{{{ns}}}IdentificatieRetour").text = ident
    etree.SubElement(header, f"{{{ns}}}DagtekeningRetour").text = today.isoformat()
    if xsd_versie is not None and version != "2.3":  # 2.3 retours have no XsdVersieRetour
        retour_xsd = etree.SubElement(header, f"{{{ns}}}XsdVersieRetour")
        for c in xsd_versie:
            _copy_into(retour_xsd, c)
    _retourcodes(header, ns, codes)


def _copy_into(parent: etree._Element, el: etree._Element) -> None:
    copy = etree.SubElement(parent, el.tag)
    copy.text = el.text
    for c in el:
        if isinstance(c.tag, str):
            _copy_into(copy, c)


def _split(tag: str) -> tuple[str, str]:
    """``{namespace}local`` as (namespace, local); what ``etree.QName`` gives, at a fraction of its cost."""
    if tag[:1] == "{":
        end = tag.index("}")
        return tag[1:end], tag[end + 1 :]
    return "", tag


def _rename_into(parent: etree._Element, el: etree._Element, ns: str, old_ns: str | None = None) -> etree._Element:
    """Copy ``el`` under ``parent``, moving elements of the heen namespace into ``ns`` (basisschema stays).

    Built in place with ``SubElement``: an ``etree.Element`` is a document of its own, and appending
    it makes lxml reconcile its namespaces into the new tree (most of a retour's cost).
    """
    namespace, local = _split(el.tag)
    old = old_ns or namespace
    copy = etree.SubElement(parent, f"{{{ns}}}{local}" if namespace == old else el.tag)
    copy.text = el.text if len(el) == 0 else None
    for c in el:
        if isinstance(c.tag, str):
            _rename_into(copy, c, ns, old)
    return copy


def build_ijw_retour(
    root: etree._Element,
    heen: str,
    version: str,
    findings: list[Finding],
    *,
    today: date,
    identificatie: str | None = None,
    parties: tuple[str | None, str | None] = (None, None),
    as_text: bool = True,
) -> bytes:
    """The retour of heenbericht ``root`` (type ``heen``) given the verdict ``findings``.

    ``parties``: the Afzender and Ontvanger the route or envelope knows, used when the header's own
    (also swapped) do not fit the retour schema. ``as_text``: an accepted 3.2 heenbericht's retour may be
    written as text (:mod:`gateway.retour.written`); False builds every retour with lxml.
    """
    retour = RETOUR_OF[heen]
    heen_ns = etree.QName(root).namespace or ""
    ns = _retour_ns(heen_ns, heen, retour)
    ident = identificatie or uuid.uuid4().hex[:12]
    others = {k: v for k, v in root.nsmap.items() if v != heen_ns and k}
    src_header = root.find(f"{{{heen_ns}}}Header")
    if as_text and not findings and version != "2.3" and src_header is not None:
        fields = header_fields(
            src_header, spec=retour_header(version, retour), today=today, ident=ident, afzender=parties[0],
            ontvanger=parties[1],
        )  # fmt: skip
        written = written_retour(ns, retour.lower(), others, fields, [GEEN_OPMERKING])
        if written is not None:
            return written
    levels = _level_elements(version, retour)
    out = etree.Element(f"{{{ns}}}Bericht", nsmap={retour.lower(): ns, **others})
    body = [c for c in root if isinstance(c.tag, str) and c is not src_header]
    # XSD errors, unknown problems and in-message (XSLT-level) rules, whose retourcode is the
    # general 0001, get a retour with only the Header carrying 0001 (procesbeschrijving, controleniveau 1-2).
    technical = [f for f in findings if f.kind != "rule" or f.retourcode in (None, TECHNISCH)]
    per_level: dict[str, list[str]]
    if technical:
        header_codes, per_level = [TECHNISCH], {}
    elif not findings:  # an accepted message: the Header alone, with 0200
        header_codes, per_level = [], {}
    else:
        paths = PathIndex()
        level_paths = [  # only a retour that places codes per level needs them (a walk over the whole body)
            _strip_index1(_element_path(el, paths)[len(f"/{etree.QName(root).localname}") :])
            for b in body
            for el in b.iter(f"{{{heen_ns}}}*")
            if etree.QName(el).localname in levels
        ]
        header_codes, per_level = _codes_by_level(
            [
                Finding(
                    f.kind,
                    f.message,
                    f.rule,
                    f.retourcode,
                    f.line,
                    _normalise(f.path or "", etree.QName(root).localname, heen),
                )
                for f in findings
            ],
            level_paths,
            version,
        )
    header_only = bool(header_codes) or not per_level
    _header(
        out,
        src_header if src_header is not None else etree.Element("x"),
        ns,
        today=today,
        ident=ident,
        codes=header_codes or [GEEN_OPMERKING],
        version=version,
        retour=retour,
        parties=parties,
    )
    if not header_only:
        for b in body:
            path = "/" + _strip_index1(_local_path(b, root))
            _with_codes(out, b, ns=ns, heen_ns=heen_ns, levels=levels, per_level=per_level, path=path)
    return etree.tostring(out, xml_declaration=True, encoding="UTF-8")


def _local_path(el: etree._Element, root: etree._Element) -> str:
    return _element_path(el)[len(f"/{etree.QName(root).localname}/") :]


def _with_codes(
    parent: etree._Element,
    el: etree._Element,
    *,
    ns: str,
    heen_ns: str,
    levels: frozenset[str],
    per_level: dict[str, list[str]],
    path: str,
) -> None:
    q = etree.QName(el)
    copy = etree.SubElement(parent, f"{{{ns}}}{q.localname}" if q.namespace == heen_ns else el.tag)
    copy.text = el.text if len(el) == 0 else None
    if q.namespace != heen_ns:
        for c in el:
            if isinstance(c.tag, str):
                _copy_into(copy, c)
        return
    counts: dict[str, int] = defaultdict(int)
    same: dict[str, int] = defaultdict(int)
    children = list(el.iterchildren("{*}*"))
    for c in children:
        same[c.tag] += 1
    for c in children:
        counts[c.tag] += 1
        local = etree.QName(c).localname
        child_path = f"{path}/{local}" + (f"[{counts[c.tag]}]" if same[c.tag] > 1 and counts[c.tag] > 1 else "")
        _with_codes(copy, c, ns=ns, heen_ns=heen_ns, levels=levels, per_level=per_level, path=child_path)
    if q.localname in levels and q.namespace == heen_ns:
        _retourcodes(copy, ns, per_level.get(path) or [GEEN_OPMERKING])


__all__ = ["RETOUR_OF", "build_ijw_retour"]
