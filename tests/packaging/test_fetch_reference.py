"""scripts/fetch-reference: fetch at pinned commits, apply the documented fix-ups, check every sha256.

GitHub cannot be reached from here, so the download is exercised on a local archive laid out
as codeload.github.com serves one (``file://`` base); the checksum logic runs on the real
reference folder and on tampered copies.
"""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.xdist_group("packaging")

XSD = b'<?xml version="1.0"?>\n<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"/>\n'


def _script(project_root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(project_root / "scripts" / "fetch-reference"), *args],
        capture_output=True,
        text=True,
        check=False,
    )


def _archive(base: Path, repo: str, commit: str, files: dict[str, bytes]) -> None:
    """A tar.gz where codeload would serve ``repo`` at ``commit``: one top folder, then the tree."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(f"{repo.split('/')[1]}-{commit}/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    target = base / repo / "tar.gz" / commit
    target.parent.mkdir(parents=True)
    target.write_bytes(buffer.getvalue())


def test_the_recorded_checksums_match_the_official_material(project_root: Path, reference_dir: Path) -> None:
    """Every file of ../shared/reference is recorded in scripts/reference.sha256 and matches it."""
    done = _script(project_root, "--verify", "--dest", str(reference_dir))
    assert done.returncode == 0, done.stderr
    recorded = len((project_root / "scripts" / "reference.sha256").read_text(encoding="utf-8").splitlines())
    on_disk = sum(1 for p in reference_dir.rglob("*") if p.is_file())
    assert f"{recorded} of {recorded} reference files verified" in done.stdout and recorded == on_disk


def test_fetch_applies_fixups_and_verifies_then_tampering_is_caught(project_root: Path, tmp_path: Path) -> None:
    """A pinned archive is unpacked with its fix-ups; a changed or missing file fails verification by name."""
    base, dest = tmp_path / "codeload", tmp_path / "reference"
    _archive(base, "owner/repo", "abc1234", {
        "bronnen/xsd/Basisschema.xsd": b"# stray markdown title\n" + XSD,
        "bronnen/xsd/JW301.xsd": XSD,
        "other/ignored.txt": b"not part of the source",
    })  # fmt: skip
    sources = tmp_path / "sources.toml"
    sources.write_text(
        '[[source]]\nfolder = "ijw/xsd"\nrepo = "owner/repo"\ncommit = "abc1234"\npath = "bronnen/xsd"\n'
        'fixups = ["strip-markdown-first-line", "rename:Basisschema.xsd=basisschema.xsd"]\n'
        '[[source]]\nfolder = "by-hand"\nrepo = "x/y"\ncommit = "0"\npath = ""\nmanual = "text of a PDF"\n',
        encoding="utf-8",
    )
    digest = hashlib.sha256(XSD).hexdigest()
    checksums = tmp_path / "expected.sha256"
    checksums.write_text(f"{digest}  ijw/xsd/JW301.xsd\n{digest}  ijw/xsd/basisschema.xsd\n", encoding="utf-8")
    args = ["--dest", str(dest), "--sources", str(sources), "--checksums", str(checksums)]
    fetched = _script(project_root, *args, "--archive-base", base.as_uri())
    assert fetched.returncode == 0, fetched.stdout + fetched.stderr
    assert "fetched 2 files into ijw/xsd from owner/repo@abc1234" in fetched.stdout
    assert "manual: by-hand: text of a PDF" in fetched.stdout
    assert (dest / "ijw" / "xsd" / "basisschema.xsd").read_bytes() == XSD and not (dest / "other").exists()
    (dest / "ijw" / "xsd" / "JW301.xsd").write_bytes(XSD + b"<!-- edited -->")
    (dest / "ijw" / "xsd" / "basisschema.xsd").unlink()
    verified = _script(project_root, *args, "--verify")
    assert verified.returncode == 1
    assert "changed: ijw/xsd/JW301.xsd" in verified.stderr and "missing: ijw/xsd/basisschema.xsd" in verified.stderr
    refetched = _script(project_root, *args, "--archive-base", base.as_uri())  # a fetch repairs both
    assert refetched.returncode == 0 and "2 of 2 reference files verified" in refetched.stdout


def test_an_archive_with_other_content_than_recorded_fails(project_root: Path, tmp_path: Path) -> None:
    """Bytes from the pinned commit that differ from the recorded sha256 are reported, exit 1."""
    base = tmp_path / "codeload"
    _archive(base, "owner/repo", "abc1234", {"d/a.xml": b"<a>other</a>"})
    sources = tmp_path / "sources.toml"
    sources.write_text('[[source]]\nfolder = "x"\nrepo = "owner/repo"\ncommit = "abc1234"\npath = "d"\n', "utf-8")
    checksums = tmp_path / "expected.sha256"
    checksums.write_text(f"{hashlib.sha256(b'<a/>').hexdigest()}  x/a.xml\n", encoding="utf-8")
    done = _script(project_root, "--dest", str(tmp_path / "ref"), "--sources", str(sources),
                   "--checksums", str(checksums), "--archive-base", base.as_uri())  # fmt: skip
    assert done.returncode == 1 and "changed: x/a.xml" in done.stderr
