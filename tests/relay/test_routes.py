"""Routes: loading the TOML routes file and resolving receivers."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.relay import RouteConfigError, Routes, load_routes


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "routes.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_resolves_gemeentecode_agb_and_oin_then_default(tmp_path: Path) -> None:
    """Each kind of receiver id maps to its own URL and unknown ids fall back to the default."""
    path = _write(
        tmp_path,
        'default = "http://fallback.test/in"\n[routes]\n"0034" = "http://almere.test/ijw"\n'
        '"12345678" = "https://agb.test/x"\n"00000001003214345000" = "http://corv.test:8443/s"\n',
    )
    routes = load_routes(path)
    assert routes.resolve("0034") == "http://almere.test/ijw"
    assert routes.resolve(" 0034 ") == "http://almere.test/ijw"
    assert routes.resolve("12345678") == "https://agb.test/x"
    assert routes.resolve("00000001003214345000") == "http://corv.test:8443/s"
    assert routes.resolve("0363") == "http://fallback.test/in"


def test_leading_zeros_matter(tmp_path: Path) -> None:
    """A gemeentecode is compared as text, so "34" does not match the route for "0034"."""
    routes = load_routes(_write(tmp_path, '[routes]\n"0034" = "http://a.test/"\n'))
    assert routes.resolve("34") is None


def test_explicit_default_overrides_file_default(tmp_path: Path) -> None:
    """KETENPOORT_DEFAULT_ROUTE wins over the default written in the file."""
    path = _write(tmp_path, 'default = "http://file.test/"\n')
    assert load_routes(path, default="http://env.test/").resolve("x") == "http://env.test/"


def test_default_only_without_file() -> None:
    """Without a file the default URL routes everything."""
    assert load_routes(None, "http://127.0.0.1:9/").resolve("0599") == "http://127.0.0.1:9/"


def test_no_file_and_no_default_is_an_error() -> None:
    """Having no routes at all is a configuration error, not a silent drop."""
    with pytest.raises(RouteConfigError, match="no routes"):
        load_routes(None, None)


def test_routes_without_default_return_none() -> None:
    """An unknown receiver without a default resolves to None (the NO_ROUTE outcome)."""
    assert Routes({"0034": "http://a.test/"}).resolve("0363") is None


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("default = ", "not valid TOML"),
        ('default = "ftp://x.test/"', "not an absolute http"),
        ('[routes]\n"0034" = "almere"', "not an absolute http"),
        ('[routes]\n"0034" = 34', "expected a URL string"),
        ('routes = "x"', "must be a table"),
        ('defualt = "http://x.test/"', "unknown keys defualt"),
        ('[routes]\n0.34 = "http://x.test/"', "quote ids with dots"),
        ('default = "http://x.test:99999/"', "invalid port"),
    ],
)
def test_bad_files_raise_clear_errors(tmp_path: Path, text: str, match: str) -> None:
    """Every malformed routes file gives a RouteConfigError naming the file and the problem."""
    path = _write(tmp_path, text)
    with pytest.raises(RouteConfigError, match=match) as info:
        load_routes(path)
    assert str(path) in str(info.value)


def test_missing_file_is_a_route_config_error(tmp_path: Path) -> None:
    """A routes file that does not exist is reported as RouteConfigError, not OSError."""
    with pytest.raises(RouteConfigError, match="cannot read"):
        load_routes(tmp_path / "absent.toml")


def test_routes_are_immutable() -> None:
    """The routes table cannot be changed after loading."""
    routes = Routes({"0034": "http://a.test/"})
    with pytest.raises(TypeError):
        routes.table["0363"] = "http://b.test/"  # type: ignore[index]
