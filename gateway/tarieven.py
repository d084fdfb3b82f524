"""Contract tariffs per gemeente (for TR418): one row per aanbieder and product, with validity dates.

The file format (``mappings/gemeenten/<code>/tarieven.csv`` is an example) is a CSV with header
``aanbieder,productcategorie,productcode,eenheid,frequentie,tarief_cent,ingangsdatum,einddatum``:
AGB code (8 digits), categorie (2 digits), productcode (5 characters, empty = every code in the
categorie), iJw Eenheid code, Frequentie code (optional, kept for the operator: a Prestatie has
no Frequentie), tariff in cents, and ISO dates (einddatum empty = open-ended). Bad input is
refused as a whole with the line number and what is wrong, so a half-loaded table never exists.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from gateway.errors import InputError

COLUMNS = ("aanbieder", "productcategorie", "productcode", "eenheid", "frequentie", "tarief_cent", "ingangsdatum",
           "einddatum")  # fmt: skip


class TariefError(InputError, ValueError):
    """A tariff table that cannot be loaded; the text names the line and the fault."""


@dataclass(frozen=True, slots=True)
class Tarief:
    """One contract tariff of an aanbieder for a product, valid from ``ingangsdatum`` to ``einddatum`` (inclusive)."""

    aanbieder: str
    productcategorie: str
    productcode: str | None
    eenheid: str
    frequentie: str | None
    tarief_cent: int
    ingangsdatum: date
    einddatum: date | None = None

    def valid_on(self, day: date) -> bool:
        """Whether the tariff applies on ``day``."""
        return self.ingangsdatum <= day and (self.einddatum is None or day <= self.einddatum)

    def covers(self, categorie: str | None, code: str | None) -> bool:
        """Whether the tariff is for this product (an entry without productcode covers its whole categorie)."""
        return self.productcategorie == categorie and (self.productcode is None or self.productcode == code)

    def to_dict(self) -> dict[str, object]:
        """The JSON form used by the API and ``tarieven show --json``."""
        return {
            "aanbieder": self.aanbieder,
            "productcategorie": self.productcategorie,
            "productcode": self.productcode,
            "eenheid": self.eenheid,
            "frequentie": self.frequentie,
            "tarief_cent": self.tarief_cent,
            "ingangsdatum": self.ingangsdatum.isoformat(),
            "einddatum": self.einddatum.isoformat() if self.einddatum else None,
        }


def _digits(value: str, name: str, length: int, where: str) -> str:
    if len(value) != length or not value.isdigit():
        raise TariefError(f"{where}: {name} moet {length} cijfers zijn, niet {value!r}")
    return value


def _date(value: str, name: str, where: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise TariefError(f"{where}: {name} is geen datum (JJJJ-MM-DD): {value!r}") from None


def tarief_from(row: dict[str, object], where: str = "tarief") -> Tarief:
    """One checked :class:`Tarief` from a CSV row or a JSON object (strings or, for tarief_cent, an int)."""
    values = {k: ("" if row.get(k) is None else str(row.get(k)).strip()) for k in COLUMNS}
    aanbieder = _digits(values["aanbieder"], "aanbieder", 8, where)
    categorie = _digits(values["productcategorie"], "productcategorie", 2, where)
    code = values["productcode"] or None
    if code is not None and (len(code) != 5 or not code.isalnum()):
        raise TariefError(f"{where}: productcode moet 5 tekens zijn, niet {code!r}")
    eenheid = _digits(values["eenheid"], "eenheid", 2, where)
    frequentie = values["frequentie"] or None
    if frequentie is not None and (len(frequentie) != 1 or not frequentie.isdigit()):
        raise TariefError(f"{where}: frequentie moet 1 cijfer zijn, niet {frequentie!r}")
    cent = values["tarief_cent"]
    if not cent.isdigit() or len(cent) > 11:
        raise TariefError(f"{where}: tarief_cent moet een geheel aantal centen zijn, niet {cent!r}")
    ingang = _date(values["ingangsdatum"], "ingangsdatum", where)
    eind = _date(values["einddatum"], "einddatum", where) if values["einddatum"] else None
    if eind is not None and eind < ingang:
        raise TariefError(f"{where}: einddatum {eind} ligt voor ingangsdatum {ingang}")
    return Tarief(aanbieder, categorie, code, eenheid, frequentie, int(cent), ingang, eind)


def check_overlap(tarieven: Sequence[Tarief]) -> None:
    """Refuse two tariffs for one aanbieder, product and eenheid whose validity overlaps (which would apply?)."""
    by_key: dict[tuple[str, str, str | None, str], list[Tarief]] = {}
    for t in tarieven:
        by_key.setdefault((t.aanbieder, t.productcategorie, t.productcode, t.eenheid), []).append(t)
    for (aanbieder, cat, code, eenheid), group in by_key.items():
        group.sort(key=lambda t: t.ingangsdatum)
        for earlier, later in itertools.pairwise(group):
            if earlier.einddatum is None or earlier.einddatum >= later.ingangsdatum:
                raise TariefError(
                    f"overlappende tarieven voor aanbieder {aanbieder}, product {cat}/{code or '*'}, eenheid {eenheid}"
                    f" vanaf {later.ingangsdatum}"
                )


def parse_csv(text: str) -> list[Tarief]:
    """Every tariff of a tariff CSV, checked (see the module docstring); raises :class:`TariefError`."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or ())]
    if missing:
        raise TariefError(f"kolommen ontbreken: {', '.join(missing)}")
    out = [tarief_from(dict(row), f"regel {reader.line_num}") for row in reader]
    if not out:
        raise TariefError("geen tarieven in het bestand")
    check_overlap(out)
    return out


def to_csv(tarieven: Iterable[Tarief]) -> str:
    """The CSV form of ``tarieven`` (what :func:`parse_csv` reads back)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    for t in tarieven:
        d = t.to_dict()
        writer.writerow(["" if d[c] is None else d[c] for c in COLUMNS])
    return buf.getvalue()


def euro(cent: int) -> str:
    """``12345`` as ``123,45`` (how a tariff is shown in a finding)."""
    return f"{cent // 100},{cent % 100:02d}"


__all__ = ["COLUMNS", "Tarief", "TariefError", "check_overlap", "euro", "parse_csv", "tarief_from", "to_csv"]
