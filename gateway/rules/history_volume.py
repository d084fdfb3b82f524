"""Prestaties against the Omvang or Budget of their toewijzing (TR341, TR321, TR322, TR369).

These need the toegewezen product, so they run only with a :class:`MessageHistory`. TR322 and TR369
speak of *all* Prestaties submitted on a toewijzing; the history does not (yet) hand out the volumes
of earlier declaraties, so they sum the debet Prestaties of this message: a message that alone
exceeds the Omvang or Budget is refused, one that only exceeds together with earlier messages is not
caught here. Volumes are compared in the toewijzing's Eenheid; a toewijzing in hours may be
declared in minutes (TR341 toelichting), other unit changes are TR341's finding, not a volume one.

TR418 (ProductTarief equals the contract tariff) is in :mod:`gateway.rules.history_tarief`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date

from gateway.rules.context import ToegewezenProduct
from gateway.rules.history import JW323, with_product
from gateway.rules.prestaties import Row
from gateway.rules.registry import Doc, Violation, rule

_UUR, _MINUUT = "04", "01"
_PER_DAG, _PER_WEEK, _PER_MAAND, _TOTAAL = "1", "2", "4", "6"


def minutes_per_unit(toegewezen: str | None, gedeclareerd: str | None) -> int | None:
    """How many declared units make one toegewezen unit (1, or 60 for hours declared in minutes); None if unfit."""
    if toegewezen is None or gedeclareerd is None:
        return None
    if toegewezen == gedeclareerd:
        return 1
    return 60 if (toegewezen, gedeclareerd) == (_UUR, _MINUUT) else None


def periods_touched(frequentie: str | None, begin: date, eind: date) -> int | None:
    """How many days, (ISO) weeks or calendar months the period ``begin..eind`` touches; 1 for 'totaal'."""
    if eind < begin:
        return None
    if frequentie == _PER_DAG:
        return (eind - begin).days + 1
    if frequentie == _PER_WEEK:
        return _weeks(begin, eind)
    if frequentie == _PER_MAAND:
        return (eind.year - begin.year) * 12 + eind.month - begin.month + 1
    if frequentie == _TOTAAL:
        return 1
    return None


def _weeks(begin: date, eind: date) -> int:
    monday = date.fromordinal(begin.toordinal() - begin.weekday())
    return (eind - monday).days // 7 + 1


def _debet(doc: Doc) -> Iterator[tuple[Row, ToegewezenProduct, int]]:
    """Debet Prestaties on a toewijzing with an Omvang, with how many declared units make one toegewezen unit."""
    for row, product in with_product(doc):
        if row.debet_credit != "D" or row.volume is None or product.volume is None:
            continue
        factor = minutes_per_unit(product.eenheid, row.eenheid)
        if factor is not None:
            yield row, product, factor


@rule("TR341", "9341", JW323, "Eenheid in Prestatie moet passen bij Eenheid in het ToegewezenProduct.", history=True)
def eenheid_past_bij_toewijzing(doc: Doc) -> Iterator[Violation]:
    """The declared Eenheid is the toegewezen one (or minutes on a toewijzing in hours)."""
    for row, product in with_product(doc):
        if product.eenheid and row.eenheid and minutes_per_unit(product.eenheid, row.eenheid) is None:
            yield row.at("Eenheid"), f"Eenheid {row.eenheid} past niet bij Eenheid {product.eenheid} van de toewijzing."


@rule(
    "TR321",
    "9321",
    JW323,
    "GeleverdVolume in de Prestatie past binnen Volume in het ToegewezenProduct (naar Eenheid en Frequentie).",
    history=True,
)
def volume_past_in_omvang(doc: Doc) -> Iterator[Violation]:
    """One Prestatie never delivers more than the Omvang allows for the days, weeks or months it covers."""
    for row, product, factor in _debet(doc):
        if row.begin is None or row.eind is None:
            continue
        periods = periods_touched(product.frequentie, row.begin, row.eind)
        if periods is not None and (row.volume or 0) > (product.volume or 0) * periods * factor:
            yield row.at("GeleverdVolume"), "GeleverdVolume is groter dan het toegewezen volume voor deze periode."


@rule(
    "TR322",
    "9322",
    JW323,
    "De som van GeleverdVolume van de Prestaties op een ToegewezenProduct past binnen de toegewezen Omvang.",
    history=True,
)
def som_past_in_omvang(doc: Doc) -> Iterator[Violation]:
    """This message's debet Prestaties on one toewijzing stay within the Omvang over its whole duration."""
    used: dict[str, int] = defaultdict(int)
    for row, product, factor in _debet(doc):
        if product.einddatum is None and product.frequentie != _TOTAAL:
            continue  # an open-ended toewijzing has no total to exceed
        periods = periods_touched(product.frequentie, product.ingangsdatum, product.einddatum or product.ingangsdatum)
        if periods is None:
            continue
        scale = 60 if product.eenheid == _UUR else 1  # sum in minutes when hours may be declared in minutes
        used[product.toewijzingnummer] += (row.volume or 0) * scale // factor
        if used[product.toewijzingnummer] > (product.volume or 0) * periods * scale:
            yield row.at("GeleverdVolume"), "De som van GeleverdVolume overschrijdt de toegewezen Omvang."


@rule(
    "TR369",
    "9369",
    JW323,
    "De som van GeleverdVolume van de Prestaties op een ToegewezenProduct past binnen het toegewezen Budget.",
    history=True,
)
def som_past_in_budget(doc: Doc) -> Iterator[Violation]:
    """This message's debet Prestaties on one toewijzing stay within its Budget (compared as the text says)."""
    used: dict[str, int] = defaultdict(int)
    for row, product in with_product(doc):
        if product.budget is None or row.debet_credit != "D" or row.volume is None:
            continue
        used[product.toewijzingnummer] += row.volume
        if used[product.toewijzingnummer] > product.budget:
            yield row.at("GeleverdVolume"), "De som van GeleverdVolume overschrijdt het toegewezen Budget."
