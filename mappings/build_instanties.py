"""Build ``mappings/corv_instanties.csv`` (instantie, naam, oin, einddatum) from the CORV referentielijst instanties.

Usage: ``python mappings/build_instanties.py PATH/TO/INS_<maand>_<jaar>_instanties.csv [-o OUT.csv]``

Only instanties with an OIN (column ``OINR``) are kept: they are the parties CORV routes to by OIN.
``einddatum`` is the list's ``DTOPHINST`` (the day the instantie ceased, yyyymmdd) written as
yyyy-mm-dd, empty while it exists.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path


def rows_of(source: Path) -> list[tuple[str, str, str, str]]:
    """The (instantie, naam, oin, einddatum) rows of the list that carry an OIN, sorted by OIN."""
    with source.open(encoding="utf-8", newline="") as fh:
        found = []
        for row in csv.DictReader(fh):
            oin = (row.get("OINR") or "").strip()
            if not oin:
                continue
            end = (row.get("DTOPHINST") or "").strip()
            einddatum = f"{end[:4]}-{end[4:6]}-{end[6:8]}" if len(end) == 8 else ""
            found.append((row["IDINST"].strip(), row["PRESNMINST"].strip(), oin, einddatum))
    return sorted(found, key=lambda r: (r[2], r[0]))


def main() -> None:
    """Read the referentielijst and write the CSV."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("source", type=Path)
    parser.add_argument("-o", "--out", type=Path, default=Path(__file__).with_name("corv_instanties.csv"))
    args = parser.parse_args()
    rows = rows_of(args.source)
    with args.out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["instantie", "naam", "oin", "einddatum"])
        writer.writerows(rows)
    print(f"{len(rows)} instanties with an OIN -> {args.out}")


if __name__ == "__main__":
    main()
