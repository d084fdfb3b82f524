"""Reporting periods: ``2018HJ2`` (half year), ``2018KW3`` (quarter), ``2018JJ`` (year)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_PERIODE = re.compile(r"^(\d{4})(?:(HJ)([12])|(KW)([1-4])|(JJ))$")


@dataclass(frozen=True, slots=True, order=True)
class Periode:
    """A period with its first and last day (both inclusive)."""

    begin: date
    end: date
    code: str

    def __str__(self) -> str:
        return self.code

    @property
    def label(self) -> str:
        """A Dutch label for a reader: ``2e halfjaar 2018``."""
        year = self.code[:4]
        if self.code.endswith("JJ"):
            return f"jaar {year}"
        number = self.code[-1]
        kind = "halfjaar" if "HJ" in self.code else "kwartaal"
        return f"{number}e {kind} {year}"


def parse_periode(text: str) -> Periode:
    """Parse ``2018HJ2``, ``2018KW3`` or ``2018JJ``; raise ValueError otherwise."""
    code = text.strip().upper()
    match = _PERIODE.match(code)
    if match is None:
        raise ValueError(f"not a period (2018HJ2, 2018KW3 or 2018JJ): {text!r}")
    year = int(match.group(1))
    if match.group(2):
        first_month, months = 1 + 6 * (int(match.group(3)) - 1), 6
    elif match.group(4):
        first_month, months = 1 + 3 * (int(match.group(5)) - 1), 3
    else:
        first_month, months = 1, 12
    begin = date(year, first_month, 1)
    after = date(year + (first_month + months - 1) // 12, (first_month + months - 1) % 12 + 1, 1)
    return Periode(begin, after - timedelta(days=1), code)


def parse_periodes(texts: list[str] | str) -> list[Periode]:
    """Several periods, comma-separated or repeated, each once, in the order given."""
    items = [texts] if isinstance(texts, str) else texts
    codes = [part for item in items for part in item.split(",") if part.strip()]
    return list(dict.fromkeys(parse_periode(c) for c in codes))


__all__ = ["Periode", "parse_periode", "parse_periodes"]
