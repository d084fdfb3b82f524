"""Rules on the client: BSN elfproef (CS002), Geboortedatum (TR002, CS139)."""

from __future__ import annotations

from collections.abc import Iterator

from gateway.bsn import is_valid_bsn
from gateway.rules.registry import Doc, Violation, child_or, parse_date, rule, text

_MET_BSN = ("JW301", "JW305", "JW307", "JW315", "JW317", "JW323", "JW325", "JW303", "JW304")
_MET_GEBOORTEDATUM = ("JW301", "JW305", "JW307", "JW315", "JW303")


@rule("CS002", "0001", _MET_BSN, "De BSN moet voldoen aan de 11-proef.", versions=("3.2", "2.3"))
def bsn_elfproef(doc: Doc) -> Iterator[Violation]:
    """Every BSN passes the elfproef; test BSNs (999900006..999999990) are held to the same proef."""
    for element in doc.iter("Bsn"):
        if not is_valid_bsn((element.text or "").strip()):
            yield element, "BSN voldoet niet aan de 11-proef."


@rule(
    "TR002",
    "0001",
    _MET_GEBOORTEDATUM,
    "Geboortedatum ligt niet meer dan 120 jaar voor de Dagtekening, tenzij onbekend.",
    versions=("3.2", "2.3"),
)
def geboortedatum_max_120_jaar(doc: Doc) -> Iterator[Violation]:
    """A birth date more than 120 years before Dagtekening is refused unless DatumGebruik is 3 (onbekend)."""
    dagtekening = doc.dagtekening
    if dagtekening is None:
        return
    for element in doc.iter("Geboortedatum"):
        born = parse_date(text(element, "Datum"))
        if born is None or text(element, "DatumGebruik") == "3":
            continue
        try:
            limit = dagtekening.replace(year=dagtekening.year - 120)
        except ValueError:  # 29 February
            limit = dagtekening.replace(year=dagtekening.year - 120, day=28)
        if born < limit:
            yield child_or(element, "Datum"), "Geboortedatum ligt meer dan 120 jaar voor de Dagtekening."


@rule(
    "CS139",
    "0001",
    _MET_GEBOORTEDATUM,
    "DatumGebruik en Datum van Geboortedatum zijn met elkaar in overeenstemming.",
)
def geboortedatum_datumgebruik(doc: Doc) -> Iterator[Violation]:
    """Unknown parts are filled as the invulinstructie says: day 01 (1), 01-01 (2), 1900-01-01 (3)."""
    for element in doc.iter("Geboortedatum"):
        born = parse_date(text(element, "Datum"))
        gebruik = text(element, "DatumGebruik")
        if born is None or gebruik not in ("1", "2", "3"):
            continue
        if born.day != 1 or (gebruik in ("2", "3") and born.month != 1) or (gebruik == "3" and born.year != 1900):
            yield (
                child_or(element, "DatumGebruik"),
                f"DatumGebruik {gebruik} past niet bij de Datum: onbekende delen moeten 01 zijn.",
            )
