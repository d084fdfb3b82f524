"""GGk envelopes read and built here agree with the official examples and schemas; referentienummers map back."""

from __future__ import annotations

import re

import pytest
from lxml import etree

from gateway.ggk.envelope import EnvelopeError, Party, Versions, build_envelope, read_envelope
from gateway.ggk.refs import message_ids_for, referentie_of, retour_referentie
from gateway.store.ids import new_id
from tests.ggk.builders import jw301
from tests.support.ggk_schema import GGK_DIR, official_errors

UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def _official(name: str) -> etree._Element:
    return etree.parse(str(GGK_DIR / "ggk0310_21" / "ggkberichten" / name)).getroot()


def test_the_official_example_di01_is_read_except_for_its_version_1_uuid() -> None:
    """The official ggk_Di01 example reads field by field; its v1 referentienummer is refused (IB009), as v2.1 says."""
    example = _official("ggk_Di01.xml")
    with pytest.raises(EnvelopeError) as info:
        read_envelope(example, 1 << 20)
    assert info.value.code == "IB009"
    ref = example.find(".//{http://www.egem.nl/StUF/StUF0301}referentienummer")
    assert ref is not None
    ref.text = "9c0f7b90-5c69-41e5-a837-0800200c9a66"
    envelope = read_envelope(example, 1 << 20)
    assert (envelope.zender.organisatie, envelope.ontvanger.applicatie, envelope.functie) == ("0548", "GGk", "WMO301")
    assert (envelope.applicatie_versie, envelope.functie_subversie) == ("0004", "0001")
    assert envelope.payload == b"Hier staat het heenbericht"


@pytest.mark.parametrize("code", ["Di01", "Du01"])
def test_built_envelopes_validate_against_the_official_schema_and_read_back(code: str) -> None:
    """What build_envelope makes is valid per ggk0310_msg.xsd and read_envelope gives every field back."""
    mid = new_id()
    element = build_envelope(
        code,
        zender=Party("0034", "Ketenpoort", "Almere"),
        ontvanger=Party("70329669", "GGk"),
        referentienummer=referentie_of(mid),
        cross_ref=retour_referentie(mid) if code == "Du01" else None,
        functie="JW301",
        versions=Versions("0001", "0000", "0003", "0002"),
        payload=jw301(),
        bestandsnaam="JW301_a.xml",
    )
    assert official_errors(element) == []
    back = read_envelope(element, 1 << 20)
    assert back.berichtcode == code
    assert back.payload == jw301()
    assert back.zender == Party("0034", "Ketenpoort", "Almere")
    assert back.cross_ref == (retour_referentie(mid) if code == "Du01" else None)


def test_referentienummers_are_uuid4_and_lead_back_to_their_message() -> None:
    """Each message id gives a stable v4 UUID whose 64 candidate ids include it; a foreign UUID leads nowhere."""
    for _ in range(500):
        mid = new_id()
        ref = referentie_of(mid)
        assert UUID4.match(ref)
        assert referentie_of(mid) == ref
        candidates = message_ids_for(ref)
        assert mid in candidates
        assert len(candidates) == 64
        assert UUID4.match(retour_referentie(mid))
        assert retour_referentie(mid) != ref
    assert message_ids_for("9c0f7b90-5c69-11e5-a837-0800200c9a66") == []
    assert message_ids_for("not a uuid") == []
