"""Bad input gets one clear error object and loses nothing: a generated hostile corpus."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gateway import validate
from gateway.config import MAX_MESSAGE_BYTES

IJW_NS = "http://www.istandaarden.nl/ijw/3_2/jw301/schema"
SECRET = "KP-SECRET-9f2c1e7b-never-leak"


def _doc(body: str = "<x:Header/>", ns: str = IJW_NS, root: str = "Bericht") -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<x:{root} xmlns:x="{ns}">{body}</x:{root}>\n'.encode()


def _corpus(secret_file: Path) -> dict[str, bytes]:
    """At least 30 hostile or broken documents, each named for what is wrong with it."""
    lol = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
    )
    secret_uri = secret_file.as_uri()
    return {
        "empty": b"",
        "whitespace_only": b"   \n\t  \n",
        "binary_junk": bytes(range(256)) * 4,
        "truncated": _doc()[:-20],
        "utf8_bom": b"\xef\xbb\xbf" + _doc(),
        "utf16_le_bom": "\ufeff".encode("utf-16-le") + _doc().decode().encode("utf-16-le"),
        "utf16_be_bom": "\ufeff".encode("utf-16-be") + _doc().decode().encode("utf-16-be"),
        "utf16_no_bom": _doc().decode().encode("utf-16-le"),
        "latin1_declared": _doc().replace(b"UTF-8", b"ISO-8859-1"),
        "cp1252_declared": _doc().replace(b"UTF-8", b"windows-1252"),
        "utf32_declared": _doc().replace(b"UTF-8", b"UTF-32"),
        "invalid_utf8_bytes": _doc().replace(b"<x:Header/>", b"<x:Header>caf\xe9</x:Header>"),
        "billion_laughs": f'<?xml version="1.0"?><!DOCTYPE r [{lol}]><r>&lol9;</r>'.encode(),
        "xxe_file": (f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "{secret_uri}">]><r>&x;</r>').encode(),
        "xxe_parameter_entity": (
            f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % p SYSTEM "{secret_uri}"> %p;]><r/>'
        ).encode(),
        "xxe_in_ijw_root": (
            f'<?xml version="1.0"?><!DOCTYPE x:Bericht [<!ENTITY x SYSTEM "{secret_uri}">]>'
            f'<x:Bericht xmlns:x="{IJW_NS}"><x:Header>&x;</x:Header></x:Bericht>'
        ).encode(),
        "external_dtd_http": b'<?xml version="1.0"?><!DOCTYPE r SYSTEM "http://127.0.0.1:9/evil.dtd"><r/>',
        "external_dtd_file": f'<?xml version="1.0"?><!DOCTYPE r SYSTEM "{secret_uri}"><r/>'.encode(),
        "xinclude": (
            f'<?xml version="1.0"?><r xmlns:xi="http://www.w3.org/2001/XInclude">'
            f'<xi:include href="{secret_uri}" parse="text"/></r>'
        ).encode(),
        "unknown_namespace": _doc(ns="urn:example:not-a-standard"),
        "no_namespace": b'<?xml version="1.0" encoding="UTF-8"?><Bericht><Header/></Bericht>',
        "known_namespace_wrong_root": _doc(root="Envelope"),
        "future_ijw_version": _doc(ns="http://www.istandaarden.nl/ijw/9_9/jw301/schema"),
        "mismatched_tags": b"<a><b></a></b>",
        "unclosed_root": b'<?xml version="1.0"?><a><b/>',
        "two_roots": b"<a/><b/>",
        "text_before_root": b"hello <a/>",
        "declaration_not_first": b' \n<?xml version="1.0"?><a/>',
        "nul_byte": b"<a>\x00</a>",
        "invalid_char_reference": b"<a>&#0;</a>",
        "undefined_entity": b"<a>&nbsp;</a>",
        "comment_only": b"<!-- nothing here -->",
        "unclosed_cdata": b"<a><![CDATA[ never closed </a>",
        "deep_nesting": b"<a>" * 5000 + b"</a>" * 5000,
        "html_page": b"<!DOCTYPE html><html><body><p>hi</body></html>",
        "json_body": b'{"Bericht": {"Header": {}}}',
        "ijw_root_garbage_content": _doc("<x:Nonsense>1</x:Nonsense>"),
    }


@pytest.fixture()
def secret_file(tmp_path: Path) -> Path:
    """A file whose contents must never show up in any output."""
    path = tmp_path / "secret.txt"
    path.write_text(SECRET)
    return path


def test_corpus_is_large_enough(secret_file: Path) -> None:
    """The corpus holds at least 30 distinct hostile or broken documents."""
    corpus = _corpus(secret_file)
    assert len(corpus) >= 30
    assert len(set(corpus.values())) == len(corpus)


@pytest.mark.parametrize("name", sorted(_corpus(Path("/nonexistent")).keys()))
def test_each_bad_document_gets_one_clear_error(name: str, secret_file: Path) -> None:
    """Every bad document is invalid with a typed error object, never an exception or a leak."""
    result = validate(_corpus(secret_file)[name])
    assert not result.valid
    assert result.errors, name
    kinds = {e.kind for e in result.errors}
    assert kinds <= {"xml", "schema", "xsd"}
    for err in result.errors:
        assert err.message
        assert SECRET not in err.message
    if not result.well_formed:
        assert kinds == {"xml"}
        assert result.standard is None


@pytest.mark.parametrize(
    ("name", "needle"),
    [
        ("utf8_bom", "byte order mark"),
        ("latin1_declared", "UTF-8"),
        ("utf16_le_bom", "UTF-16"),
        ("billion_laughs", "DTD"),
        ("xxe_file", "DTD"),
        ("empty", "empty"),
    ],
)
def test_error_messages_say_what_is_wrong(name: str, needle: str, secret_file: Path) -> None:
    """The message names the actual problem, so a sender can fix it."""
    result = validate(_corpus(secret_file)[name])
    assert needle in result.errors[0].message


def test_unknown_namespace_is_a_schema_error(secret_file: Path) -> None:
    """A well-formed document of an unknown standard gets kind 'schema', not 'xml'."""
    result = validate(_corpus(secret_file)["unknown_namespace"])
    assert result.well_formed
    assert [e.kind for e in result.errors] == ["schema"]


def test_oversized_file_is_refused_before_parsing(tmp_path: Path) -> None:
    """A file over 25 MB is refused with an OP179 error by size alone."""
    from gateway.validation import validate_file

    big = tmp_path / "big.xml"
    with big.open("wb") as handle:
        handle.write(_doc())
        handle.truncate(MAX_MESSAGE_BYTES + 1)
    result = validate_file(big)
    assert not result.well_formed
    assert "OP179" in result.errors[0].message


def test_oversized_bytes_are_refused() -> None:
    """Bytes over the limit are refused without parsing them."""
    result = validate(b"<a>" + b" " * MAX_MESSAGE_BYTES + b"</a>")
    assert "OP179" in result.errors[0].message


def test_cli_goes_on_after_each_bad_file_and_never_leaks(tmp_path: Path, secret_file: Path) -> None:
    """`ketenpoort validate --json` prints one object per file, exit 1, no traceback, no secret."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    corpus: dict[str, bytes] = _corpus(secret_file)
    for name, data in corpus.items():
        (folder / f"{name}.xml").write_bytes(data)
    env = {**os.environ, "KETENPOORT_LOG_FORMAT": "json"}
    proc = subprocess.run(
        [sys.executable, "-m", "gateway", "validate", "--json", str(folder)],
        capture_output=True,
        env=env,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 1
    lines = proc.stdout.decode().splitlines()
    assert len(lines) == len(corpus)
    objects = [json.loads(line) for line in lines]
    expected_keys = {"file", "well_formed", "standard", "message_type", "version", "valid", "errors"}
    expected_keys |= {"total_errors", "error_counts"}  # the exact counts beside the kept findings
    for obj in objects:
        assert set(obj) == expected_keys
        assert obj["valid"] is False
        for err in obj["errors"]:
            assert set(err) == {"kind", "rule", "retourcode", "line", "path", "message"}
    everything = proc.stdout.decode() + proc.stderr.decode()
    assert SECRET not in everything
    assert "Traceback" not in everything
