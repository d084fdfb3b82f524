"""`ketenpoort schemas install stuf-jz`: pin check, repair for lxml, and verdicts equal to VNG's resolved schemas."""

from __future__ import annotations

import hashlib
import random
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

from gateway.cli import app
from gateway.generate.stuf import generate_di01
from gateway.schemas import SchemaRegistry, installed_stuf_jz, registry_for, stuf_jz_content_checked
from gateway.stufjz_install import (
    PINNED_SHA256,
    InstallError,
    check_pin,
    install,
    install_dir,
    sha256_of,
)
from tests.support.stufjz_package import normative_zip, resolved_schema_for

ROOTS = ("vtoDi01", "vtMeldingDi01", "zorgmeldingDi01", "notificatieDi01", "meldingGeneriekDi01", "vciDi01")


@pytest.fixture(scope="module")
def package_zip() -> bytes:
    """The normative package zip built from the reference tree."""
    return normative_zip()


@pytest.fixture(scope="module")
def installed(package_zip: bytes, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory with the package installed (pin injected: the rebuilt zip has its own sha256)."""
    data_dir = tmp_path_factory.mktemp("data")
    install(package_zip, data_dir, expected_sha256=sha256_of(package_zip))
    return data_dir


def _mutants(data: bytes) -> dict[str, bytes]:
    text = data.decode()
    ident = text.split("<ZKN:identificatie>", 1)[1].split("</ZKN:identificatie>", 1)[0]
    start = text.split("<ZKN:startdatum>", 1)[1].split("</ZKN:startdatum>", 1)[0]
    swapped = text.replace(
        f"<ZKN:identificatie>{ident}</ZKN:identificatie>\n  <ZKN:startdatum>{start}</ZKN:startdatum>",
        f"<ZKN:startdatum>{start}</ZKN:startdatum>\n  <ZKN:identificatie>{ident}</ZKN:identificatie>",
        1,
    )
    out = {
        "wrong date format": text.replace(
            f"<ZKN:startdatum>{start}<", f"<ZKN:startdatum>{start[:4]}-{start[4:6]}-{start[6:]}<", 1
        ),
        "unknown element": text.replace(
            "</ZKN:identificatie>", "</ZKN:identificatie><ZKN:bestaatNiet>x</ZKN:bestaatNiet>", 1
        ),
        "swapped order": swapped,
        "201-character name": text.replace(
            text.split("<BG:geslachtsnaam>", 1)[1].split("<", 1)[0] + "</BG:geslachtsnaam>",
            "x" * 201 + "</BG:geslachtsnaam>",
            1,
        ),
        "non-base64 content": text.replace("SGFsbG8=", "dit is geen base64!", 1),
    }
    for name, mutant in out.items():
        assert mutant != text, f"mutant {name} did not change the message"
    return {name: mutant.encode() for name, mutant in out.items()}


def test_pin_logic_on_a_file_with_known_sha256(tmp_path: Path) -> None:
    """check_pin accepts bytes whose sha256 is the expected one and refuses any other, naming both digests."""
    data = b"abc"
    known = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert check_pin(data, known.upper()) == known
    with pytest.raises(InstallError, match=f"sha256 is {known}, expected {PINNED_SHA256}"):
        check_pin(data, PINNED_SHA256)
    with pytest.raises(InstallError, match="sha256"):
        install(data, tmp_path)
    assert not install_dir(tmp_path).exists()


def test_the_pinned_digest_is_the_one_the_reference_notes_name() -> None:
    """The default pin is the sha256 of VNG's published 1.0.9 normative zip (215,644 bytes, 84 entries)."""
    assert PINNED_SHA256 == "9011787f9ee7939b6fd4f60e74cd031bdbd28fe1a44e6ce18b27a400947c6570"


def test_the_cli_refuses_a_zip_that_is_not_the_pinned_package(package_zip: bytes, tmp_path: Path) -> None:
    """`schemas install stuf-jz --from` with the default pin refuses the rebuilt zip clearly and installs nothing."""
    zip_path = tmp_path / "pkg.zip"
    zip_path.write_bytes(package_zip)
    env = {"KETENPOORT_DATA_DIR": str(tmp_path / "data")}
    result = CliRunner().invoke(app, ["schemas", "install", "stuf-jz", "--from", str(zip_path)], env=env)
    assert result.exit_code == 1
    assert "not installed" in result.output and "expected 9011787f" in result.output
    assert installed_stuf_jz(tmp_path / "data") is None
    status = CliRunner().invoke(app, ["schemas", "status"], env=env)
    assert status.exit_code == 1 and "NOT INSTALLED" in status.output


def test_the_cli_installs_with_an_explicit_sha256(package_zip: bytes, tmp_path: Path) -> None:
    """With --sha256 of the chosen zip, install succeeds, lists the four groups, and status reports it."""
    zip_path = tmp_path / "pkg.zip"
    zip_path.write_bytes(package_zip)
    env = {"KETENPOORT_DATA_DIR": str(tmp_path / "data")}
    args = [
        "schemas",
        "install",
        "stuf-jz",
        "--from",
        str(zip_path),
        "--sha256",
        hashlib.sha256(package_zip).hexdigest(),
    ]
    result = CliRunner().invoke(app, args, env=env)
    assert result.exit_code == 0, result.output
    for group in ("gmberichten", "jzberichten", "vtberichten", "vvberichten"):
        assert f"jz0100/{group}/jz0100_msg_{group}.xsd" in result.output
    status = CliRunner().invoke(app, ["schemas", "status"], env=env)
    assert status.exit_code == 0 and "installed at" in status.output


def test_a_broken_zip_is_refused_and_leaves_nothing(tmp_path: Path) -> None:
    """A zip without the jz0100 tree, or not a zip at all, is refused with a clear message."""
    with pytest.raises(InstallError, match="not a zip"):
        install(b"not a zip", tmp_path, expected_sha256=sha256_of(b"not a zip"))
    other = tmp_path / "o.zip"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("readme.txt", "hello")
    data = other.read_bytes()
    with pytest.raises(InstallError, match="no jz0100"):
        install(data, tmp_path, expected_sha256=sha256_of(data))
    assert installed_stuf_jz(tmp_path) is None


def test_the_published_tree_does_not_compile_but_the_installed_one_does(installed: Path) -> None:
    """The unrepaired gm group fails in lxml (first-import-wins); every installed message schema compiles."""
    raw = (
        Path(str(resolved_schema_for("vtoDi01"))).parents[2] / "normatief/jz0100/gmberichten/jz0100_msg_gmberichten.xsd"
    )
    with pytest.raises(etree.XMLSchemaParseError):
        etree.XMLSchema(etree.parse(str(raw)))
    package = installed_stuf_jz(installed)
    assert package is not None
    for group in ("gmberichten", "jzberichten", "vtberichten", "vvberichten"):
        etree.XMLSchema(etree.parse(str(package / f"jz0100/{group}/jz0100_msg_{group}.xsd")))


def test_the_registry_picks_up_the_installed_package(installed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With KETENPOORT_DATA_DIR at the install, registry_for validates StUF-JZ content; elsewhere, only envelopes."""
    monkeypatch.delenv("KETENPOORT_STUF_JZ_PACKAGE", raising=False)
    monkeypatch.setenv("KETENPOORT_DATA_DIR", str(installed))
    registry = registry_for()
    entry = registry.lookup("http://www.stufstandaarden.nl/koppelvlak/jz0100", "vtoDi01")
    assert entry is not None and entry.package == installed_stuf_jz(installed).resolve()  # type: ignore[union-attr]
    assert stuf_jz_content_checked(registry)
    assert not stuf_jz_content_checked(SchemaRegistry())
    monkeypatch.setenv("KETENPOORT_DATA_DIR", str(installed / "elsewhere"))
    assert not stuf_jz_content_checked(registry_for())


@pytest.mark.parametrize("root", ROOTS)
def test_installed_verdicts_equal_the_official_resolved_schemas(installed: Path, root: str) -> None:
    """Generated messages are valid under both; each mutant is REJECTED by the installed and the resolved schema."""
    package = installed_stuf_jz(installed)
    assert package is not None
    registry = SchemaRegistry([package], bundled=None)
    entry = registry.lookup("http://www.stufstandaarden.nl/koppelvlak/jz0100", root)
    assert entry is not None
    ours = registry.schema_for(entry)
    official = etree.XMLSchema(etree.parse(str(resolved_schema_for(root))))
    rng = random.Random(root)
    for sequence in range(5):
        _, _, data = generate_di01(root, rng, sequence=sequence)
        doc = etree.fromstring(data)
        assert official.validate(doc), official.error_log
        assert ours.validate(doc), ours.error_log
        if root != "vtoDi01":
            continue
        for name, mutant in _mutants(data).items():
            bad = etree.fromstring(mutant)
            assert not official.validate(bad), f"official schema accepted mutant: {name}"
            assert not ours.validate(bad), f"installed schema accepted mutant: {name}"
