"""The header's XsdVersie is kept per message (TR371 compares a JW325's with its JW323's)."""

from __future__ import annotations

import sqlalchemy as sa

from gateway.generate.ijw import large_jw323, small_jw301
from gateway.intake import prepare
from gateway.store import Store
from gateway.store.schema import messages
from gateway.store.xsd_versie import xsd_versie
from tests.store.helpers import record

_HEADER = (
    b"<?xml version='1.0'?><j:Bericht xmlns:j='urn:j' xmlns:i='urn:i'><j:Header><j:BerichtCode>491</j:BerichtCode>"
    b"<j:XsdVersie>\n <i:BasisschemaXsdVersie>1.2.0</i:BasisschemaXsdVersie>\n"
    b" <i:BerichtXsdVersie>1.0.3</i:BerichtXsdVersie></j:XsdVersie>"
    b"<j:XsdVersieDeclaratie><i:BasisschemaXsdVersie>9.9.9</i:BasisschemaXsdVersie>"
    b"<i:BerichtXsdVersie>9.9.9</i:BerichtXsdVersie></j:XsdVersieDeclaratie></j:Header><j:Body/></j:Bericht>"
)


def test_the_headers_xsd_versie_not_the_declaraties() -> None:
    assert xsd_versie(record(payload=_HEADER, message_type="JW325")) == ("1.2.0", "1.0.3")


def test_unprefixed_elements_are_read_too() -> None:
    payload = _HEADER.replace(b"j:", b"").replace(b"i:", b"")
    assert xsd_versie(record(payload=payload, message_type="JW325")) == ("1.2.0", "1.0.3")


def test_unknown_when_not_in_the_header_or_not_ijw() -> None:
    after_header = _HEADER.replace(b"<j:XsdVersie>", b"</j:Header><j:XsdVersie>", 1)
    assert xsd_versie(record(payload=after_header)) == (None, None)
    assert xsd_versie(record(payload=b"<j:Header></j:Header>")) == (None, None)
    assert xsd_versie(record(payload=b"<bericht/>")) == (None, None)
    assert xsd_versie(record(payload=_HEADER, standard="stuf-jz")) == (None, None)
    assert xsd_versie(record(payload=b" " * 20_000 + _HEADER)) == (None, None)


def test_intake_stores_the_xsd_versie_on_both_backends(store: Store) -> None:
    stored = [store.intake(prepare(p, sender=None)).message_id for p in (large_jw323(2), small_jw301())]
    stored.append(store.intake(record("ID-1")).message_id)
    with store.db.read() as conn:
        rows = conn.execute(sa.select(messages.c.id, messages.c.basisschema_xsd, messages.c.bericht_xsd)).all()
    found = {row.id: (row.basisschema_xsd, row.bericht_xsd) for row in rows}
    assert [found[mid] for mid in stored] == [("1.0.0", "1.0.0"), ("1.0.0", "1.0.0"), (None, None)]
