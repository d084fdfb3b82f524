"""Our compact iJw 2.3 schemas against the official ones: detection, examples and a mutation corpus."""

from __future__ import annotations

import pytest

from gateway.model import Standard
from gateway.schemas import BUNDLED_SCHEMAS, SchemaRegistry, registry_for
from tests.support.mutations import mutants
from tests.support.reference import reference_path
from tests.support.xsd import SchemaPairs, compile_xsd, schema_pairs, xsd_verdict

OURS = BUNDLED_SCHEMAS / "ijw" / "2.3"
MESSAGE_TYPES = ("JW301", "JW302", "JW303", "JW304", "JW305", "JW306", "JW307", "JW308", "JW315", "JW316")
MUTANTS_PER_EXAMPLE = 45


@pytest.fixture(scope="module")
def schemas() -> SchemaPairs:
    """Per message type: (ours, official), each compiled once for the module."""
    return schema_pairs(OURS, reference_path("ijw-2.3", "xsd"), MESSAGE_TYPES)


def test_every_message_type_has_a_schema_and_no_documentation_text() -> None:
    assert sorted(p.stem for p in OURS.glob("*.xsd")) == sorted((*MESSAGE_TYPES, "basisschema"))
    for path in OURS.glob("*.xsd"):
        text = path.read_text(encoding="utf-8")
        assert "xs:documentation" not in text, path.name
        compile_xsd(path)


@pytest.mark.parametrize("message_type", MESSAGE_TYPES)
def test_detected_as_ijw_23(message_type: str) -> None:
    entry = SchemaRegistry(bundled=BUNDLED_SCHEMAS).lookup(
        f"http://www.istandaarden.nl/ijw/2_3/{message_type.lower()}/schema", "Bericht"
    )
    assert entry is not None
    assert entry.path == OURS / f"{message_type}.xsd"
    assert (entry.kind.standard, entry.kind.message_type, entry.kind.version) == (Standard.IJW, message_type, "2.3")


@pytest.mark.parametrize("message_type", MESSAGE_TYPES)
def test_official_example_same_verdict(message_type: str, schemas: SchemaPairs) -> None:
    data = reference_path("ijw-2.3", "berichten", f"{message_type}.xml").read_bytes()
    ours, official = schemas[message_type]
    assert xsd_verdict(ours, data) == xsd_verdict(official, data)
    registry = registry_for()
    entry = registry.lookup(f"http://www.istandaarden.nl/ijw/2_3/{message_type.lower()}/schema", "Bericht")
    assert entry is not None
    assert xsd_verdict(registry.schema_for(entry), data) == xsd_verdict(official, data)


@pytest.mark.parametrize("message_type", MESSAGE_TYPES)
def test_mutants_same_verdict(message_type: str, schemas: SchemaPairs) -> None:
    data = reference_path("ijw-2.3", "berichten", f"{message_type}.xml").read_bytes()
    ours, official = schemas[message_type]
    corpus = list(mutants(data, seed=2300 + int(message_type[2:]), count=MUTANTS_PER_EXAMPLE))
    assert len(corpus) >= 40
    disagreements = [label for label, doc in corpus if xsd_verdict(ours, doc) != xsd_verdict(official, doc)]
    assert disagreements == []
    # The corpus must actually exercise rejection, not only valid variants.
    assert sum(not xsd_verdict(official, doc) for _, doc in corpus) >= 20
