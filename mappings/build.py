"""Build ``mappings/productcodes.csv`` from the JZ21 product code list (JSON facts).

Usage: ``python mappings/build.py PATH/TO/jeugdwet_jz21_productcodes.json [-o OUT.csv]``

The JSON is the machine-readable export of the national Jeugdwet product code list (JZ21)
with, per product code, the CBS "dimensie hulpvorm". This script copies it faithfully and
only normalises what must be normalised; every deliberate decision is listed in
``mappings/README.md`` and flagged per row in the ``opmerking`` column:

* category header rows (``productcategorie_code`` ``-``) get ``rijsoort=categoriekop`` and the
  category of their code prefix; they are not declarable and carry no CBS coding;
* ``-`` and ``null`` become empty cells;
* the CBS code is given a dimension (hulpvorm, maatregel, jeugdreclassering) from the product
  category, because the source puts all three code lists in one column and code 11 means
  "pleegzorg" as a hulpvorm but "ondertoezichtstelling" as a maatregel;
* the CBS description is taken from the CBS code list, not from the row, so a row whose
  description contradicts its code (45A74) is flagged instead of silently trusted;
* category descriptions come from the JZ020 code list (48B12/48B13 name category 48
  "Jeugdreclassering" in the source; JZ020 says 48 is Jeugdbescherming).

The source has no validity dates: every row is valid from 2015-01-01 (the Jeugdwet took
effect; JZ21 exists since) with an open end. Later list versions can set them per row.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "productcodes.csv"
CBS_CODES = HERE / "cbs_hulpvorm.csv"
GELDIG_VANAF = "2015-01-01"

COLUMNS = (
    "productcode",
    "productcategorie",
    "productcategorie_omschrijving",
    "omschrijving",
    "uitvoeringsvariant",
    "cbs_dimensie",
    "cbs_code",
    "cbs_hulpvorm",
    "cbs_omschrijving",
    "nza_declaratiecode",
    "geldig_vanaf",
    "geldig_tot",
    "rijsoort",
    "opmerking",
)

# JZ020 Productcategorie (iJw 3.2): the authoritative category descriptions.
JZ020 = {
    "40": "Persoonlijke verzorging",
    "41": "Dagbehandeling",
    "42": "Vervoerdiensten",
    "43": "Jeugdhulp verblijf (incl. behandeling)",
    "44": "Jeugdhulp verblijf (excl. behandeling)",
    "45": "Jeugdhulp ambulant",
    "46": "Jeugdhulp crisis",
    "47": "Jeugdreclassering",
    "48": "Jeugdbescherming",
    "49": "Activiteiten in het preventief justitieel kader",
    "50": "Maatwerkarrangementen jeugd",
    "51": "Generalistische basis-ggz",
    "52": "Specialistische ggz",
    "53": "Kindergeneeskunde",
    "54": "Jeugd-ggz",
    "55": "Landelijk ingekochte zorg",
}


def dimension_of(categorie: str) -> str:
    """The CBS code list a product category reports in: jeugdreclassering, maatregel or hulpvorm."""
    if categorie == "47":
        return "jeugdreclassering"
    if categorie in ("48", "49"):
        return "maatregel"
    return "hulpvorm"


def _clean(value: Any) -> str:
    text = "" if value is None else str(value).strip()
    return "" if text == "-" else text


def _cbs_descriptions(path: Path) -> dict[tuple[str, str], str]:
    with path.open(newline="", encoding="utf-8") as handle:
        return {(r["dimensie"], r["code"]): r["omschrijving"] for r in csv.DictReader(handle)}


def build_row(src: dict[str, Any], cbs: dict[tuple[str, str], str]) -> dict[str, str]:
    """One CSV row from one JSON product row (pure; the decisions are in the module docstring)."""
    code = _clean(src["productcode"])
    categorie = _clean(src["productcategorie_code"])
    notes: list[str] = []
    rijsoort = "product"
    if not categorie:
        rijsoort = "categoriekop"
        categorie = code[:2]
        notes.append("categoriekop: geen declarabel product")
    src_cat_desc = _clean(src["productcategorie_omschrijving"])
    cat_desc = JZ020.get(categorie, src_cat_desc)
    named = _category_named(src_cat_desc, categorie) if src_cat_desc else None
    if named is not None and named != categorie:
        notes.append(f"bron noemt categorie {categorie} '{src_cat_desc}'; JZ020 zegt '{cat_desc}'")
    cbs_code = _clean(src["dimensie_hulpvorm_code"])
    src_cbs_desc = _clean(src["dimensie_hulpvorm_omschrijving"])
    code_desc = _clean(src["omschrijving"])
    dimensie = dimension_of(categorie) if cbs_code else ""
    cbs_desc = ""
    if cbs_code:
        cbs_desc = cbs[(dimensie, cbs_code)]
        if closest_code(src_cbs_desc, dimensie, cbs) not in (cbs_code, None):
            notes.append(f"bron-omschrijving '{src_cbs_desc}' hoort niet bij CBS-code {cbs_code}")
        for words, expected in _JR_NAMED.items():
            if dimensie == "jeugdreclassering" and words in code_desc.lower() and cbs_code != expected:
                notes.append(f"productnaam noemt '{words}' (CBS-code {expected}), bron codeert {cbs_code}")
    elif src_cbs_desc:
        notes.append(f"geen CBS-code, wel omschrijving '{src_cbs_desc}'")
    return {
        "productcode": code,
        "productcategorie": categorie,
        "productcategorie_omschrijving": cat_desc,
        "omschrijving": code_desc,
        "uitvoeringsvariant": _clean(src["uitvoeringsvariant"]),
        "cbs_dimensie": dimensie,
        "cbs_code": cbs_code,
        "cbs_hulpvorm": cbs_code if dimensie == "hulpvorm" else "",
        "cbs_omschrijving": cbs_desc,
        "nza_declaratiecode": _clean(src["nza_declaratiecode"]),
        "geldig_vanaf": GELDIG_VANAF,
        "geldig_tot": "",
        "rijsoort": rijsoort,
        "opmerking": "; ".join(notes),
    }


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-zà-ÿ]+", text.lower())) - _STOPWORDS


_STOPWORDS = {
    "het",
    "de",
    "een",
    "van",
    "op",
    "door",
    "bij",
    "jeugdhulp",
    "jeugdreclassering",
    "zonder",
    "met",
    "verblijf",
}
# Jeugdreclassering products whose name fixes the CBS code (protocol 4.2.1).
_JR_NAMED = {"harde kern": "50", "criem": "51", "samenloop": "41"}


def closest_code(description: str, dimensie: str, cbs: dict[tuple[str, str], str]) -> str | None:
    """The CBS code of ``dimensie`` whose official description best matches ``description``."""
    words = _words(description)
    if not words:
        return None
    scored = [
        (len(words & _words(text)) / len(words | _words(text)), code)
        for (dim, code), text in cbs.items()
        if dim == dimensie
    ]
    best, code = max(scored)
    return code if best >= 0.5 else None


def _first_word(text: str) -> str:
    return text.lower().split()[0] if text.split() else ""


def _category_named(description: str, own: str) -> str | None:
    """The JZ020 category that ``description`` names, judged by its first word (own category first)."""
    first = _first_word(description)
    if own in JZ020 and _first_word(JZ020[own]) == first:
        return own
    for code, text in JZ020.items():
        if _first_word(text) == first:
            return code
    return None


def build(json_path: Path, cbs_path: Path = CBS_CODES) -> list[dict[str, str]]:
    """All rows of productcodes.csv, in the order of the source list."""
    data = json.loads(json_path.read_text(encoding="utf-8"))
    cbs = _cbs_descriptions(cbs_path)
    rows = [build_row(src, cbs) for src in data["products"]]
    codes = [r["productcode"] for r in rows]
    if len(set(codes)) != len(codes):
        raise SystemExit("duplicate product codes in the source list")
    expected = data.get("meta", {}).get("product_rows")
    if expected is not None and expected != len(rows):
        raise SystemExit(f"source says {expected} rows, found {len(rows)}")
    return rows


def write(rows: list[dict[str, str]], out: Path) -> None:
    """Write rows as UTF-8 CSV with Unix line endings (stable diffs)."""
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("json", type=Path, help="jeugdwet_jz21_productcodes.json")
    parser.add_argument("-o", "--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    rows = build(args.json)
    write(rows, args.out)
    print(f"wrote {len(rows)} rows to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
