"""TR418 (ProductTarief is the contract tariff) through the real pipeline and store, on both backends.

A JW301 and then a JW323 are submitted and run through the validate and map stages; the gemeente's
tariff table is loaded into the store first. The JW323's verdict is asserted (rule id and retourcode
in its findings and its retour); a gemeente without a table is not checked at all.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date

import pytest

from gateway.config import load_settings
from gateway.generate.cases import PRODUCTS, Case, make_case
from gateway.generate.messages import jw301, jw323
from gateway.intake import submit
from gateway.model import MessageStatus, Stage
from gateway.pseudonym import Pseudonymiser
from gateway.store import Store
from gateway.store.tarieven import replace_tarieven, tarieven_of
from gateway.tarieven import Tarief
from tests.support.databases import TEST_PSEUDONYM_KEY
from workers.runtime import build_worker

AANBIEDER = "12345678"
MONTH = date(2025, 9, 1)
PRODUCT = PRODUCTS[0]  # 45/45A03 in hours (04), 1250 cents


def _case(nummer: int = 700100) -> Case:
    rng = random.Random(11)
    case = make_case(rng, toewijzingnummer=nummer, referentie=f"R{nummer}", gemeente=("0363", "Amsterdam"),
                     aanbieder=AANBIEDER)  # fmt: skip
    return replace(case, product=PRODUCT, ingang=date(2025, 7, 1), einde=date(2026, 6, 30))


def _tarief(cent: int, *, code: str | None = PRODUCT.code, begin: date = date(2025, 1, 1), eind: date | None = None,
            aanbieder: str = AANBIEDER) -> Tarief:  # fmt: skip
    return Tarief(aanbieder, PRODUCT.categorie, code, PRODUCT.eenheid, PRODUCT.frequentie, cent, begin, eind)


def _run(store: Store) -> None:
    worker, deliverer = build_worker(
        store, load_settings(), stages=(Stage.VALIDATE, Stage.MAP), pseudonymiser=Pseudonymiser(TEST_PSEUDONYM_KEY)
    )
    with deliverer:
        worker.run(until_idle=True)


def _declare(store: Store, case: Case) -> tuple[MessageStatus, list[tuple[str | None, str | None]], bytes]:
    """Submit the toewijzing (must be accepted) and a declaratie over MONTH; the declaratie's verdict."""
    n = case.toewijzingnummer
    first = submit(store, jw301(case, ident=f"T{n}", dag=date(2025, 6, 20)), sender=None).message_id
    _run(store)
    decl = jw323([case], ident=f"D{n}", month=MONTH, dag=date(2025, 10, 3), nummer=f"N{n}", rng=random.Random(3),
                 reference=f"P{n}")  # fmt: skip
    second = submit(store, decl, sender=None).message_id
    _run(store)
    toewijzing, declaratie = store.get_message(first), store.get_message(second)
    assert toewijzing is not None and toewijzing.status is not MessageStatus.REJECTED, toewijzing
    assert declaratie is not None
    return declaratie.status, [(f.rule, f.retourcode) for f in declaratie.findings], declaratie.retour or b""


def test_a_tariff_other_than_the_contract_is_rejected_with_0611(store: Store) -> None:
    """A Prestatie whose ProductTarief differs from the valid contract tariff fails TR418 with retourcode 0611."""
    replace_tarieven(store, "0363", [_tarief(1100)])
    status, findings, retour = _declare(store, _case())
    assert status is MessageStatus.REJECTED
    assert ("TR418", "0611") in findings, findings
    assert b">0611<" in retour


def test_the_contract_tariff_passes(store: Store) -> None:
    """The same declaratie passes when the contract tariff valid on its Begindatum is the declared one."""
    replace_tarieven(store, "0363", [_tarief(1100, eind=date(2025, 8, 31)), _tarief(1250, begin=date(2025, 9, 1))])
    status, findings, _ = _declare(store, _case(700200))
    assert status is not MessageStatus.REJECTED, findings
    assert findings == []


def test_a_categorie_wide_tariff_covers_its_codes_and_a_specific_code_wins(store: Store) -> None:
    """An entry without productcode covers its categorie; an entry with the code takes precedence over it."""
    replace_tarieven(store, "0363", [_tarief(1250, code=None)])
    assert _declare(store, _case(700300))[1] == []
    replace_tarieven(store, "0363", [_tarief(1250, code=None), _tarief(1200)])
    assert ("TR418", "0611") in _declare(store, _case(700400))[1]


def test_a_product_without_contract_tariff_is_rejected(store: Store) -> None:
    """A gemeente with a table but no tariff for this aanbieder and product: the tariff cannot be contractual."""
    replace_tarieven(store, "0363", [_tarief(1250, aanbieder="87654321")])
    status, findings, _ = _declare(store, _case(700500))
    assert status is MessageStatus.REJECTED
    assert ("TR418", "0611") in findings, findings


def test_a_gemeente_without_a_table_is_not_checked(store: Store) -> None:
    """Without a tariff table for the gemeente TR418 does not apply (another gemeente's table does not count)."""
    replace_tarieven(store, "0034", [_tarief(1)])
    status, findings, _ = _declare(store, _case(700600))
    assert status is not MessageStatus.REJECTED, findings
    assert findings == []


def test_a_load_replaces_the_whole_table_and_reads_back(store: Store) -> None:
    """Loading a gemeente's table replaces it whole; reading filters by aanbieder and date."""
    replace_tarieven(store, "GM0363", [_tarief(1, aanbieder="87654321")])
    replace_tarieven(store, "363", [_tarief(1100, eind=date(2025, 8, 31)), _tarief(1250, begin=date(2025, 9, 1))])
    assert [t.tarief_cent for t in tarieven_of(store, "0363")] == [1100, 1250]
    assert [t.tarief_cent for t in tarieven_of(store, "0363", aanbieder=AANBIEDER, on=date(2025, 9, 15))] == [1250]
    assert tarieven_of(store, "0363", aanbieder="87654321") == []


def test_overlapping_tariffs_are_refused_and_the_old_table_stays(store: Store) -> None:
    """Two tariffs for one product whose validity overlaps are refused; nothing of the old table is lost."""
    from gateway.tarieven import TariefError

    replace_tarieven(store, "0363", [_tarief(1250)])
    with pytest.raises(TariefError, match="overlappende"):
        replace_tarieven(store, "0363", [_tarief(1100), _tarief(1250, begin=date(2025, 6, 1))])
    assert [t.tarief_cent for t in tarieven_of(store, "0363")] == [1250]
