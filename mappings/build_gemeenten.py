"""Build ``mappings/cbs_gemeenten.csv`` (code, naam) from a CBS gemeentelijke-indeling table.

Usage: ``python mappings/build_gemeenten.py PATH/TO/CBS_Gemeentecodes.md [-o OUT.csv] [--peildatum YYYY-MM-DD]``

The source is any markdown or CSV text whose rows start with a four-digit CBS gemeentecode
followed by the gemeentenaam (``| 0034 | Almere | ...``). Only code and name are kept: the
rules need the set of codes (TR378), people need the name to read a finding. The peildatum
is written into every row so that a later list can be added beside it.
"""

from __future__ import annotations

import argparse
import csv
import re
from pathlib import Path

_ROW = re.compile(r"^\|?\s*(\d{4})\s*[|;,]\s*([^|;,]+?)\s*(?:[|;,]|$)")


def parse(text: str) -> list[tuple[str, str]]:
    """The (code, naam) pairs in ``text``, sorted by code, each code once."""
    found: dict[str, str] = {}
    for line in text.splitlines():
        match = _ROW.match(line.strip())
        if match:
            found.setdefault(match.group(1), match.group(2))
    return sorted(found.items())


def main() -> None:
    """Read the source table and write the CSV."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("source", type=Path)
    parser.add_argument("-o", "--out", type=Path, default=Path(__file__).with_name("cbs_gemeenten.csv"))
    parser.add_argument("--peildatum", default="2026-01-01")
    args = parser.parse_args()
    rows = parse(args.source.read_text(encoding="utf-8"))
    with args.out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["gemeentecode", "gemeentenaam", "peildatum"])
        writer.writerows((code, naam, args.peildatum) for code, naam in rows)
    print(f"{len(rows)} gemeenten -> {args.out}")


if __name__ == "__main__":
    main()
