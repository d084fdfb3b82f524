"""TR418: the ProductTarief of a Prestatie equals the gemeente's contract tariff for that product.

The tariffs come from the store's tariff table per gemeente (``ketenpoort tarieven load``, or the
operator API), through :class:`gateway.rules.context.TariefHistory`. A gemeente without a table:
the rule does not apply (``rules list --coverage`` says so); a history without tariffs (a hand-fed
one) switches it off rather than guessing. The tariff that counts is the one valid on the
Prestatie's ProductPeriode Begindatum, for the declaring aanbieder, the product (an entry without
productcode covers its categorie; a specific code wins) and the declared Eenheid. A Prestatie
without ProductTarief has nothing to compare. A product with no contract tariff at all is a
finding too: its tariff cannot be the contractual one.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from gateway.ports import TariefHistory
from gateway.rules.history import JW323
from gateway.rules.prestaties import Row, rows
from gateway.rules.registry import Doc, Violation, rule
from gateway.tarieven import Tarief, euro


def _contract(tarieven: Sequence[Tarief], row: Row) -> list[Tarief]:
    assert row.begin is not None
    fitting = [t for t in tarieven if t.eenheid == row.eenheid and t.valid_on(row.begin)]
    exact = [t for t in fitting if t.productcode is not None and t.covers(row.categorie, row.code)]
    return exact or [t for t in fitting if t.productcode is None and t.covers(row.categorie, row.code)]


@rule(
    "TR418",
    "0611",
    JW323,
    "ProductTarief in Prestatie dient overeen te komen met het contractuele tarief van ProductCode.",
    history=True,
)
def tarief_is_contracttarief(doc: Doc) -> Iterator[Violation]:
    """A declared ProductTarief is the contract tariff valid on the Prestatie's Begindatum (if the gemeente has one)."""
    history: object = doc.context.history  # a MessageHistory that may also be a TariefHistory
    if not isinstance(history, TariefHistory):
        return
    gemeente, aanbieder = doc.header_text("Ontvanger") or "", doc.header_text("Afzender") or ""
    tarieven = history.contract_tarieven(gemeente, aanbieder)
    if tarieven is None:
        return  # no tariff table for this gemeente: TR418 does not apply
    for row in rows(doc):
        if row.tarief is None or row.begin is None:
            continue
        contract = _contract(tarieven, row)
        product = f"{row.categorie}/{row.code or '-'}"
        if not contract:
            yield (
                row.at("ProductTarief"),
                (f"Geen contractueel tarief voor product {product} in Eenheid {row.eenheid} op {row.begin}."),
            )
        elif all(t.tarief_cent != row.tarief for t in contract):
            yield (
                row.at("ProductTarief"),
                (
                    f"ProductTarief {euro(row.tarief)} wijkt af van het contractuele tarief "
                    f"{euro(contract[0].tarief_cent)} voor product {product} op {row.begin}."
                ),
            )
